"""Typed, validated forms of the messages cohort-packager consumes.

Every instance here has passed the checks of the parsers that build it: GUIDs are canonical
(lowercase, hyphenated), strings are valid Unicode, enum values are member names.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Union


# Enumerations of the SMI wire format. Member names are the wire names (one is "None"), which
# is why they are declared with the functional API.
ExtractedFileStatus = IntEnum("ExtractedFileStatus", [
    ("None", 0), ("Anonymised", 1), ("ErrorWontRetry", 2), ("FileMissing", 3), ("Copied", 4),
])
"""What the anonymiser or the file copier did with one file."""

VerifiedFileStatus = IntEnum("VerifiedFileStatus", [
    ("None", 0), ("NotVerified", 1), ("NotIdentifiable", 2), ("IsIdentifiable", 3),
    ("ErrorWontRetry", 4),
])
"""IsIdentifiable's verdict on one anonymised file."""

FailureClassification = IntEnum("FailureClassification", [
    ("None", 0), ("PrivateIdentifier", 1), ("Location", 2), ("Person", 3),
    ("Organization", 4), ("Money", 5), ("Percent", 6), ("Date", 7), ("Time", 8),
    ("PixelText", 9), ("Postcode", 10),
])
"""The kind of identifiable value IsIdentifiable found."""


@dataclass(frozen=True)
class MessageHeader:
    """The SMI header of one delivery, from its AMQP header table."""

    message_guid: str
    producer_process_id: int
    producer_executable_name: str
    original_publish_timestamp: int
    parents: tuple[str, ...]


@dataclass(frozen=True)
class ExtractionRequestInfo:
    """A job was submitted; it asks for `key_value_count` identifiers."""

    job_id: str
    project_number: str
    extraction_directory: str
    modality: str
    job_submitted_at: datetime
    is_identifiable_extraction: bool
    is_no_filter_extraction: bool
    is_pooled_extraction: bool
    key_tag: str
    key_value_count: int
    user_name: str


@dataclass(frozen=True)
class DispatchedFile:
    """One file the extractor asked to be produced, at a path inside the extraction."""

    extract_file_message_guid: str
    output_path: str


@dataclass(frozen=True)
class Rejection:
    """How many files of one identifier were not extracted, and why."""

    reason: str
    count: int


@dataclass(frozen=True)
class FileCollectionInfo:
    """What the extractor did for one identifier of a job."""

    job_id: str
    key_value: str
    dispatched: tuple[DispatchedFile, ...]
    rejections: tuple[Rejection, ...]


@dataclass(frozen=True)
class FileStatus:
    """The outcome of one file that will not be verified (a failure, or a copy)."""

    job_id: str
    dicom_file_path: str
    status: str
    output_file_path: str | None
    status_message: str | None


@dataclass(frozen=True)
class FileVerification:
    """IsIdentifiable's verdict on one anonymised file, with its report as received."""

    job_id: str
    dicom_file_path: str
    status: str
    report: str
    output_file_path: str


Message = Union[ExtractionRequestInfo, FileCollectionInfo, FileStatus, FileVerification]


@dataclass(frozen=True)
class FailurePart:
    """One identifiable word found in a value, at `offset` (-1 for text in pixel data)."""

    classification: str
    offset: int
    word: str


@dataclass(frozen=True)
class Failure:
    """One value IsIdentifiable flagged; `parts` are in ascending offset order."""

    parts: tuple[FailurePart, ...]
    resource: str | None
    resource_primary_key: str | None
    problem_field: str | None
    problem_value: str | None
