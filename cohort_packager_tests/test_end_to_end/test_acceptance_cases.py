"""Every shared acceptance case, end to end: real broker, real MongoDB, files on disk, the
sensors and the report job run through Dagster, then compare.py on the produced reports."""

from __future__ import annotations

import subprocess
import sys

import pytest
from dagster import DagsterInstance

from cohort_packager_tests.support.acceptance import (
    COMPARE_SCRIPT,
    case_names,
    load_case,
    publish_case,
)
from cohort_packager_tests.support.service import ServiceDriver


@pytest.mark.parametrize("case_name", case_names())
def test_acceptance_case_reports_match_expected_bytes(case_name, environment):
    case = load_case(case_name)
    publish_case(case, environment)

    instance = DagsterInstance.ephemeral()
    driver = ServiceDriver(instance)
    driver.ingest_tick()
    launched = driver.completion_tick()

    assert launched == [case.meta["job_id"]]
    expected_rejections = sum(1 for m in case.messages if m.expect == "nack")
    assert environment.store.rejected.count_documents({}) == expected_rejections
    result = subprocess.run(
        [sys.executable, str(COMPARE_SCRIPT), str(case.folder), str(environment.extract_root),
         "--extract-root", "--allow-extra"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr

