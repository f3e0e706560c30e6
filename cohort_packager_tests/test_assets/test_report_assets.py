"""What the report assets record: row counts, paths and a preview, and nothing identifiable."""

from __future__ import annotations

import json

from dagster import AssetKey, DagsterEventType, DagsterInstance, EventRecordsFilter

from cohort_packager_tests.support.acceptance import create_written_files, load_case, publish
from cohort_packager_tests.support.service import ServiceDriver


def _run_case(environment, name):
    case = load_case(name)
    create_written_files(case, environment.extract_root)
    environment.declare_queues()
    connection, channel = environment.channel()
    for message in case.messages:
        publish(channel, environment.queue_names[message.queue], message.headers, message.body)
    connection.close()
    instance = DagsterInstance.ephemeral()
    driver = ServiceDriver(instance)
    driver.ingest_tick()
    assert driver.completion_tick() == [case.meta["job_id"]]
    return case, instance, driver


def _materialization(instance, name):
    records = instance.get_event_records(EventRecordsFilter(
        event_type=DagsterEventType.ASSET_MATERIALIZATION,
        asset_key=AssetKey(["extraction_reports", name])))
    return records[0].event_log_entry.asset_materialization


def test_each_report_materialisation_carries_rows_path_and_job_id(environment):
    case, instance, _ = _run_case(environment, "04_verification_failures")

    failures = _materialization(instance, "verification_failures")
    errors = _materialization(instance, "processing_errors")
    readme = _materialization(instance, "readme")

    assert failures.metadata["rows"].value == 6
    assert errors.metadata["rows"].value == 1
    assert failures.partition == case.meta["job_id"]
    folder = environment.extract_root / case.meta["report_dir"]
    assert failures.metadata["path"].value == str(folder / "verification_failures.csv")
    assert "Job extraction id:" in readme.metadata["preview"].value


def test_identifiable_extraction_has_no_verification_failures_materialisation(environment):
    case, instance, _ = _run_case(environment, "05_identifiable_extraction")

    assert _materialization(instance, "readme") is not None
    records = instance.get_event_records(EventRecordsFilter(
        event_type=DagsterEventType.ASSET_MATERIALIZATION,
        asset_key=AssetKey(["extraction_reports", "verification_failures"])))
    assert records == []
    folder = environment.extract_root / case.meta["report_dir"]
    assert not (folder / "verification_failures.csv").exists()


def test_rerun_reuses_the_stored_completion_time_and_gives_identical_bytes(environment):
    case, instance, driver = _run_case(environment, "02_rejections")
    folder = environment.extract_root / case.meta["report_dir"]
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    driver.run_reports(case.meta["job_id"])

    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_job_whose_keys_were_all_rejected_gets_its_reports(environment):
    case = load_case("02_rejections")
    request = next(m for m in case.messages if m.queue == "ExtractRequestInfoOptions")
    body = json.loads(request.body)
    body["KeyValueCount"] = 2
    fileless = [m for m in case.messages if m.queue == "FileCollectionInfoOptions"
                and not json.loads(m.body)["ExtractFileMessagesDispatched"]["SerializeableKeys"]]
    environment.declare_queues()
    connection, channel = environment.channel()
    publish(channel, environment.queue_names[request.queue], request.headers,
            json.dumps(body).encode())
    for message in fileless:
        publish(channel, environment.queue_names[message.queue], message.headers, message.body)
    connection.close()
    driver = ServiceDriver(DagsterInstance.ephemeral())

    driver.ingest_tick()

    assert driver.completion_tick() == [case.meta["job_id"]]
    folder = environment.extract_root / case.meta["report_dir"]
    assert (folder / "rejected_files.csv").read_bytes() == (
        b"ExtractionKey,Count,Reason\n"
        b"1.2.3.4.5.200.2,3,Modality was not CT\n"
        b"1.2.3.4.5.200.2,1,Blacklisted\n"
        b'1.2.3.4.5.200.2,1,"Burned-in annotation, flagged"\n')
    assert (folder / "processing_errors.csv").read_bytes() == b"DicomFilePath,Reason\n"
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md", "processing_errors.csv", "rejected_files.csv", "verification_failures.csv"]
