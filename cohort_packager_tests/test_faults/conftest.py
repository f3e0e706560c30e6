"""Fixtures of the fault tests."""

from __future__ import annotations

import pytest

from cohort_packager_tests.support.acceptance import create_written_files
from cohort_packager_tests.test_faults import edit_config, packager_options, publish_messages
from cohort_packager_tests.test_faults.backlog import build_backlog
from cohort_packager_tests.test_faults.children import ChildProcesses

BACKLOG_OUTCOMES = 3000
BATCH_SIZE = 200


@pytest.fixture
def children(tmp_path):
    """Starts child processes for one test; any still running at its end are killed."""
    started = ChildProcesses(tmp_path)
    yield started
    started.end_all()


@pytest.fixture
def published_backlog(environment, tmp_path):
    """A few thousand valid messages for one job on the environment's queues, its written
    files on disk, and batches small enough that a tick stores several."""
    backlog = build_backlog(tmp_path, BACKLOG_OUTCOMES)
    create_written_files(backlog, environment.extract_root)
    edit_config(environment, packager_options(IngestBatchSize=BATCH_SIZE))
    environment.declare_queues()
    publish_messages(environment, backlog.messages)
    return backlog
