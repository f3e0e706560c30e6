"""Tests of the message layer, and builders of valid bodies to vary one field at a time."""
import json

import pytest

from cohort_packager.messages import InvalidMessage, parse_body

JOB_ID = "6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c11"
FILE_MESSAGE_GUIDS = (
    "0a6c5b7e-1f2d-4c3b-9a8e-7d6c5b4a3f21",
    "1b7d6c8f-2e3a-4d5c-8b9f-6e7d8c9b0a32",
)
PARENT_GUID = "5b1e2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c43"
REMOVE = object()

QUEUE_OF = {
    "request": "ExtractRequestInfoOptions",
    "collection": "FileCollectionInfoOptions",
    "status": "NoVerifyStatusOptions",
    "verification": "VerificationStatusOptions",
}


def _with_changes(body: dict, changes: dict) -> dict:
    for name, value in changes.items():
        if value is REMOVE:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def common_fields() -> dict:
    return {
        "ExtractionJobIdentifier": JOB_ID,
        "ProjectNumber": "PRJ042",
        "ExtractionDirectory": "PRJ042/extractions/ct-head-2024",
        "Modality": "CT",
        "JobSubmittedAt": "2024-03-01T09:30:00.1234567Z",
        "IsIdentifiableExtraction": False,
        "IsNoFilterExtraction": False,
        "IsPooledExtraction": False,
    }


def dispatch_header(guid: str) -> dict:
    return {
        "MessageGuid": guid,
        "ProducerProcessID": 3202,
        "ProducerExecutableName": "CohortExtractor",
        "OriginalPublishTimestamp": 1709285400,
        "Parents": [PARENT_GUID],
    }


def body_of(kind: str, **changes) -> dict:
    """A valid body of `kind` ("request", "collection", "status", "verification"), changed."""
    own = {
        "request": {"KeyTag": "SeriesInstanceUID", "KeyValueCount": 2, "UserName": "jdoe"},
        "collection": {
            "KeyValue": "1.2.3.4.5.100.1",
            "ExtractFileMessagesDispatched": {
                "SerializeableKeys": [dispatch_header(guid) for guid in FILE_MESSAGE_GUIDS],
                "SerializeableValues": ["S1/img-0001-an.dcm", "S1/img-0002-an.dcm"],
            },
            "RejectionReasons": {"ImageType is not ORIGINAL": 2},
        },
        "status": {
            "DicomFilePath": "2019/01/b.dcm",
            "Status": 2,
            "OutputFilePath": None,
            "StatusMessage": "Anonymiser exited with code 1",
        },
        "verification": {
            "Status": 3,
            "Report": json.dumps([{
                "Parts": [{"Classification": 3, "Offset": 0, "Word": "Smith"}],
                "Resource": "/x.dcm",
                "ResourcePrimaryKey": "1.2.3",
                "ProblemField": "PatientName",
                "ProblemValue": "Smith^John",
            }]),
            "DicomFilePath": "2021/f1.dcm",
            "OutputFilePath": "S1/f1-an.dcm",
        },
    }[kind]
    return _with_changes({**own, **common_fields()}, changes)


def encode(body: object) -> bytes:
    """A body as SMI producers publish it: compact UTF-8 JSON (lone surrogates kept as bytes)."""
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8", "surrogatepass")


def parse(kind: str, body: dict):
    return parse_body(QUEUE_OF[kind], encode(body))


def rejection_reason(kind: str, body: dict) -> str:
    with pytest.raises(InvalidMessage) as raised:
        parse(kind, body)
    return raised.value.reason
