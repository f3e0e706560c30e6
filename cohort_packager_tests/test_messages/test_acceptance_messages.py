"""Every message of the acceptance cases is accepted, as it would be published."""
import json
import os
from pathlib import Path

import pytest

from cohort_packager.messages import (
    ExtractionRequestInfo,
    FileCollectionInfo,
    FileStatus,
    FileVerification,
    parse_body,
    parse_failure_report,
    parse_header,
)

from . import encode

CASES = Path(os.environ.get("COHORT_PACKAGER_ACCEPTANCE", "/work/shared/acceptance")) / "cases"
MESSAGE_TYPE = {
    "ExtractRequestInfoOptions": ExtractionRequestInfo,
    "FileCollectionInfoOptions": FileCollectionInfo,
    "NoVerifyStatusOptions": FileStatus,
    "VerificationStatusOptions": FileVerification,
}


def acceptance_lines() -> list:
    lines = []
    for path in sorted(CASES.glob("*/messages.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                lines.append(pytest.param(json.loads(line), id=f"{path.parent.name}:{number}"))
    return lines


LINES = acceptance_lines()

ACCEPTED_LINES = [line for line in LINES if line.values[0].get("expect", "ack") == "ack"]


def test_the_acceptance_cases_are_there():
    assert len(ACCEPTED_LINES) > 20, f"no acceptance messages found under {CASES}"


@pytest.mark.parametrize("line", ACCEPTED_LINES)
def test_every_acceptance_message_is_accepted(line):
    header = parse_header(line["headers"])
    message = parse_body(line["queue"], encode(line["body"]), "UTF-8")

    assert header.message_guid == line["headers"]["MessageGuid"].lower()
    assert isinstance(message, MESSAGE_TYPE[line["queue"]])
    body = line["body"]
    assert message.job_id == body["ExtractionJobIdentifier"].lower()
    if isinstance(message, (FileStatus, FileVerification)):
        assert message.dicom_file_path == body["DicomFilePath"]
    if isinstance(message, FileVerification):
        assert message.report == body["Report"]
        if message.status == "IsIdentifiable":
            assert len(parse_failure_report(message.report)) >= 1
    if isinstance(message, FileCollectionInfo):
        dispatched = body["ExtractFileMessagesDispatched"]
        assert [file.output_path for file in message.dispatched] == (
            dispatched["SerializeableValues"]
        )
        assert [(r.reason, r.count) for r in message.rejections] == list(
            body.get("RejectionReasons", {}).items()
        )
