"""Invalid messages are kept with their reason, then rejected without requeue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from cohort_packager_tests.support.messages import (
    FILE_COLLECTION,
    FILE_STATUS,
    FILE_VERIFICATION,
    REMOVE,
    REQUEST_INFO,
    OutgoingMessage,
    encode,
    file_collection,
    file_status,
    file_verification,
    header_table,
    new_guid,
    request_info,
)
from cohort_packager_tests.support.store_contents import document_counts

from . import all_empty, ingest, publish_all, queue_depths

JOB_ID = "6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c11"
ZERO_GUID = "00000000-0000-0000-0000-000000000000"
# Values a reason must never repeat: a source path and an identifiable value from the report.
IDENTIFIABLE = ("2019/01/b.dcm", "2021/f1.dcm", "Smith")


@dataclass(frozen=True)
class BadInput:
    """An invalid message and the field its rejection reason must name."""

    message: OutgoingMessage
    field: str


def _raw(queue: str, body: bytes, **changes) -> OutgoingMessage:
    return OutgoingMessage(queue, header_table(), body, **changes)


BAD_INPUTS = {
    "no header table": BadInput(
        OutgoingMessage(FILE_STATUS, None, file_status(JOB_ID).body), "header"),
    "header without MessageGuid": BadInput(
        file_status(JOB_ID, headers=header_table(MessageGuid=REMOVE)), "MessageGuid"),
    "MessageGuid not a GUID": BadInput(
        file_status(JOB_ID, headers=header_table(MessageGuid="message-1")), "MessageGuid"),
    "ProducerProcessID as a string": BadInput(
        request_info(JOB_ID, headers=header_table(ProducerProcessID="3101")),
        "ProducerProcessID"),
    "ProducerProcessID 0": BadInput(
        file_verification(JOB_ID, headers=header_table(ProducerProcessID=0)),
        "ProducerProcessID"),
    "Parents not GUIDs": BadInput(
        file_collection(JOB_ID, headers=header_table(Parents="first->second")), "Parents"),
    "job identifier not a GUID": BadInput(
        file_status(JOB_ID, ExtractionJobIdentifier="job-42"), "ExtractionJobIdentifier"),
    "job identifier all zeros": BadInput(
        request_info(ZERO_GUID), "ExtractionJobIdentifier"),
    "unknown property": BadInput(
        file_status(JOB_ID, AnonymisedFileName="S1/a.dcm"), "AnonymisedFileName"),
    "blank ProjectNumber": BadInput(request_info(JOB_ID, ProjectNumber="  "), "ProjectNumber"),
    "KeyValueCount 0": BadInput(request_info(JOB_ID, KeyValueCount=0), "KeyValueCount"),
    "KeyTag missing": BadInput(request_info(JOB_ID, KeyTag=REMOVE), "KeyTag"),
    "zero JobSubmittedAt": BadInput(
        request_info(JOB_ID, JobSubmittedAt="0001-01-01T00:00:00"), "JobSubmittedAt"),
    "ExtractionDirectory with ..": BadInput(
        request_info(JOB_ID, ExtractionDirectory="PRJ042/../../etc/x"), "ExtractionDirectory"),
    "absolute ExtractionDirectory": BadInput(
        request_info(JOB_ID, ExtractionDirectory="/PRJ042/extractions/x"),
        "ExtractionDirectory"),
    "RejectionReasons null": BadInput(
        file_collection(JOB_ID, RejectionReasons=None), "RejectionReasons"),
    "dispatched file with a zero GUID": BadInput(
        file_collection(JOB_ID, files={ZERO_GUID: "S1/a.dcm"}), "MessageGuid"),
    "status None on the no-verify queue": BadInput(
        file_status(JOB_ID, Status=0), "Status"),
    "status Anonymised on the no-verify queue": BadInput(
        file_status(JOB_ID, Status=1, OutputFilePath="S1/a.dcm"), "Status"),
    "failure without StatusMessage": BadInput(
        file_status(JOB_ID, StatusMessage=None), "StatusMessage"),
    "IsIdentifiable with an empty Report": BadInput(
        file_verification(JOB_ID, Report="[]"), "Report"),
    "IsIdentifiable with a Report not JSON": BadInput(
        file_verification(JOB_ID, Report="Smith found in PatientName"), "Report"),
    "Report failure without Parts": BadInput(
        file_verification(JOB_ID, Report='[{"ProblemField": "PatientName"}]'), "Parts"),
    "blank OutputFilePath": BadInput(
        file_verification(JOB_ID, Status=2, Report="[]", OutputFilePath=" "),
        "OutputFilePath"),
    "body a JSON list": BadInput(_raw(FILE_STATUS, encode([1, 2])), "message body"),
    "body not UTF-8 text": BadInput(
        _raw(FILE_COLLECTION, "{\u00ff\u00fe}".encode("utf-16")), "message body"),
    "empty body": BadInput(_raw(REQUEST_INFO, b""), "message body"),
    "unknown content encoding": BadInput(
        _raw(FILE_VERIFICATION, file_verification(JOB_ID).body, content_encoding="x-nope"),
        "encoding"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_an_invalid_message_is_kept_with_its_reason_and_rejected(environment, case):
    bad = BAD_INPUTS[case]
    environment.declare_queues()
    publish_all(environment, [bad.message])

    report = ingest(environment)

    assert report.rejected == {bad.message.queue: 1}
    assert report.stored == {} and report.duplicates == {}
    rejections = list(environment.store.rejected.find({}))
    assert len(rejections) == 1
    rejection = rejections[0]
    assert bad.field in rejection["reason"]
    assert not any(value in rejection["reason"] for value in IDENTIFIABLE)
    assert rejection["queue"] == bad.message.queue
    assert rejection["queueName"] == environment.queue_names[bad.message.queue]
    assert bytes(rejection["body"]) == bad.message.body
    assert dict(rejection["headers"] or []) == (bad.message.headers or {})
    assert isinstance(rejection["rejectedAt"], datetime)
    assert document_counts(environment.store) == {
        "jobs": 0, "fileCollections": 0, "fileOutcomes": 0, "rejectedMessages": 1}
    assert queue_depths(environment) == all_empty()


def test_invalid_messages_do_not_hold_back_valid_ones_in_the_same_tick(environment):
    job_id = new_guid()
    valid = [request_info(job_id), file_status(job_id)]
    invalid = [file_status(job_id, Status=0), request_info(job_id, headers=header_table(
        ProducerProcessID=-5))]
    environment.declare_queues()
    publish_all(environment, [invalid[0], valid[0], invalid[1], valid[1]])

    report = ingest(environment)

    assert sum(report.stored.values()) == 2
    assert sum(report.rejected.values()) == 2
    assert document_counts(environment.store) == {
        "jobs": 1, "fileCollections": 0, "fileOutcomes": 1, "rejectedMessages": 2}
    assert queue_depths(environment) == all_empty()


def test_a_verifier_error_with_a_plain_text_report_is_accepted(environment):
    job_id = new_guid()
    text = "Could not open the file: unexpected end of stream"
    message = file_verification(job_id, Status="ErrorWontRetry", Report=text)
    environment.declare_queues()
    publish_all(environment, [message])

    report = ingest(environment)

    assert report.stored == {FILE_VERIFICATION: 1}
    assert report.rejected == {}
    outcome = environment.store.outcomes.find_one({"_id": message.message_guid})
    assert outcome["extractedFileStatus"] == "Anonymised"
    assert outcome["verifiedFileStatus"] == "ErrorWontRetry"
    assert outcome["statusMessage"] == text
    assert queue_depths(environment) == all_empty()
