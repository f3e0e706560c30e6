"""Turning one delivery (AMQP header table and body bytes) into a validated, typed message.

Everything a delivery can get wrong raises InvalidMessage, whose reason names the field.
"""
from .bodies import QUEUE_KINDS, parse_body
from .errors import InvalidMessage
from .failures import parse_failure_report
from .header import parse_header
from .models import (
    DispatchedFile,
    ExtractedFileStatus,
    ExtractionRequestInfo,
    Failure,
    FailureClassification,
    FailurePart,
    FileCollectionInfo,
    FileStatus,
    FileVerification,
    Message,
    MessageHeader,
    Rejection,
    VerifiedFileStatus,
)

__all__ = [
    "QUEUE_KINDS",
    "DispatchedFile",
    "ExtractedFileStatus",
    "ExtractionRequestInfo",
    "Failure",
    "FailureClassification",
    "FailurePart",
    "FileCollectionInfo",
    "FileStatus",
    "FileVerification",
    "InvalidMessage",
    "Message",
    "MessageHeader",
    "Rejection",
    "VerifiedFileStatus",
    "parse_body",
    "parse_failure_report",
    "parse_header",
]
