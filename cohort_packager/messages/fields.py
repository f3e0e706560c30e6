"""Reading typed values out of parsed JSON the way the SMI deserialiser does.

`ObjectReader` finds properties by case-insensitive name and refuses unknown ones; the
coercions below accept the lenient forms Newtonsoft accepts (numeric strings for integers,
"true"/"false" strings for booleans, enum names, every .NET GUID format) and nothing else.
Every failure is an InvalidMessage whose reason names the field.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection
from datetime import datetime, timedelta, timezone
from enum import IntEnum
from typing import TypeVar

from .errors import InvalidMessage
from .lenient_json import JsonObject, fold_case

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
ZERO_GUID = "00000000-0000-0000-0000-000000000000"

_MISSING = object()
_T = TypeVar("_T")
_LONGEST_NAME_IN_A_REASON = 64


def json_type(value: object) -> str:
    """The JSON type of a parsed value, for error reasons."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def quote_name(name: str) -> str:
    """A property name from the input, made safe and short enough to put in a reason."""
    if len(name) > _LONGEST_NAME_IN_A_REASON:
        name = name[:_LONGEST_NAME_IN_A_REASON] + "..."
    return repr(name)


class ObjectReader:
    """The properties of one JSON object, looked up by case-insensitive name.

    `label` names the object in reasons ("" for a message body, whose fields are then named
    bare). A property not among `properties` is refused at construction.
    """

    def __init__(self, document: object, label: str, properties: Collection[str]):
        if not isinstance(document, JsonObject):
            what = label or "message body"
            raise InvalidMessage(f"{what} must be a JSON object, got {json_type(document)}")
        self._document = document
        self._label = label
        known = {fold_case(name) for name in properties}
        for name, _ in document.names:
            if fold_case(name) not in known:
                where = f" in {label}" if label else ""
                raise InvalidMessage(f"unknown property {quote_name(name)}{where}")

    def label(self, name: str) -> str:
        """How the property `name` is called in reasons."""
        return f"{self._label}.{name}" if self._label else name

    def has(self, name: str) -> bool:
        """Whether the property is present (possibly null)."""
        return fold_case(name) in self._document

    def required(self, name: str) -> object:
        """The value of a property that must be present and not null."""
        value = self._document.get(fold_case(name), _MISSING)
        if value is _MISSING:
            raise InvalidMessage(f"{self.label(name)} is required")
        if value is None:
            raise InvalidMessage(f"{self.label(name)} must not be null")
        return value

    def present(self, name: str) -> object:
        """The value of a property that must be present but may be null."""
        value = self._document.get(fold_case(name), _MISSING)
        if value is _MISSING:
            raise InvalidMessage(f"{self.label(name)} is required (it may be null)")
        return value

    def optional(self, name: str) -> object:
        """The value of a property that may be absent or null (None for both)."""
        return self._document.get(fold_case(name))

    def read(self, name: str, convert: Callable[[object, str], _T]) -> _T:
        """The value of a required, non-null property, converted by `convert(value, label)`."""
        return convert(self.required(name), self.label(name))

    def read_nullable(self, name: str, convert: Callable[[object, str], _T]) -> _T | None:
        """The converted value of a property that must be present but may be null."""
        value = self.present(name)
        return None if value is None else convert(value, self.label(name))

    def read_optional(self, name: str, convert: Callable[[object, str], _T]) -> _T | None:
        """The converted value of a property that may be absent or null (None for both)."""
        value = self.optional(name)
        return None if value is None else convert(value, self.label(name))


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` with each lone surrogate (from a JSON escape) replaced by U+FFFD, so that the
    text can be encoded as UTF-8 wherever it is stored."""
    if text.isascii():
        return text
    return _SURROGATE.sub("\ufffd", text)


def is_blank(text: str) -> bool:
    """Whether `text` is empty or white space only."""
    return not text.strip()


def to_text(value: object, label: str) -> str:
    """A JSON string."""
    if not isinstance(value, str):
        raise InvalidMessage(f"{label} must be a string, got {json_type(value)}")
    return clean_text(value)


def to_optional_text(value: object, label: str) -> str | None:
    """A JSON string or null."""
    return None if value is None else to_text(value, label)


def to_non_blank_text(value: object, label: str) -> str:
    """A JSON string with something other than white space in it."""
    text = to_text(value, label)
    if is_blank(text):
        raise InvalidMessage(f"{label} must not be blank")
    return text


# The forms .NET's Int32/Int64.Parse accept with NumberStyles.Integer (ASCII digits only),
# bounded so that converting them stays cheap.
_INTEGER_TEXT = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]{1,64}[ \t\n\v\f\r]*", re.ASCII)


def to_integer(value: object, label: str, bounds: tuple[int, int] = INT32) -> int:
    """A JSON integer (not a fraction, not a boolean) or its decimal text, within `bounds`."""
    bits = 32 if bounds == INT32 else 64
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
        value = int(value)
    if isinstance(value, float):
        raise InvalidMessage(f"{label} must be a {bits}-bit integer, got a non-integer number")
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidMessage(f"{label} must be a {bits}-bit integer, got {json_type(value)}")
    low, high = bounds
    if not low <= value <= high:
        shown = value if len(str(value)) <= 24 else "a number out of range"
        raise InvalidMessage(f"{label} must be a {bits}-bit integer, got {shown}")
    return value


def to_boolean(value: object, label: str) -> bool:
    """A JSON boolean, or the text "true"/"false" in any letter case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("true", "false"):
            return word == "true"
    raise InvalidMessage(f"{label} must be true or false, got {json_type(value)}")


def to_enum_name(value: object, label: str, enum: type[IntEnum]) -> str:
    """An enum member given by value or by name (any case), as its member name.

    A 32-bit value that names no member is kept as its decimal text, as .NET keeps it.
    """
    if isinstance(value, str):
        member = _member_by_folded_name(enum).get(value.strip().lower())
        if member is not None:
            return member.name
        if not _INTEGER_TEXT.fullmatch(value):
            raise InvalidMessage(f"{label} must be a {enum.__name__} name or number")
    number = to_integer(value, label)
    try:
        return enum(number).name
    except ValueError:
        return str(number)


@functools.cache
def _member_by_folded_name(enum: type[IntEnum]) -> dict[str, IntEnum]:
    return {member.name.lower(): member for member in enum}


_HEX_GUID = re.compile(
    r"(?P<n>[0-9a-f]{32})"
    r"|(?P<d>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"|\{(?P<b>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}"
    r"|\((?P<p>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)",
    re.ASCII | re.IGNORECASE,
)
_STRUCT_GUID = re.compile(
    r"\{0x([0-9a-f]{1,8}),0x([0-9a-f]{1,4}),0x([0-9a-f]{1,4}),"
    r"\{0x([0-9a-f]{1,2}),0x([0-9a-f]{1,2}),0x([0-9a-f]{1,2}),0x([0-9a-f]{1,2}),"
    r"0x([0-9a-f]{1,2}),0x([0-9a-f]{1,2}),0x([0-9a-f]{1,2}),0x([0-9a-f]{1,2})\}\}",
    re.ASCII | re.IGNORECASE,
)
_STRUCT_WIDTHS = (8, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2)


def parse_guid(text: str) -> str | None:
    """The canonical (lowercase, hyphenated) form of a GUID in any .NET format, else None.

    Accepted: 32 hex digits; hyphenated, bare or in braces or parentheses; the
    `{0x...,0x...,0x...,{0x..,...}}` form. Surrounding white space is ignored.
    """
    text = text.strip()
    match = _HEX_GUID.fullmatch(text)
    if match:
        digits = "".join(ch for ch in match.group(match.lastgroup) if ch != "-").lower()
    else:
        match = _STRUCT_GUID.fullmatch(re.sub(r"\s+", "", text))
        if not match:
            return None
        digits = "".join(
            group.rjust(width, "0") for group, width in zip(match.groups(), _STRUCT_WIDTHS)
        ).lower()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def to_guid(value: object, label: str) -> str:
    """A GUID string in any .NET format, as its canonical form."""
    if not isinstance(value, str):
        raise InvalidMessage(f"{label} must be a GUID string, got {json_type(value)}")
    guid = parse_guid(value)
    if guid is None:
        raise InvalidMessage(f"{label} must be a GUID")
    return guid


_ISO_DATETIME = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"(?:[T ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]+))?)?"
    r"(?:(?P<utc>Z)|(?P<sign>[+-])(?P<zone_hour>[0-9]{2})(?::?(?P<zone_minute>[0-9]{2}))?)?)?",
    re.ASCII | re.IGNORECASE,
)


def to_utc_datetime(value: object, label: str) -> datetime:
    """An ISO 8601 date and time, as an aware UTC datetime truncated to milliseconds.

    A value without a zone is UTC; one with an offset is converted. Any number of fractional
    digits is accepted; the digits beyond milliseconds are dropped.
    """
    if not isinstance(value, str):
        raise InvalidMessage(f"{label} must be an ISO 8601 date string, got {json_type(value)}")
    match = _ISO_DATETIME.fullmatch(value.strip())
    if not match:
        raise InvalidMessage(f"{label} must be an ISO 8601 date and time")

    parts = match.groupdict()
    milliseconds = int((parts["fraction"] or "0")[:3].ljust(3, "0"))
    try:
        zone = timezone.utc
        if parts["sign"]:
            offset = timedelta(
                hours=int(parts["zone_hour"]), minutes=int(parts["zone_minute"] or 0)
            )
            zone = timezone(-offset if parts["sign"] == "-" else offset)
        moment = datetime(
            int(parts["year"]), int(parts["month"]), int(parts["day"]),
            int(parts["hour"] or 0), int(parts["minute"] or 0), int(parts["second"] or 0),
            milliseconds * 1000, tzinfo=zone,
        )
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise InvalidMessage(f"{label} must be a valid date and time in years 1-9999") from None
