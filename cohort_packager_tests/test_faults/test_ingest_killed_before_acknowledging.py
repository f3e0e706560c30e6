"""An ingest process killed (SIGKILL) after a batch is stored and before it is acknowledged:
the batch comes back and is counted as duplicates, the rest is stored once, reports match."""

from __future__ import annotations

import signal
from collections import Counter

from cohort_packager_tests.test_faults import (
    assert_stored_once_and_reported,
    drain,
    per_queue,
    settled_depths,
    stored_per_queue,
)


def test_a_tick_killed_between_storing_a_batch_and_acknowledging_it_loses_and_doubles_nothing(
        environment, published_backlog, children):
    messages = published_backlog.messages
    child = children.start("ingest_child", environment.config_path, "after-first-batch")
    stored_unacknowledged = Counter(child.wait_for_pause()["stored"])

    assert child.kill() == -signal.SIGKILL
    assert 0 < stored_unacknowledged.total() < len(messages)
    assert stored_per_queue(environment.store) == stored_unacknowledged
    assert settled_depths(environment, len(messages)) == per_queue(messages)

    report = drain(environment)

    assert report.duplicates == stored_unacknowledged
    assert report.stored == per_queue(messages) - stored_unacknowledged
    assert report.rejected == {}
    assert_stored_once_and_reported(environment, published_backlog)
