"""Reports are written inside the extraction root only (DECISIONS 15): an ExtractionDirectory
that is absolute or climbs out is refused at ingest, and a report run whose folder would lead
outside the root, through `..` or a symbolic link, fails with a clear message and writes and
deletes nothing outside."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dagster import DagsterInstance

from cohort_packager_tests.support.messages import (
    OutgoingMessage,
    encode,
    file_collection_body,
    header_table,
    new_guid,
    request_info_body,
)
from cohort_packager_tests.support.service import ServiceDriver
from cohort_packager_tests.test_hostile import publish

from . import report_runs, step_failures, tree_snapshot

NAME = "ct-head"


def _zero_file_job(job_id: str, extraction_directory: str) -> list[OutgoingMessage]:
    """A job whose only key had every file rejected, so it is complete once stored."""
    changes = {"ExtractionDirectory": extraction_directory}
    return [
        OutgoingMessage("ExtractRequestInfoOptions", header_table(), encode(
            request_info_body(job_id, KeyValueCount=1, **changes))),
        OutgoingMessage("FileCollectionInfoOptions", header_table(), encode(
            file_collection_body(job_id, files={}, rejections={"Blacklisted": 1}, **changes))),
    ]


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the extraction root, with one file the reports must never touch."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "keep.txt").write_text("not part of any extraction\n")
    return folder


def _ingest_and_report(environment, messages):
    environment.declare_queues()
    publish(environment, messages)
    driver = ServiceDriver(DagsterInstance.ephemeral())
    driver.ingest_tick()
    return report_runs(driver)


@pytest.mark.parametrize("directory", ["{outside}/extractions/" + NAME,
                                       "PRJ042/../../outside/" + NAME])
def test_an_extraction_directory_leading_out_of_the_root_is_refused_at_ingest(
        environment, outside, directory):
    job_id = new_guid()
    before = tree_snapshot(outside.parent)

    _, runs = _ingest_and_report(environment,
                                 _zero_file_job(job_id, directory.format(outside=outside)))

    assert runs == []
    assert environment.store.job(job_id) is None
    reasons = [d["reason"] for d in environment.store.rejected.find({})]
    assert any("ExtractionDirectory" in reason for reason in reasons)
    assert tree_snapshot(outside.parent) == before


@pytest.mark.parametrize("directory", ["{outside}/extractions/" + NAME,
                                       "PRJ042/../../outside/" + NAME])
def test_a_stored_job_whose_directory_leads_out_of_the_root_gets_no_reports(
        environment, outside, directory):
    job_id = new_guid()
    environment.declare_queues()
    publish(environment, _zero_file_job(job_id, "PRJ042/extractions/" + NAME))
    driver = ServiceDriver(DagsterInstance.ephemeral())
    driver.ingest_tick()
    # As an earlier version, or someone with write access to the store, might have left it.
    environment.store.jobs.update_one(
        {"_id": job_id}, {"$set": {"extractionDirectory": directory.format(outside=outside)}})
    before = tree_snapshot(outside)

    _, runs = report_runs(driver)

    assert [run.success for run in runs] == [False]
    assert "outside the extraction root" in " ".join(step_failures(runs[0]))
    assert tree_snapshot(outside) == before


def test_a_project_folder_that_links_out_of_the_root_fails_the_report_run(
        environment, outside):
    (environment.extract_root / "PRJ").symlink_to(outside, target_is_directory=True)

    _assert_refused_leaving_outside_untouched(environment, outside, "PRJ/extractions/" + NAME)


@pytest.mark.parametrize("link", ["PRJ042/extractions/reports",
                                  "PRJ042/extractions/reports/" + NAME])
def test_a_reports_folder_that_links_out_of_the_root_fails_the_report_run(
        environment, outside, link):
    _link(environment.extract_root / link, outside)

    _assert_refused_leaving_outside_untouched(environment, outside, "PRJ042/extractions/" + NAME)


@pytest.mark.parametrize("leftover", [".{name}.old-" + "a" * 32, ".{name}.new-" + "b" * 32,
                                      ".{name}.staging-run"])
def test_leftovers_that_link_out_of_the_root_are_neither_followed_nor_emptied(
        environment, outside, leftover):
    reports = environment.extract_root / "PRJ042" / "extractions" / "reports"
    _link(reports / leftover.format(name=NAME), outside)
    before = tree_snapshot(outside)

    _ingest_and_report(environment, _zero_file_job(new_guid(), "PRJ042/extractions/" + NAME))

    assert tree_snapshot(outside) == before
    published = reports / NAME
    if published.exists():
        assert not published.is_symlink()
        assert "keep.txt" not in os.listdir(published)


def _link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target, target_is_directory=True)


def _assert_refused_leaving_outside_untouched(environment, outside: Path, directory: str):
    """A zero-file job in `directory` gets a failed report run that names the escape, and
    nothing outside the root changes."""
    before = tree_snapshot(outside)

    _, runs = _ingest_and_report(environment, _zero_file_job(new_guid(), directory))

    assert [run.success for run in runs] == [False]
    assert "outside the extraction root" in " ".join(step_failures(runs[0]))
    assert tree_snapshot(outside) == before
