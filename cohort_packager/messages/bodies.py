"""The bodies of the four message kinds cohort-packager consumes, parsed and validated.

Compatible with the SMI CohortPackager's reading of the wire format; wherever it would stop
the service because of the message itself, the message is refused here instead.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TypeVar

from . import lenient_json
from .errors import InvalidMessage
from .failures import parse_failure_report
from .fields import (
    INT64,
    ZERO_GUID,
    ObjectReader,
    clean_text,
    is_blank,
    json_type,
    quote_name,
    to_boolean,
    to_enum_name,
    to_guid,
    to_integer,
    to_non_blank_text,
    to_optional_text,
    to_text,
    to_utc_datetime,
)
from .models import (
    DispatchedFile,
    ExtractedFileStatus,
    ExtractionRequestInfo,
    FileCollectionInfo,
    FileStatus,
    FileVerification,
    Message,
    Rejection,
    VerifiedFileStatus,
)

QUEUE_KINDS = (
    "ExtractRequestInfoOptions",
    "FileCollectionInfoOptions",
    "NoVerifyStatusOptions",
    "VerificationStatusOptions",
)

_COMMON_PROPERTIES = (
    "ExtractionJobIdentifier",
    "ProjectNumber",
    "ExtractionDirectory",
    "Modality",
    "JobSubmittedAt",
    "IsIdentifiableExtraction",
    "IsNoFilterExtraction",
    "IsPooledExtraction",
)
_DISPATCHED = "ExtractFileMessagesDispatched"
_DISPATCH_HEADER_PROPERTIES = (
    "MessageGuid",
    "ProducerProcessID",
    "ProducerExecutableName",
    "OriginalPublishTimestamp",
    "Parents",
)
_NEVER_SUBMITTED = datetime(1, 1, 1, tzinfo=timezone.utc)
_T = TypeVar("_T")


def parse_body(kind: str, body: bytes, content_encoding: str | None = None) -> Message:
    """The validated message in `body`, read as a message of queue `kind` (see QUEUE_KINDS).

    Raises InvalidMessage, with a reason naming the field, for anything that must be
    rejected, and ValueError for a `kind` that is not one of QUEUE_KINDS.
    """
    parse = _PARSERS.get(kind)
    if parse is None:
        raise ValueError(f"unknown queue kind {kind!r}; expected one of {QUEUE_KINDS}")
    document = lenient_json.loads(_decode(body, content_encoding), "message body")
    return parse(document)


def _decode(body: bytes, content_encoding: str | None) -> str:
    if not body:
        raise InvalidMessage("message body is empty")
    encoding = content_encoding or "utf-8"
    try:
        text = bytes(body).decode(encoding, "replace")
    except (LookupError, ValueError):
        name = quote_name(encoding)
        raise InvalidMessage(f"content encoding {name} is not a known text encoding") from None
    return text.removeprefix("\ufeff")


@dataclass(frozen=True)
class _CommonFields:
    job_id: str
    project_number: str
    extraction_directory: str
    modality: str
    job_submitted_at: datetime
    is_identifiable_extraction: bool
    is_no_filter_extraction: bool
    is_pooled_extraction: bool


def _common_fields(body: ObjectReader) -> _CommonFields:
    """The fields every message kind carries, type-checked; the job id must not be zero."""
    job_id = body.read("ExtractionJobIdentifier", to_guid)
    if job_id == ZERO_GUID:
        raise InvalidMessage("ExtractionJobIdentifier must not be all zeros")
    return _CommonFields(
        job_id=job_id,
        project_number=body.read("ProjectNumber", to_text),
        extraction_directory=body.read("ExtractionDirectory", to_text),
        modality=body.read("Modality", to_text),
        job_submitted_at=body.read("JobSubmittedAt", to_utc_datetime),
        is_identifiable_extraction=body.read("IsIdentifiableExtraction", to_boolean),
        is_no_filter_extraction=body.read("IsNoFilterExtraction", to_boolean),
        is_pooled_extraction=body.read("IsPooledExtraction", to_boolean),
    )


def _request_info(document: object) -> ExtractionRequestInfo:
    body = ObjectReader(document, "", _COMMON_PROPERTIES + ("KeyTag", "KeyValueCount", "UserName"))
    common = _common_fields(body)

    if is_blank(common.project_number):
        raise InvalidMessage("ProjectNumber must not be blank")
    if is_blank(common.modality):
        raise InvalidMessage("Modality must not be blank")
    _check_extraction_directory(common.extraction_directory)
    if common.job_submitted_at == _NEVER_SUBMITTED:
        raise InvalidMessage("JobSubmittedAt must not be 0001-01-01T00:00:00")

    key_value_count = body.read("KeyValueCount", to_integer)
    if key_value_count < 1:
        raise InvalidMessage(f"KeyValueCount must be at least 1, got {key_value_count}")

    return ExtractionRequestInfo(
        job_id=common.job_id,
        project_number=common.project_number,
        extraction_directory=common.extraction_directory,
        modality=common.modality,
        job_submitted_at=common.job_submitted_at,
        is_identifiable_extraction=common.is_identifiable_extraction,
        is_no_filter_extraction=common.is_no_filter_extraction,
        is_pooled_extraction=common.is_pooled_extraction,
        key_tag=body.read("KeyTag", to_non_blank_text),
        key_value_count=key_value_count,
        user_name=body.read("UserName", to_non_blank_text),
    )


_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DRIVE = re.compile(r"[A-Za-z]:")
_SEPARATOR = re.compile(r"[/\\]")


def _check_extraction_directory(path: str) -> None:
    """Reports go under `<root>/<project dirs>/reports/<name>`, so the path must stay inside
    the extraction root and end in a named extraction below at least one folder."""
    label = "ExtractionDirectory"
    if is_blank(path):
        raise InvalidMessage(f"{label} must not be blank")
    if _CONTROL_CHARACTER.search(path):
        raise InvalidMessage(f"{label} must not contain control characters")
    if path[0] in "/\\" or _DRIVE.match(path):
        raise InvalidMessage(f"{label} must be relative to the extraction root, not absolute")

    segments = _SEPARATOR.split(path)
    if len(segments) < 2:
        raise InvalidMessage(f"{label} must be '<project folder>/.../<extraction name>'")
    if segments[-1] == "":
        raise InvalidMessage(f"{label} must end with an extraction name, not a separator")
    if "" in segments:
        raise InvalidMessage(f"{label} must not contain an empty segment")
    if "." in segments or ".." in segments:
        raise InvalidMessage(f"{label} must not contain '.' or '..' segments")


def _file_collection_info(document: object) -> FileCollectionInfo:
    body = ObjectReader(
        document,
        "",
        _COMMON_PROPERTIES + ("KeyValue", _DISPATCHED, "RejectionReasons"),
    )
    common = _common_fields(body)
    return FileCollectionInfo(
        job_id=common.job_id,
        key_value=body.read("KeyValue", to_non_blank_text),
        dispatched=body.read(_DISPATCHED, _dispatched_files),
        rejections=_rejections(body) if body.has("RejectionReasons") else (),
    )


def _dispatched_files(value: object, label: str) -> tuple[DispatchedFile, ...]:
    """The dispatched files: a list of message headers paired by position with a list of
    output paths. Lists of different lengths, or a missing list, pair nothing."""
    dispatched = ObjectReader(value, label, ("SerializeableKeys", "SerializeableValues"))
    headers = _optional_list(dispatched, "SerializeableKeys", _dispatch_header)
    paths = _optional_list(dispatched, "SerializeableValues", to_optional_text)
    if headers is None or paths is None or len(headers) != len(paths):
        return ()

    keys_label = dispatched.label("SerializeableKeys")
    if len(set(headers)) != len(headers):
        raise InvalidMessage(f"{keys_label} must not contain the same header twice")

    files: dict[DispatchedFile, None] = {}
    for index, (header, path) in enumerate(zip(headers, paths)):
        guid = header[0]
        if guid == ZERO_GUID:
            raise InvalidMessage(f"{keys_label}[{index}].MessageGuid must be a non-zero GUID")
        if path is None or is_blank(path):
            values_label = dispatched.label("SerializeableValues")
            raise InvalidMessage(f"{values_label}[{index}] must be a non-blank output path")
        files.setdefault(DispatchedFile(guid, path), None)
    return tuple(files)


def _optional_list(
    reader: ObjectReader, name: str, convert: Callable[[object, str], _T]
) -> list[_T] | None:
    value = reader.optional(name)
    if value is None:
        return None
    label = reader.label(name)
    if not isinstance(value, list):
        raise InvalidMessage(f"{label} must be a list, got {json_type(value)}")
    return [convert(item, f"{label}[{index}]") for index, item in enumerate(value)]


def _dispatch_header(value: object, label: str) -> tuple:
    """One dispatched file's message header, as a tuple that compares like the header
    (an absent GUID or number reads as zero, as .NET defaults it)."""
    header = ObjectReader(value, label, _DISPATCH_HEADER_PROPERTIES)
    return (
        header.read_optional("MessageGuid", to_guid) or ZERO_GUID,
        header.read_optional("ProducerProcessID", to_integer) or 0,
        header.read_optional("ProducerExecutableName", to_text),
        header.read_optional("OriginalPublishTimestamp", _to_int64) or 0,
        header.read_optional("Parents", _to_guid_list) or (),
    )


def _to_int64(value: object, label: str) -> int:
    return to_integer(value, label, INT64)


def _to_guid_list(value: object, label: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise InvalidMessage(f"{label} must be a list of GUIDs, got {json_type(value)}")
    return tuple(to_guid(item, f"{label}[{index}]") for index, item in enumerate(value))


def _rejections(body: ObjectReader) -> tuple[Rejection, ...]:
    """Rejection counts by reason; reasons differing only in case are one reason (first
    spelling, last count), in order of first appearance."""
    label = body.label("RejectionReasons")
    reasons = body.required("RejectionReasons")
    if not isinstance(reasons, lenient_json.JsonObject):
        raise InvalidMessage(f"{label} must be an object, got {json_type(reasons)}")

    spellings = reasons.spellings()
    rejections = []
    for position, (key, count) in enumerate(reasons.items(), start=1):
        reason = clean_text(spellings[key])
        if is_blank(reason):
            raise InvalidMessage(f"{label} reason {position} must not be blank")
        count = to_integer(count, f"{label} count {position}")
        if count == 0:
            raise InvalidMessage(f"{label} count {position} must not be 0")
        rejections.append(Rejection(reason, count))
    return tuple(rejections)


def _file_status(document: object) -> FileStatus:
    body = ObjectReader(
        document,
        "",
        _COMMON_PROPERTIES + ("DicomFilePath", "Status", "OutputFilePath", "StatusMessage"),
    )
    common = _common_fields(body)

    status = body.read("Status", _extracted_file_status)
    if status in ("None", "Anonymised"):
        raise InvalidMessage(f"Status {status} must not arrive on the no-verify queue")
    dicom_file_path = body.read("DicomFilePath", to_non_blank_text)
    output_file_path = body.read_nullable("OutputFilePath", to_text)
    status_message = body.read_nullable("StatusMessage", to_text)
    if status != "Copied" and (status_message is None or is_blank(status_message)):
        raise InvalidMessage(f"StatusMessage must not be null or blank for Status {status}")

    return FileStatus(
        job_id=common.job_id,
        dicom_file_path=dicom_file_path,
        status=status,
        output_file_path=output_file_path,
        status_message=status_message,
    )


def _extracted_file_status(value: object, label: str) -> str:
    return to_enum_name(value, label, ExtractedFileStatus)


def _file_verification(document: object) -> FileVerification:
    body = ObjectReader(
        document,
        "",
        _COMMON_PROPERTIES + ("Status", "Report", "DicomFilePath", "OutputFilePath"),
    )
    common = _common_fields(body)

    status = body.read("Status", _verified_file_status)
    if status == "None":
        raise InvalidMessage("Status None is not a verification result")
    report = body.read("Report", to_non_blank_text)
    if status == "IsIdentifiable" and report == "[]":
        raise InvalidMessage("Report must list the failures when Status is IsIdentifiable")
    # IsIdentifiable explains a file it could not scan in plain text; that text is kept as it is.
    if status != "ErrorWontRetry":
        parse_failure_report(report)

    return FileVerification(
        job_id=common.job_id,
        dicom_file_path=body.read("DicomFilePath", to_non_blank_text),
        status=status,
        report=report,
        output_file_path=body.read("OutputFilePath", to_non_blank_text),
    )


def _verified_file_status(value: object, label: str) -> str:
    return to_enum_name(value, label, VerifiedFileStatus)


_PARSERS = {
    "ExtractRequestInfoOptions": _request_info,
    "FileCollectionInfoOptions": _file_collection_info,
    "NoVerifyStatusOptions": _file_status,
    "VerificationStatusOptions": _file_verification,
}
