"""Each acceptance case's reports, built from documents made by hand from its messages."""

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cohort_packager.reports import build_reports
from cohort_packager_tests.test_reports import chunked, collection_frame

ACCEPTANCE = Path("/work/shared/acceptance")
CASES = sorted(path.name for path in (ACCEPTANCE / "cases").iterdir() if path.is_dir())

EXTRACTED_STATUS = {0: "None", 1: "Anonymised", 2: "ErrorWontRetry", 3: "FileMissing", 4: "Copied"}
VERIFIED_STATUS = {
    0: "None",
    1: "NotVerified",
    2: "NotIdentifiable",
    3: "IsIdentifiable",
    4: "ErrorWontRetry",
}


def stored_documents(case: str) -> tuple[dict, list[dict], list[dict]]:
    """The job, file-collection and outcome documents a store would hold for the case."""
    job, collections, outcomes = None, [], []
    lines = (ACCEPTANCE / "cases" / case / "messages.jsonl").read_text().splitlines()
    for message in map(json.loads, lines):
        if message.get("expect") == "nack":
            continue
        body, queue = message["body"], message["queue"]
        if queue == "ExtractRequestInfoOptions":
            job = job_from(body)
        elif queue == "FileCollectionInfoOptions":
            rejections = body.get("RejectionReasons") or {}
            info = [{"reason": reason, "count": count} for reason, count in rejections.items()]
            collections.append({"key": body["KeyValue"], "rejectedKeys": {"rejectionInfo": info}})
        elif queue == "NoVerifyStatusOptions":
            outcomes.append({
                "dicomFilePath": body["DicomFilePath"],
                "outputFileName": body["OutputFilePath"],
                "extractedFileStatus": EXTRACTED_STATUS[body["Status"]],
                "verifiedFileStatus": "NotVerified",
                "statusMessage": body["StatusMessage"],
            })
        else:
            outcomes.append({
                "dicomFilePath": body["DicomFilePath"],
                "outputFileName": body["OutputFilePath"],
                "extractedFileStatus": "Anonymised",
                "verifiedFileStatus": VERIFIED_STATUS[body["Status"]],
                "statusMessage": body["Report"],
            })
    return job, collections, outcomes


def job_from(body: dict) -> dict:
    submitted = datetime.fromisoformat(body["JobSubmittedAt"]).replace(tzinfo=None)
    submitted = submitted.replace(microsecond=submitted.microsecond // 1000 * 1000)
    return {
        "_id": body["ExtractionJobIdentifier"],
        "projectNumber": body["ProjectNumber"],
        "extractionDirectory": body["ExtractionDirectory"],
        "jobSubmittedAt": submitted,
        "keyTag": body["KeyTag"],
        "keyCount": body["KeyValueCount"],
        "userName": body["UserName"],
        "extractionModality": body["Modality"],
        "isIdentifiableExtraction": body["IsIdentifiableExtraction"],
        "IsNoFilterExtraction": body["IsNoFilterExtraction"],
        "completedAt": submitted + timedelta(minutes=42, milliseconds=877),
    }


@pytest.mark.parametrize("chunk_size", [1, 1000])
@pytest.mark.parametrize("case", CASES)
def test_reports_match_the_acceptance_case(tmp_path, case, chunk_size):
    case_dir = ACCEPTANCE / "cases" / case
    newline = json.loads((case_dir / "case.json").read_text())["report_newline"]
    job, collections, outcomes = stored_documents(case)
    collection_chunks = chunked(collections, chunk_size, collection_frame)
    outcome_chunks = chunked(outcomes, chunk_size)

    build_reports(
        job, lambda: iter(collection_chunks), lambda: iter(outcome_chunks), tmp_path, newline
    )

    compare = subprocess.run(
        [sys.executable, str(ACCEPTANCE / "compare.py"), str(case_dir), str(tmp_path),
         "--extract-root"],
        capture_output=True,
        text=True,
    )
    assert compare.returncode == 0, compare.stdout + compare.stderr
