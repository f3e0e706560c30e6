"""Stored documents, shaped as the MongoDB store returns them, for the report tests."""

from datetime import datetime

import pandas as pd

JOB_ID = "6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c11"


def job_document(**overrides: object) -> dict:
    """A completed, anonymised job; keyword arguments replace fields."""
    job = {
        "_id": JOB_ID,
        "projectNumber": "PRJ042",
        "extractionDirectory": "PRJ042/extractions/ct-head-2024",
        "jobSubmittedAt": datetime(2024, 3, 1, 9, 30, 0, 123000),
        "keyTag": "SeriesInstanceUID",
        "keyCount": 2,
        "userName": "jdoe",
        "extractionModality": "CT",
        "isIdentifiableExtraction": False,
        "IsNoFilterExtraction": False,
        "completedAt": datetime(2024, 3, 1, 10, 30, 0, 123000),
    }
    job.update(overrides)
    return job


def outcome(
    dicom_file_path: str,
    extracted: str = "Anonymised",
    verified: str = "NotVerified",
    message: str | None = None,
    output: str | None = None,
) -> dict:
    """One outcome document (a status or a verification result)."""
    return {
        "dicomFilePath": dicom_file_path,
        "outputFileName": output,
        "extractedFileStatus": extracted,
        "verifiedFileStatus": verified,
        "statusMessage": message,
    }


def collection(key: str, rejections: dict[str, int] | None = None) -> dict:
    """One file-collection document with its rejections in the given order."""
    info = [{"reason": reason, "count": count} for reason, count in (rejections or {}).items()]
    return {"key": key, "rejectedKeys": {"rejectionInfo": info}}


def collection_frame(documents: list[dict]) -> pd.DataFrame:
    """File-collection documents as the chunk the store hands over: key and rejectionInfo."""
    rows = [
        {"key": doc["key"], "rejectionInfo": doc["rejectedKeys"]["rejectionInfo"]}
        for doc in documents
    ]
    return pd.DataFrame(rows, columns=["key", "rejectionInfo"])


def outcome_frame(documents: list[dict]) -> pd.DataFrame:
    """Outcome documents as one chunk."""
    columns = [
        "dicomFilePath",
        "outputFileName",
        "extractedFileStatus",
        "verifiedFileStatus",
        "statusMessage",
    ]
    return pd.DataFrame(documents, columns=columns)


def chunked(documents: list[dict], size: int, to_frame=outcome_frame) -> list[pd.DataFrame]:
    """The documents split into chunks of `size`, as a streaming store would give them."""
    return [to_frame(documents[i : i + size]) for i in range(0, len(documents), size)]
