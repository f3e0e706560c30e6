"""The Dagster definitions load, every job resolves, and secrets stay out of the UI."""

from __future__ import annotations

from dagster import EnvVar

from cohort_packager.definitions import build_definitions


def test_definitions_load_and_resolve_every_job(environment):
    defs = build_definitions()

    job = defs.resolve_job_def("build_extraction_reports")
    assert job.executor_def.name == "in_process"
    assert {s.name for s in defs.sensors} == {"ingest_extraction_messages",
                                              "detect_complete_extractions"}
    keys = {key.to_user_string() for key in defs.resolve_all_asset_keys()}
    assert keys == {f"extraction_reports/{name}" for name in
                    ("readme", "rejected_files", "processing_errors", "verification_failures")}


def test_passwords_set_in_the_environment_reach_dagster_as_env_vars(environment, monkeypatch):
    monkeypatch.setenv("MONGO_SERVICE_PASSWORD", "mongo-secret")
    monkeypatch.setenv("COHORT_PACKAGER_RABBITMQ_PASSWORD", "rabbit-secret")

    resources = build_definitions().resources

    assert resources["extraction_store"].mongo_password == EnvVar("MONGO_SERVICE_PASSWORD")
    assert resources["broker"].rabbitmq_password == EnvVar("COHORT_PACKAGER_RABBITMQ_PASSWORD")


def test_completion_sensor_interval_is_the_job_watcher_timeout(environment):
    sensor = build_definitions().get_sensor_def("detect_complete_extractions")

    assert sensor.minimum_interval_seconds == 1
