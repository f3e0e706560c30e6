"""Builders of valid SMI messages (AMQP header table and JSON body) for the four input queues.

Every builder returns a valid message; keyword changes replace fields, and `REMOVE` drops one,
so a test states only what it varies. Values are synthetic.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

REMOVE = object()

REQUEST_INFO = "ExtractRequestInfoOptions"
FILE_COLLECTION = "FileCollectionInfoOptions"
FILE_STATUS = "NoVerifyStatusOptions"
FILE_VERIFICATION = "VerificationStatusOptions"

PUBLISH_TIMESTAMP = 1709285400
SUBMITTED_AT = "2024-03-01T09:30:00.1234567Z"
EXTRACTION_DIRECTORY = "PRJ042/extractions/ct-head-2024"
IDENTIFIABLE_REPORT = json.dumps([{
    "Parts": [{"Classification": 3, "Offset": 0, "Word": "Smith"}],
    "Resource": "S1/img-0001-an.dcm",
    "ResourcePrimaryKey": "1.2.3.4.5.6",
    "ProblemField": "PatientName",
    "ProblemValue": "Smith^John",
}])


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to publish: the queue key it goes to, its header table and its body."""

    queue: str
    headers: dict | None
    body: bytes
    content_encoding: str | None = "UTF-8"

    @property
    def message_guid(self) -> str:
        return self.headers["MessageGuid"]


def new_guid() -> str:
    return str(uuid.uuid4())


def header_table(**changes) -> dict:
    """A valid SMI header table with a fresh MessageGuid, as a .NET producer sends it."""
    table = {
        "MessageGuid": new_guid(),
        "ProducerProcessID": 3101,
        "ProducerExecutableName": "ExtractImages",
        "OriginalPublishTimestamp": PUBLISH_TIMESTAMP,
        "Parents": "",
    }
    return _changed(table, changes)


def encode(body: object) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def common_fields(job_id: str) -> dict:
    return {
        "ExtractionJobIdentifier": job_id,
        "ProjectNumber": "PRJ042",
        "ExtractionDirectory": EXTRACTION_DIRECTORY,
        "Modality": "CT",
        "JobSubmittedAt": SUBMITTED_AT,
        "IsIdentifiableExtraction": False,
        "IsNoFilterExtraction": False,
        "IsPooledExtraction": False,
    }


def request_info_body(job_id: str, **changes) -> dict:
    body = {**common_fields(job_id), "KeyTag": "SeriesInstanceUID", "KeyValueCount": 2,
            "UserName": "jdoe"}
    return _changed(body, changes)


def dispatched_header(message_guid: str) -> dict:
    """The header object of one dispatched extract-file message, as nested in the body."""
    return {
        "MessageGuid": message_guid,
        "ProducerProcessID": 3202,
        "ProducerExecutableName": "CohortExtractor",
        "OriginalPublishTimestamp": PUBLISH_TIMESTAMP,
        "Parents": [],
    }


def file_collection_body(job_id: str, key_value: str = "1.2.3.4.5.100.1",
                         files: dict[str, str] | None = None,
                         rejections: dict[str, int] | None = None, **changes) -> dict:
    """Collection info for one key; `files` maps extract-file message GUIDs to output paths."""
    files = {new_guid(): "S1/img-0001-an.dcm"} if files is None else files
    body = {
        **common_fields(job_id),
        "KeyValue": key_value,
        "ExtractFileMessagesDispatched": {
            "SerializeableKeys": [dispatched_header(guid) for guid in files],
            "SerializeableValues": list(files.values()),
        },
        "RejectionReasons": {} if rejections is None else rejections,
    }
    return _changed(body, changes)


def file_status_body(job_id: str, **changes) -> dict:
    """A no-verify status: by default an anonymisation failure (ErrorWontRetry, 2)."""
    body = {
        **common_fields(job_id),
        "DicomFilePath": "2019/01/b.dcm",
        "Status": 2,
        "OutputFilePath": None,
        "StatusMessage": "Anonymiser exited with code 1",
    }
    return _changed(body, changes)


def file_verification_body(job_id: str, **changes) -> dict:
    """A verification result: by default IsIdentifiable (3) with a one-failure report."""
    body = {
        **common_fields(job_id),
        "Status": 3,
        "Report": IDENTIFIABLE_REPORT,
        "DicomFilePath": "2021/f1.dcm",
        "OutputFilePath": "S1/img-0001-an.dcm",
    }
    return _changed(body, changes)


def request_info(job_id: str, headers: dict | None = None, **changes) -> OutgoingMessage:
    return OutgoingMessage(REQUEST_INFO, headers or header_table(),
                           encode(request_info_body(job_id, **changes)))


def file_collection(job_id: str, headers: dict | None = None, **changes) -> OutgoingMessage:
    return OutgoingMessage(FILE_COLLECTION, headers or header_table(),
                           encode(file_collection_body(job_id, **changes)))


def file_status(job_id: str, headers: dict | None = None, **changes) -> OutgoingMessage:
    return OutgoingMessage(FILE_STATUS, headers or header_table(),
                           encode(file_status_body(job_id, **changes)))


def file_verification(job_id: str, headers: dict | None = None, **changes) -> OutgoingMessage:
    return OutgoingMessage(FILE_VERIFICATION, headers or header_table(),
                           encode(file_verification_body(job_id, **changes)))


def one_of_each(job_id: str) -> list[OutgoingMessage]:
    """A request info, a collection info, a status and a verification result for one job."""
    return [request_info(job_id), file_collection(job_id), file_status(job_id),
            file_verification(job_id)]


def _changed(fields: dict, changes: dict) -> dict:
    for name, value in changes.items():
        if value is REMOVE:
            fields.pop(name, None)
        else:
            fields[name] = value
    return fields
