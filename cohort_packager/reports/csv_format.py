"""CSV bytes exactly as the SMI CohortPackager writes them, plus spreadsheet-formula guarding.

The quoting rule differs from Python's csv module and pandas: a field is quoted only for a
leading or trailing space, a double quote, a comma, or the configured newline *string*.
"""

import math
import re
from collections.abc import Iterable
from typing import BinaryIO

import pandas as pd

REPORT_NEWLINES = ("\n", "\r\n")

_BATCH_SIZE = 1000
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# A spreadsheet runs a cell starting with one of these as a formula (DECISIONS 16).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def check_newline(newline: str) -> str:
    """Return `newline` if it is a real LF or CRLF; raise ValueError otherwise."""
    if newline not in REPORT_NEWLINES:
        raise ValueError(
            f"report newline must be LF or CR LF (control characters), got {newline!r}"
        )
    return newline


def as_text(value: object) -> str | None:
    """A stored text value as str, or None when it is missing (None, NaN or pandas NA)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def quote_field(value: str | None, newline: str) -> str:
    """One CSV field: None is empty and unquoted; quoting per the upstream rule."""
    if not value:
        return ""
    if (
        value[0] == " "
        or value[-1] == " "
        or '"' in value
        or "," in value
        or newline in value
    ):
        return '"' + value.replace('"', '""') + '"'
    return value


def neutralise_formula(value: str | None) -> str | None:
    """Prefix a single quote to text a spreadsheet would evaluate as a formula."""
    if value and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_line(fields: Iterable[str | None], newline: str) -> str:
    """A whole CSV record, terminated by `newline`."""
    return ",".join(quote_field(field, newline) for field in fields) + newline


def encode_utf8(text: str) -> bytes:
    """UTF-8 bytes; a lone surrogate (possible from JSON escapes) becomes U+FFFD, as in .NET."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text).encode("utf-8")


def write_records(
    out: BinaryIO, records: Iterable[Iterable[str | None]], newline: str
) -> int:
    """Write CSV records as UTF-8 to `out`, a batch at a time; return how many were written."""
    written = 0
    batch: list[str] = []
    for record in records:
        batch.append(csv_line(record, newline))
        if len(batch) == _BATCH_SIZE:
            out.write(encode_utf8("".join(batch)))
            written += len(batch)
            batch.clear()
    out.write(encode_utf8("".join(batch)))
    return written + len(batch)
