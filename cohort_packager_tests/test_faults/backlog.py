"""A backlog of a few thousand valid messages for one job, and the reports it must produce.

The job is acceptance case 04's. Each outcome is a copy of one of its verification results, or
of case 03's anonymisation failure, with a fresh MessageGuid, DicomFilePath and OutputFilePath;
one file collection dispatches every file. The expected reports are derived from the two cases'
expected files, not from the code under test: a copy's rows are its template's rows with the
paths replaced, in publish order, anonymisation failures before verifier errors in
processing_errors.csv (DECISIONS 5). The backlog is returned as an acceptance case whose folder
holds `case.json` and `expected/`, so compare.py can check produced reports against it.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path

from cohort_packager_tests.support.acceptance import AcceptanceCase, CaseMessage, load_case

VERIFICATION_CASE = "04_verification_failures"
STATUS_CASE = "03_anonymisation_failures"
STATUS_TEMPLATE_SOURCE = "2019/01/b.dcm"
STATUS_EVERY = 5

REQUEST_INFO = "ExtractRequestInfoOptions"
FILE_COLLECTION = "FileCollectionInfoOptions"
FILE_STATUS = "NoVerifyStatusOptions"
FILE_VERIFICATION = "VerificationStatusOptions"

JOB_FIELDS = ("ExtractionJobIdentifier", "ProjectNumber", "ExtractionDirectory", "Modality",
              "JobSubmittedAt", "IsIdentifiableExtraction", "IsNoFilterExtraction",
              "IsPooledExtraction")
_GUIDS = uuid.UUID("6f1d3c2e-9a4b-4f7e-8c1d-2b3a4c5d6e7f")


def build_backlog(folder: Path, outcome_count: int) -> AcceptanceCase:
    """Write the backlog's case folder under `folder` and return the case (publish order)."""
    case = load_case(VERIFICATION_CASE)
    request = _only(case, REQUEST_INFO)
    job_fields = {name: _body(request)[name] for name in JOB_FIELDS}
    templates = [m for m in case.messages if m.queue == FILE_VERIFICATION]
    status_template = _status_template(job_fields)
    rows = _ExpectedRows(case.folder / "expected", load_case(STATUS_CASE).folder / "expected")

    outcomes: list[CaseMessage] = []
    dispatched: dict[str, str] = {}
    for number in range(outcome_count):
        if number % STATUS_EVERY == STATUS_EVERY - 1:
            message = _status_copy(status_template, number, rows)
            dispatched[_guid("dispatched", number)] = f"S2/s{number:05d}-an.dcm"
        else:
            template = templates[number % len(templates)]
            message = _verification_copy(template, number, rows)
            dispatched[_guid("dispatched", number)] = _body(message)["OutputFilePath"]
        outcomes.append(message)

    messages = [request, _collection(_only(case, FILE_COLLECTION), dispatched), *outcomes]
    meta = {**case.meta, "title": f"{outcome_count} outcomes templated on {case.name}"}
    backlog_folder = folder / "backlog_case"
    _write_case(backlog_folder, meta, case.folder / "expected", rows)
    return AcceptanceCase("backlog", backlog_folder, meta, messages)


class _ExpectedRows:
    """The cases' expected CSV lines, and the lines of each copy in the order they are made."""

    def __init__(self, verification_expected: Path, status_expected: Path):
        self.failures_case = _lines(verification_expected / "verification_failures.csv")
        self.errors_case = _lines(verification_expected / "processing_errors.csv")
        self.status_case = _lines(status_expected / "processing_errors.csv")
        self.failures = [self.failures_case[0]]
        self.anonymisation_failures = [self.errors_case[0]]
        self.verifier_errors: list[str] = []

    def add_verification(self, template: dict, copy: dict) -> None:
        self.failures += _renamed(self.failures_case[1:], template["OutputFilePath"],
                                  copy["OutputFilePath"])
        self.verifier_errors += _renamed(self.errors_case[1:], template["DicomFilePath"],
                                         copy["DicomFilePath"])

    def add_status(self, copy: dict) -> None:
        self.anonymisation_failures += _renamed(self.status_case[1:], STATUS_TEMPLATE_SOURCE,
                                                copy["DicomFilePath"])

    def files(self) -> dict[str, str]:
        return {"verification_failures.csv": "".join(self.failures),
                "processing_errors.csv": "".join(self.anonymisation_failures
                                                 + self.verifier_errors)}


def _verification_copy(template: CaseMessage, number: int, rows: _ExpectedRows) -> CaseMessage:
    body = _body(template)
    copy = {**body, "DicomFilePath": f"2021/v{number:05d}.dcm",
            "OutputFilePath": f"S1/v{number:05d}-an.dcm"}
    rows.add_verification(body, copy)
    return _message(template, copy, number)


def _status_copy(template: CaseMessage, number: int, rows: _ExpectedRows) -> CaseMessage:
    copy = {**_body(template), "DicomFilePath": f"2019/pad/s{number:05d}.dcm"}
    rows.add_status(copy)
    return _message(template, copy, number)


def _status_template(job_fields: dict) -> CaseMessage:
    case = load_case(STATUS_CASE)
    source = next(m for m in case.messages if m.queue == FILE_STATUS
                  and _body(m)["DicomFilePath"] == STATUS_TEMPLATE_SOURCE)
    return _message(source, {**_body(source), **job_fields}, None)


def _collection(template: CaseMessage, dispatched: dict[str, str]) -> CaseMessage:
    body = _body(template)
    header = body["ExtractFileMessagesDispatched"]["SerializeableKeys"][0]
    body["ExtractFileMessagesDispatched"] = {
        "SerializeableKeys": [{**header, "MessageGuid": guid} for guid in dispatched],
        "SerializeableValues": list(dispatched.values()),
    }
    return CaseMessage(template.queue, template.headers, _encode(body), "ack")


def _message(template: CaseMessage, body: dict, number: int | None) -> CaseMessage:
    headers = dict(template.headers)
    if number is not None:
        headers["MessageGuid"] = _guid("outcome", number)
    return CaseMessage(template.queue, headers, _encode(body), "ack")


def _write_case(folder: Path, meta: dict, case_expected: Path, rows: _ExpectedRows) -> None:
    expected = folder / "expected"
    expected.mkdir(parents=True)
    (folder / "case.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    for name in ("README.md", "rejected_files.csv"):
        shutil.copy(case_expected / name, expected / name)
    for name, text in rows.files().items():
        (expected / name).write_bytes(text.encode("utf-8"))


def _renamed(lines: list[str], old: str, new: str) -> list[str]:
    return [new + line[len(old):] for line in lines if line.startswith(old + ",")]


def _lines(path: Path) -> list[str]:
    """The file's lines, each with its line feed (a CSV record may span several)."""
    return re.split(r"(?<=\n)(?=.)", path.read_text(encoding="utf-8"), flags=re.DOTALL)


def _only(case: AcceptanceCase, queue: str) -> CaseMessage:
    (message,) = [m for m in case.messages if m.queue == queue]
    return message


def _body(message: CaseMessage) -> dict:
    return json.loads(message.body)


def _encode(body: dict) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _guid(kind: str, number: int) -> str:
    return str(uuid.uuid5(_GUIDS, f"{kind}-{number}"))
