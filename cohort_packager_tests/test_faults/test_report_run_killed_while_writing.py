"""A report run killed (SIGKILL) half way through writing a report, while staging it or while
publishing the set: the reports folder still holds what it held before (nothing, or the previous
complete set, byte for byte) and no half-written file; the next run clears the leftovers and
writes the reports of a fault-free run."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from dagster import DagsterInstance

from cohort_packager.assets.partitions import extractions
from cohort_packager_tests.support.service import ServiceDriver
from cohort_packager_tests.test_faults import (
    assert_reports_match,
    drain,
    folder_contents,
    job_reports_folder,
    per_queue,
)
from cohort_packager_tests.test_faults.report_child import POINTS


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("previous_reports", [False, True],
                         ids=["no-previous-reports", "previous-reports"])
def test_a_report_run_killed_part_way_leaves_the_reports_folder_as_it_was(
        environment, published_backlog, children, point, previous_reports):
    job_id = published_backlog.meta["job_id"]
    assert drain(environment).stored == per_queue(published_backlog.messages)
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(extractions.name, [job_id])
    driver = ServiceDriver(instance)
    folder = job_reports_folder(environment, job_id)
    if previous_reports:
        driver.run_reports(job_id)
    before = folder_contents(folder) if previous_reports else None

    child = children.start("report_child", environment.config_path, point, job_id)
    paused = child.wait_for_pause()
    assert child.kill() == -signal.SIGKILL

    half_written = Path(paused["file"])
    assert half_written.stat().st_size == paused["written"] < paused["size"]
    assert half_written.parent.parent == folder.parent
    assert half_written.parent.name.startswith(f".{folder.name}.")
    if previous_reports:
        assert folder_contents(folder) == before
    else:
        assert not folder.exists()

    driver.run_reports(job_id)

    assert_reports_match(published_backlog, environment)
    assert [path.name for path in folder.parent.iterdir()] == [folder.name]
    if previous_reports:
        assert folder_contents(folder) == before
