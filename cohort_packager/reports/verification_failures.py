"""verification_failures.csv: IsIdentifiable's failure-store rows for files it flagged.

The file is read back by IsIdentifiable's reviewer tool, so cells are written exactly as
received (no formula guarding), with the file's output path as the Resource.
"""

from collections.abc import Iterable, Iterator
from typing import BinaryIO

import pandas as pd

from cohort_packager.messages import parse_failure_report
from cohort_packager.reports.csv_format import (
    as_text,
    check_newline,
    csv_line,
    encode_utf8,
    write_records,
)

HEADER = (
    "Resource",
    "ResourcePrimaryKey",
    "ProblemField",
    "ProblemValue",
    "PartWords",
    "PartClassifications",
    "PartOffsets",
)
PART_SEPARATOR = "###"

OUTCOME_COLUMNS = ("outputFileName", "verifiedFileStatus", "statusMessage")


def write_verification_failures(
    outcome_chunks: Iterable[pd.DataFrame], out: BinaryIO, newline: str
) -> int:
    """Write one row per Failure of each IsIdentifiable verdict, in arrival order.

    Returns the row count. Raises ValueError naming the output file when a stored report
    does not parse (ingest validates reports, so this signals a damaged store).
    """
    check_newline(newline)
    out.write(encode_utf8(csv_line(HEADER, newline)))
    return write_records(out, _failure_rows(outcome_chunks), newline)


def _failure_rows(outcome_chunks: Iterable[pd.DataFrame]) -> Iterator[tuple[str | None, ...]]:
    for chunk in outcome_chunks:
        if chunk.empty:
            continue
        missing = [column for column in OUTCOME_COLUMNS if column not in chunk.columns]
        if missing:
            raise ValueError(f"outcome chunk lacks column(s) {missing}")

        flagged = chunk.loc[
            chunk["verifiedFileStatus"] == "IsIdentifiable", ["outputFileName", "statusMessage"]
        ]
        for output_file, report in zip(flagged["outputFileName"], flagged["statusMessage"]):
            resource = as_text(output_file)
            for failure in _parsed(report, resource):
                yield (
                    resource,
                    failure.resource_primary_key,
                    failure.problem_field,
                    failure.problem_value,
                    PART_SEPARATOR.join(part.word or "" for part in failure.parts),
                    PART_SEPARATOR.join(part.classification for part in failure.parts),
                    PART_SEPARATOR.join(str(part.offset) for part in failure.parts),
                )


def _parsed(report: object, resource: str | None) -> list:
    text = as_text(report)
    if text is None:
        raise ValueError(f"verification report for output file {resource!r} is missing")
    try:
        return parse_failure_report(text)
    except ValueError as error:
        raise ValueError(
            f"verification report for output file {resource!r} does not parse: {error}"
        ) from error
