"""Recreating reports from the command line, on a fresh Dagster instance."""

from __future__ import annotations

import json

import pytest
from dagster import DagsterInstance

from cohort_packager_tests.support.acceptance import create_written_files, load_case, publish
from cohort_packager_tests.support.processes import dagster_environment, run_dagster
from cohort_packager_tests.support.service import ServiceDriver

CASE = "02_rejections"


@pytest.fixture
def reported_case(environment):
    """Case 02 taken through the service once; returns (job id, reports folder, bytes)."""
    case = load_case(CASE)
    create_written_files(case, environment.extract_root)
    environment.declare_queues()
    connection, channel = environment.channel()
    for message in case.messages:
        publish(channel, environment.queue_names[message.queue], message.headers, message.body)
    connection.close()
    driver = ServiceDriver(DagsterInstance.ephemeral())
    driver.ingest_tick()
    assert driver.completion_tick() == [case.meta["job_id"]]
    folder = environment.extract_root / case.meta["report_dir"]
    return case.meta["job_id"], folder, _contents(folder)


def _contents(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_job_execute_on_a_fresh_instance_recreates_identical_reports(
        environment, reported_case, tmp_path):
    job_id, folder, before = reported_case
    env = dagster_environment(environment.config_path, tmp_path / "dagster_home")

    result = run_dagster(["job", "execute", "-m", "cohort_packager.definitions",
                          "-j", "build_extraction_reports",
                          "--tags", json.dumps({"dagster/partition": job_id})], env)

    assert result.returncode == 0, result.stderr[-3000:]
    assert _contents(folder) == before


def test_asset_materialize_of_one_report_rewrites_only_that_file(
        environment, reported_case, tmp_path):
    job_id, folder, before = reported_case
    (folder / "rejected_files.csv").write_bytes(b"tampered\n")
    (folder / "README.md").write_bytes(b"kept as it is\n")
    env = dagster_environment(environment.config_path, tmp_path / "dagster_home")

    result = run_dagster(["asset", "materialize", "-m", "cohort_packager.definitions",
                          "--select", "extraction_reports/rejected_files",
                          "--partition", job_id], env)

    assert result.returncode == 0, result.stderr[-3000:]
    after = _contents(folder)
    assert after["rejected_files.csv"] == before["rejected_files.csv"]
    assert after["README.md"] == b"kept as it is\n"
    assert after["processing_errors.csv"] == before["processing_errors.csv"]


def test_job_execute_for_an_unknown_guid_fails_saying_the_store_has_no_such_job(
        environment, tmp_path):
    env = dagster_environment(environment.config_path, tmp_path / "dagster_home")
    unknown = "0f0f0f0f-1111-2222-3333-444444444444"

    result = run_dagster(["job", "execute", "-m", "cohort_packager.definitions",
                          "-j", "build_extraction_reports",
                          "--tags", json.dumps({"dagster/partition": unknown})], env)

    assert result.returncode != 0
    assert f"the extraction store has no job {unknown}" in result.stdout + result.stderr
