"""Build the MongoDB documents for validated messages, with the SMI CohortPackager field names.

Every document carries `jobId` (indexed, so nothing scans the whole history) and `arrival`, the
position of the message in the order in which messages were first received, which fixes the row
order of the reports for ever.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from cohort_packager.messages import (
    ExtractionRequestInfo,
    FileCollectionInfo,
    FileStatus,
    FileVerification,
    MessageHeader,
)

JOB_CONTENT_FIELDS = (
    "projectNumber", "extractionDirectory", "jobSubmittedAt", "keyTag", "keyCount", "userName",
    "extractionModality", "isIdentifiableExtraction", "IsNoFilterExtraction",
)

PROCESSING_ERROR = "processingError"
VERIFICATION_FAILURE = "verificationFailure"


def header_document(header: MessageHeader, job_id: str, received_at: datetime) -> dict:
    return {
        "extractionJobIdentifier": job_id,
        "messageGuid": header.message_guid,
        "producerExecutableName": header.producer_executable_name,
        "producerProcessID": header.producer_process_id,
        "originalPublishTimestamp": _from_unix_seconds(header.original_publish_timestamp),
        "parents": "->".join(header.parents),
        "receivedAt": received_at,
    }


def job_document(message: ExtractionRequestInfo, header: dict, arrival: int) -> dict:
    return {
        "_id": message.job_id,
        "header": header,
        "projectNumber": message.project_number,
        "jobStatus": "WaitingForCollectionInfo",
        "extractionDirectory": message.extraction_directory,
        "jobSubmittedAt": _as_naive_utc(message.job_submitted_at),
        "keyTag": message.key_tag,
        "keyCount": message.key_value_count,
        "userName": message.user_name,
        "extractionModality": message.modality,
        "isIdentifiableExtraction": message.is_identifiable_extraction,
        "IsNoFilterExtraction": message.is_no_filter_extraction,
        "failedJobInfo": None,
        "arrival": arrival,
    }


def collection_id(job_id: str, key_value: str) -> str:
    """The natural key of a file-collection document: one per job and requested identifier."""
    return f"{job_id}:{key_value}"


def collection_document(message: FileCollectionInfo, header: dict, arrival: int) -> dict:
    return {
        "_id": collection_id(message.job_id, message.key_value),
        "jobId": message.job_id,
        "arrival": arrival,
        "header": header,
        "key": message.key_value,
        "expectedFiles": [
            {"extractFileMessageGuid": f.extract_file_message_guid,
             "anonymisedFilePath": f.output_path}
            for f in message.dispatched
        ],
        "rejectedKeys": {
            "header": header,
            "rejectionInfo": [{"reason": r.reason, "count": r.count} for r in message.rejections],
        },
    }


def outcome_document(message: FileStatus | FileVerification, header: dict, queue: str,
                     arrival: int) -> dict:
    """One file's outcome; `_id` is the message GUID, so a redelivery is stored once."""
    if isinstance(message, FileVerification):
        extracted, verified, text = "Anonymised", message.status, message.report
    else:
        extracted, verified, text = message.status, "NotVerified", message.status_message
    return {
        "_id": header["messageGuid"],
        "jobId": message.job_id,
        "arrival": arrival,
        "queue": queue,
        "header": header,
        "dicomFilePath": message.dicom_file_path,
        "outputFileName": message.output_file_path,
        "extractedFileStatus": extracted,
        "verifiedFileStatus": verified,
        "statusMessage": text,
        "reportAs": report_section(extracted, verified),
    }


def report_section(extracted: str, verified: str) -> str | None:
    """The report an outcome may be listed in, so each report reads only its candidates.

    `processingError` covers missing sources, anonymisation failures and verifier errors;
    `verificationFailure` covers files IsIdentifiable flagged; other outcomes get None.
    """
    if verified == "IsIdentifiable":
        return VERIFICATION_FAILURE
    if extracted != "Copied" and verified in ("NotVerified", "ErrorWontRetry"):
        return PROCESSING_ERROR
    return None


def same_job_content(stored: dict, incoming: dict) -> bool:
    return all(stored.get(name) == incoming.get(name) for name in JOB_CONTENT_FIELDS)


def same_collection_content(stored: dict, incoming: dict) -> bool:
    return (stored.get("expectedFiles") == incoming.get("expectedFiles")
            and _rejections(stored) == _rejections(incoming))


def _rejections(document: dict) -> Any:
    return (document.get("rejectedKeys") or {}).get("rejectionInfo")


def _from_unix_seconds(seconds: int) -> datetime | int:
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return seconds


def _as_naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
