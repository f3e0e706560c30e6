"""The value coercions shared by every message kind: GUIDs, dates, integers, booleans, enums."""
from datetime import datetime, timezone

import pytest

from cohort_packager.messages import InvalidMessage
from cohort_packager.messages.fields import (
    parse_guid,
    to_boolean,
    to_enum_name,
    to_integer,
    to_utc_datetime,
)
from cohort_packager.messages.models import ExtractedFileStatus

CANONICAL = "6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c11"


def reason_of(convert, value, *args) -> str:
    with pytest.raises(InvalidMessage) as raised:
        convert(value, "Field", *args)
    return raised.value.reason


@pytest.mark.parametrize("text", [
    CANONICAL,
    CANONICAL.upper(),
    "6d0f1a527c1e4d539a570b8f2f1e9c11",
    "{6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c11}",
    "(6D0F1A52-7C1E-4D53-9A57-0B8F2F1E9C11)",
    "  6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c11 ",
    "{0x6d0f1a52,0x7c1e,0x4d53,{0x9a,0x57,0x0b,0x8f,0x2f,0x1e,0x9c,0x11}}",
    "{0x6d0f1a52, 0x7c1e, 0x4d53, {0x9a, 0x57, 0xb, 0x8f, 0x2f, 0x1e, 0x9c, 0x11}}",
])
def test_every_dotnet_guid_format_gives_the_canonical_form(text):
    assert parse_guid(text) == CANONICAL


@pytest.mark.parametrize("text", [
    "",
    "6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c1",
    "6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c1g",
    "6d0f1a527c1e-4d53-9a57-0b8f2f1e9c11",
    "{6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c11)",
    "urn:uuid:6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c11",
    "６d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c11",
])
def test_anything_else_is_not_a_guid(text):
    assert parse_guid(text) is None


@pytest.mark.parametrize("text, expected", [
    ("2024-03-01T09:30:00Z", datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)),
    ("2024-03-01T09:30:00", datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)),
    ("2024-03-01T10:30:00+01:00", datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)),
    ("2024-03-01T04:00:00-05:30", datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)),
    ("2024-03-01T09:30:00.1234567Z",
     datetime(2024, 3, 1, 9, 30, 0, 123000, tzinfo=timezone.utc)),
    ("2024-03-01T09:30:00.9999999", datetime(2024, 3, 1, 9, 30, 0, 999000, tzinfo=timezone.utc)),
    ("2024-03-01T09:30:00.5+0000", datetime(2024, 3, 1, 9, 30, 0, 500000, tzinfo=timezone.utc)),
    ("2024-03-01T09:30:00.123456789012Z",
     datetime(2024, 3, 1, 9, 30, 0, 123000, tzinfo=timezone.utc)),
])
def test_dates_become_utc_truncated_to_milliseconds(text, expected):
    result = to_utc_datetime(text, "JobSubmittedAt")
    assert result == expected
    assert result.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("value", [
    "2024-13-01T09:30:00Z", "2024-03-01T25:00:00Z", "01/03/2024 09:30", "yesterday", "",
    "0001-01-01T00:00:00+01:00", 1709285400,
])
def test_what_is_not_an_iso_date_in_range_is_rejected(value):
    assert reason_of(to_utc_datetime, value).startswith("Field ")


@pytest.mark.parametrize("value, expected", [
    (5, 5), ("5", 5), ("-5", -5), (" 7 ", 7), (2**31 - 1, 2**31 - 1), (-(2**31), -(2**31)),
])
def test_integers_are_taken_as_numbers_or_numeric_text(value, expected):
    assert to_integer(value, "Field") == expected


@pytest.mark.parametrize("value", [2**31, 1.5, 2.0, True, "5.0", "five", "", None, [5], "٥"])
def test_other_values_are_not_32_bit_integers(value):
    assert "Field must be a 32-bit integer" in reason_of(to_integer, value)


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), ("true", True), ("False", False), (" TRUE ", True),
])
def test_booleans_are_taken_as_json_booleans_or_their_text(value, expected):
    assert to_boolean(value, "Field") is expected


@pytest.mark.parametrize("value", ["yes", 1, 0, None, ""])
def test_other_values_are_not_booleans(value):
    assert "Field must be true or false" in reason_of(to_boolean, value)


@pytest.mark.parametrize("value, expected", [
    (4, "Copied"), ("4", "Copied"), ("Copied", "Copied"), ("copied", "Copied"),
    ("FILEMISSING", "FileMissing"), (0, "None"), (17, "17"), (-3, "-3"),
])
def test_enums_are_taken_by_number_or_by_name_in_any_case(value, expected):
    assert to_enum_name(value, "Field", ExtractedFileStatus) == expected


@pytest.mark.parametrize("value", ["Unknown", 2.0, True, None, 2**31])
def test_an_enum_that_is_neither_a_name_nor_a_32_bit_number_is_rejected(value):
    assert reason_of(to_enum_name, value, ExtractedFileStatus).startswith("Field ")
