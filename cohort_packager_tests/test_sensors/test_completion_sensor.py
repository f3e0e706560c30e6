"""The completion sensor: one run per complete job, keyed by GUID, bounded per tick."""

from __future__ import annotations

import yaml
from dagster import DagsterInstance, SensorResult, SkipReason, build_sensor_context

from cohort_packager.definitions import build_definitions
from cohort_packager_tests.support.acceptance import create_written_files, load_case, publish
from cohort_packager_tests.support.service import ServiceDriver


def _publish_case(environment, name: str):
    case = load_case(name)
    create_written_files(case, environment.extract_root)
    environment.declare_queues()
    connection, channel = environment.channel()
    for message in case.messages:
        publish(channel, environment.queue_names[message.queue], message.headers, message.body)
    connection.close()
    return case


def _tick(defs, instance):
    sensor = defs.get_sensor_def("detect_complete_extractions")
    with build_sensor_context(instance=instance, resources=defs.resources,
                              definitions=defs) as context:
        return sensor(context)


def test_complete_job_gets_one_run_request_keyed_and_partitioned_by_its_guid(environment):
    case = _publish_case(environment, "01_standard_anonymised")
    instance = DagsterInstance.ephemeral()
    ServiceDriver(instance).ingest_tick()
    defs = build_definitions()

    result = _tick(defs, instance)

    job_id = case.meta["job_id"]
    assert isinstance(result, SensorResult)
    assert [(r.run_key, r.partition_key) for r in result.run_requests] == [(job_id, job_id)]
    assert list(result.dynamic_partitions_requests[0].partition_keys) == [job_id]
    assert isinstance(_tick(defs, instance), SkipReason), "a job is requested only once"


def test_tick_message_says_what_waits_and_on_what_without_contents(environment):
    case = _publish_case(environment, "03_anonymisation_failures")
    instance = DagsterInstance.ephemeral()
    connection, channel = environment.channel()
    channel.queue_purge(environment.queue_names["NoVerifyStatusOptions"])
    connection.close()
    ServiceDriver(instance).ingest_tick()

    result = _tick(build_definitions(), instance)

    assert isinstance(result, SkipReason)
    assert result.skip_message == ("Completion check: requested reports for 0 jobs; "
                                   "1 jobs waiting (1 on file outcomes)")
    assert case.meta["job_id"] not in result.skip_message


def test_runs_requested_per_tick_are_bounded_by_configuration(environment):
    document = yaml.safe_load(environment.config_path.read_text())
    document["CohortPackagerOptions"]["CompletionMaxRunsPerTick"] = 1
    environment.config_path.write_text(yaml.safe_dump(document))
    for name in ("01_standard_anonymised", "06_no_filter_extraction"):
        _publish_case(environment, name)
    instance = DagsterInstance.ephemeral()
    ServiceDriver(instance).ingest_tick()
    defs = build_definitions()

    first = _tick(defs, instance)
    second = _tick(defs, instance)

    assert len(first.run_requests) == 1 and len(second.run_requests) == 1
    assert first.run_requests[0].run_key != second.run_requests[0].run_key
