"""IsIdentifiable's failure report: the JSON list carried in a verification message's Report.

The report layer parses every stored report again, so the common case (well-formed strict
JSON) reads the parsed objects directly; labels for reasons are built only on failure.
"""
from __future__ import annotations

from operator import attrgetter

from . import lenient_json
from .errors import InvalidMessage
from .fields import INT32, clean_text, json_type, to_enum_name, to_integer
from .lenient_json import JsonObject
from .models import Failure, FailureClassification, FailurePart


def parse_failure_report(report: str) -> list[Failure]:
    """The failures in a Report string, each with its parts in ascending offset order.

    Strict JSON is tried first, then the lenient forms (single quotes and the like). Raises
    InvalidMessage unless the report is a JSON list of failure objects, each with a list of
    parts whose classification is a number or a known name. Property names are matched
    case-insensitively; unknown properties are ignored.
    """
    if not isinstance(report, str):
        raise InvalidMessage(f"Report must be a string, got {type(report).__name__}")
    document = lenient_json.loads(report, "Report")
    if not isinstance(document, list):
        raise InvalidMessage(f"Report must be a JSON list of failures, got {json_type(document)}")
    return [_failure(item, index) for index, item in enumerate(document)]


def _failure(failure: object, index: int) -> Failure:
    label = f"Report[{index}]"
    if not isinstance(failure, JsonObject):
        raise InvalidMessage(f"{label} must be a JSON object, got {json_type(failure)}")

    parts = failure.get("parts")
    if not isinstance(parts, list):
        raise InvalidMessage(f"{label}.Parts must be a list, got {json_type(parts)}")
    parsed = [_part(part, label, position) for position, part in enumerate(parts)]
    parsed.sort(key=attrgetter("offset"))

    return Failure(
        parts=tuple(parsed),
        resource=_optional_text(failure.get("resource"), "Resource", label),
        resource_primary_key=_optional_text(
            failure.get("resourceprimarykey"), "ResourcePrimaryKey", label
        ),
        problem_field=_optional_text(failure.get("problemfield"), "ProblemField", label),
        problem_value=_optional_text(failure.get("problemvalue"), "ProblemValue", label),
    )


def _part(part: object, failure_label: str, position: int) -> FailurePart:
    if not isinstance(part, JsonObject):
        label = f"{failure_label}.Parts[{position}]"
        raise InvalidMessage(f"{label} must be a JSON object, got {json_type(part)}")
    # A missing offset is 0 and a missing word empty, as the SMI CohortPackager reads them.
    return FailurePart(
        classification=_classification(part.get("classification"), failure_label, position),
        offset=_offset(part.get("offset", 0), failure_label, position),
        word=_optional_text(part.get("word"), "Word", failure_label, position) or "",
    )


_CLASSIFICATIONS = tuple(member.name for member in FailureClassification)


def _classification(value: object, failure_label: str, position: int) -> str:
    if type(value) is int and 0 <= value < len(_CLASSIFICATIONS):
        return _CLASSIFICATIONS[value]
    label = f"{failure_label}.Parts[{position}].Classification"
    if value is None:
        raise InvalidMessage(f"{label} is required and must not be null")
    return to_enum_name(value, label, FailureClassification)


def _offset(value: object, failure_label: str, position: int) -> int:
    low, high = INT32
    if type(value) is int and low <= value <= high:
        return value
    return to_integer(value, f"{failure_label}.Parts[{position}].Offset")


def _optional_text(
    value: object, name: str, failure_label: str, position: int | None = None
) -> str | None:
    if value is None:
        return None
    if type(value) is not str:
        owner = failure_label if position is None else f"{failure_label}.Parts[{position}]"
        raise InvalidMessage(f"{owner}.{name} must be a string, got {json_type(value)}")
    return clean_text(value)
