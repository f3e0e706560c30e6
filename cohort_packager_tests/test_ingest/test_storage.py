"""Valid messages are stored once, with the SMI CohortPackager's field names, in arrival order."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from cohort_packager_tests.support.messages import (
    EXTRACTION_DIRECTORY,
    FILE_STATUS,
    IDENTIFIABLE_REPORT,
    file_collection,
    file_status,
    file_verification,
    header_table,
    new_guid,
    request_info,
)
from cohort_packager_tests.support.store_contents import document_counts

from . import all_empty, ingest, per_queue, publish_all, queue_depths

PUBLISHED_AT = datetime(2024, 3, 1, 9, 30, 0)


def test_a_request_info_is_stored_as_a_job_document_and_acknowledged(environment):
    job_id, parent = new_guid(), new_guid()
    headers = header_table(Parents=f"{parent}->{parent.upper()}")
    environment.declare_queues()
    publish_all(environment, [request_info(job_id, headers=headers, IsNoFilterExtraction=True)])

    report = ingest(environment)

    job = environment.store.jobs.find_one({"_id": job_id})
    assert job is not None
    assert _without_time(job["header"]) == {
        "extractionJobIdentifier": job_id,
        "messageGuid": headers["MessageGuid"],
        "producerExecutableName": "ExtractImages",
        "producerProcessID": 3101,
        "originalPublishTimestamp": PUBLISHED_AT,
        "parents": f"{parent}->{parent}",
    }
    assert isinstance(job["header"]["receivedAt"], datetime)
    assert {name: job[name] for name in job if name not in ("header", "arrival")} == {
        "_id": job_id,
        "projectNumber": "PRJ042",
        "jobStatus": "WaitingForCollectionInfo",
        "extractionDirectory": EXTRACTION_DIRECTORY,
        "jobSubmittedAt": datetime(2024, 3, 1, 9, 30, 0, 123000),
        "keyTag": "SeriesInstanceUID",
        "keyCount": 2,
        "userName": "jdoe",
        "extractionModality": "CT",
        "isIdentifiableExtraction": False,
        "IsNoFilterExtraction": True,
        "failedJobInfo": None,
    }
    assert report.stored == {"ExtractRequestInfoOptions": 1}
    assert queue_depths(environment) == all_empty()


def test_a_file_collection_info_is_stored_with_its_expected_files_and_rejections(environment):
    job_id, first, second = new_guid(), new_guid(), new_guid()
    message = file_collection(
        job_id, key_value="1.2.3.4.5.100.7",
        files={first: "S7/img-0001-an.dcm", second: "S7/img-0002-an.dcm"},
        rejections={"ImageType is not ORIGINAL": 2, "Burned in annotation": 1},
    )
    environment.declare_queues()
    publish_all(environment, [message])

    report = ingest(environment)

    document = environment.store.collections.find_one({"jobId": job_id})
    assert document["key"] == "1.2.3.4.5.100.7"
    assert document["header"]["messageGuid"] == message.message_guid
    assert document["header"]["extractionJobIdentifier"] == job_id
    assert document["expectedFiles"] == [
        {"extractFileMessageGuid": first, "anonymisedFilePath": "S7/img-0001-an.dcm"},
        {"extractFileMessageGuid": second, "anonymisedFilePath": "S7/img-0002-an.dcm"},
    ]
    assert document["rejectedKeys"]["header"]["messageGuid"] == message.message_guid
    assert document["rejectedKeys"]["rejectionInfo"] == [
        {"reason": "ImageType is not ORIGINAL", "count": 2},
        {"reason": "Burned in annotation", "count": 1},
    ]
    assert report.stored == {"FileCollectionInfoOptions": 1}
    assert queue_depths(environment) == all_empty()


def test_a_file_status_is_stored_as_an_unverified_outcome(environment):
    job_id = new_guid()
    message = file_status(job_id, Status="FileMissing", DicomFilePath="2019/02/c.dcm",
                          StatusMessage="Could not find the file")
    environment.declare_queues()
    publish_all(environment, [message])

    report = ingest(environment)

    outcome = environment.store.outcomes.find_one({"jobId": job_id})
    assert outcome["_id"] == message.message_guid
    assert outcome["header"]["messageGuid"] == message.message_guid
    assert outcome["dicomFilePath"] == "2019/02/c.dcm"
    assert outcome["outputFileName"] is None
    assert outcome["extractedFileStatus"] == "FileMissing"
    assert outcome["verifiedFileStatus"] == "NotVerified"
    assert outcome["statusMessage"] == "Could not find the file"
    assert report.stored == {FILE_STATUS: 1}
    assert queue_depths(environment) == all_empty()


def test_a_copied_file_status_may_have_no_status_message(environment):
    job_id = new_guid()
    environment.declare_queues()
    publish_all(environment, [file_status(job_id, Status=4, OutputFilePath="S1/a.dcm",
                                          StatusMessage=None)])

    ingest(environment)

    outcome = environment.store.outcomes.find_one({"jobId": job_id})
    assert outcome["extractedFileStatus"] == "Copied"
    assert outcome["outputFileName"] == "S1/a.dcm"
    assert outcome["statusMessage"] is None


def test_a_verification_is_stored_as_an_anonymised_outcome_with_the_report_as_received(
        environment):
    job_id = new_guid()
    message = file_verification(job_id, OutputFilePath="S1/img-0009-an.dcm")
    environment.declare_queues()
    publish_all(environment, [message])

    report = ingest(environment)

    outcome = environment.store.outcomes.find_one({"jobId": job_id})
    assert outcome["_id"] == message.message_guid
    assert outcome["dicomFilePath"] == "2021/f1.dcm"
    assert outcome["outputFileName"] == "S1/img-0009-an.dcm"
    assert outcome["extractedFileStatus"] == "Anonymised"
    assert outcome["verifiedFileStatus"] == "IsIdentifiable"
    assert outcome["statusMessage"] == IDENTIFIABLE_REPORT
    assert report.stored == {"VerificationStatusOptions": 1}
    assert queue_depths(environment) == all_empty()


def test_invalid_utf8_inside_a_text_value_is_stored_as_replacement_characters(environment):
    job_id = new_guid()
    message = file_status(job_id, StatusMessage="Anonymiser failed on MARKER")
    message = dataclasses.replace(message, body=message.body.replace(b"MARKER", b"\xff\xfe"))
    environment.declare_queues()
    publish_all(environment, [message])

    report = ingest(environment)

    outcome = environment.store.outcomes.find_one({"jobId": job_id})
    assert outcome["statusMessage"] == "Anonymiser failed on \ufffd\ufffd"
    assert report.rejected == {}


def test_messages_for_a_job_not_announced_yet_are_stored(environment):
    job_id = new_guid()
    early = [file_collection(job_id), file_status(job_id), file_verification(job_id)]
    environment.declare_queues()
    publish_all(environment, early)

    first = ingest(environment)
    publish_all(environment, [request_info(job_id)])
    second = ingest(environment)

    assert first.stored == per_queue(early)
    assert second.stored == {"ExtractRequestInfoOptions": 1}
    assert document_counts(environment.store) == {
        "jobs": 1, "fileCollections": 1, "fileOutcomes": 2, "rejectedMessages": 0}
    assert queue_depths(environment) == all_empty()


def test_messages_of_one_queue_get_increasing_arrivals_in_publish_order(environment):
    job_id = new_guid()
    first_tick = [file_status(job_id, DicomFilePath=f"2019/01/{n}.dcm") for n in range(10)]
    second_tick = [file_status(job_id, DicomFilePath=f"2019/02/{n}.dcm") for n in range(5)]
    small_batches = dataclasses.replace(environment.settings.packager, ingest_batch_size=3)
    environment.declare_queues()

    publish_all(environment, first_tick)
    ingest(environment, packager=small_batches)
    publish_all(environment, second_tick)
    ingest(environment, packager=small_batches)

    stored = list(environment.store.outcomes.find({"jobId": job_id}).sort("arrival", 1))
    assert [d["_id"] for d in stored] == [m.message_guid for m in first_tick + second_tick]
    arrivals = [d["arrival"] for d in stored]
    assert len(set(arrivals)) == len(arrivals)


def _without_time(header: dict) -> dict:
    return {name: value for name, value in header.items() if name != "receivedAt"}
