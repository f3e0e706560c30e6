"""rejected_files.csv: why files of each key were not extracted, largest rejections first."""

import numbers
from collections.abc import Iterable, Mapping
from typing import BinaryIO

import pandas as pd

from cohort_packager.reports.csv_format import (
    as_text,
    check_newline,
    csv_line,
    encode_utf8,
    neutralise_formula,
    write_records,
)

HEADER = ("ExtractionKey", "Count", "Reason")


def write_rejected_files(
    collection_chunks: Iterable[pd.DataFrame], out: BinaryIO, newline: str
) -> int:
    """Write the rejections of file-collection documents given in arrival order.

    Keys are ordered by their total rejection count, descending, ties in arrival order; a
    key's reasons by count, descending, ties in the order received. Returns the row count.
    Raises ValueError for a blank reason or a count that is zero or not an integer.
    """
    check_newline(newline)
    rejections = _rejection_table(collection_chunks)
    rejections["total"] = rejections.groupby("document")["count"].transform("sum")
    ordered = rejections.sort_values(
        ["total", "document", "count", "position"], ascending=[False, True, False, True]
    )

    out.write(encode_utf8(csv_line(HEADER, newline)))
    records = (
        (neutralise_formula(as_text(key)), str(count), neutralise_formula(reason))
        for key, count, reason in zip(ordered["key"], ordered["count"], ordered["reason"])
    )
    return write_records(out, records, newline)


def _rejection_table(collection_chunks: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """One row per (document, reason): document and position keep the arrival order."""
    rows: list[tuple[int, object, int, str, int]] = []
    document = 0
    for chunk in collection_chunks:
        if chunk.empty:
            continue
        for key, info in zip(chunk["key"], chunk["rejectionInfo"]):
            for position, entry in enumerate(_entries(info, document)):
                reason, count = _checked(entry, document, position)
                rows.append((document, key, position, reason, count))
            document += 1
    columns = ["document", "key", "position", "reason", "count"]
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({"document": "int64", "position": "int64", "count": "int64"})


def _entries(info: object, document: int) -> list:
    if isinstance(info, (list, tuple)):
        return list(info)
    if as_text(info) is None:
        return []
    raise ValueError(
        f"file-collection document {document} (arrival order): rejectionInfo must be a list, "
        f"got {type(info).__name__}"
    )


def _checked(entry: object, document: int, position: int) -> tuple[str, int]:
    where = f"file-collection document {document} (arrival order), rejectionInfo[{position}]"
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where} must be a mapping, got {type(entry).__name__}")
    reason, count = entry.get("reason"), entry.get("count")
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError(f"{where}: reason must be non-blank text")
    if isinstance(count, bool) or not isinstance(count, numbers.Integral):
        raise ValueError(f"{where}: count must be an integer, got {type(count).__name__}")
    if count == 0:
        raise ValueError(f"{where}: count must not be 0")
    return reason, int(count)
