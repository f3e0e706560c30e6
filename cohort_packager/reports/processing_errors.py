"""processing_errors.csv: files that did not reach the extraction, each with the reason."""

from collections.abc import Callable, Iterable, Mapping
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

HEADER = ("DicomFilePath", "Reason")
MISSING_SOURCE_REASON = "Missing"
MISSING_OUTPUT_REASON = "Output file missing from the extraction directory"

OUTCOME_COLUMNS = ("dicomFilePath", "extractedFileStatus", "verifiedFileStatus", "statusMessage")

# Outcome chunks in arrival order, or a callable that streams them again on each call.
OutcomeChunks = Iterable[pd.DataFrame] | Callable[[], Iterable[pd.DataFrame]]

# A block picks its rows from one chunk: (dicomFilePath, reason) columns.
Block = Callable[[pd.DataFrame], pd.DataFrame]


def write_processing_errors(
    outcome_chunks: OutcomeChunks,
    out: BinaryIO,
    newline: str,
    identifiable: bool,
    missing_on_disk: Iterable[Mapping] = (),
) -> int:
    """Write the blocks of processing errors under one header; return the row count.

    Blocks, each in arrival order: source files reported missing; for non-identifiable jobs
    the anonymisation failures, then the verifier's ErrorWontRetry reports (DECISIONS 5); last
    the produced files absent from disk (DECISIONS 11). Given a callable, the outcomes are
    streamed once per block; given an iterable, they are read once and the later blocks'
    rows are held until the stream ends.
    """
    check_newline(newline)
    blocks: list[Block] = [_missing_sources]
    if not identifiable:
        blocks += [_anonymisation_failures, _verifier_errors]

    out.write(encode_utf8(csv_line(HEADER, newline)))
    if callable(outcome_chunks):
        rows = sum(
            write_records(out, _records(_select(outcome_chunks(), block)), newline)
            for block in blocks
        )
    else:
        rows = _write_blocks_in_one_pass(outcome_chunks, blocks, out, newline)

    missing_outputs = (
        (neutralise_formula(as_text(document.get("dicomFilePath"))), MISSING_OUTPUT_REASON)
        for document in missing_on_disk
    )
    return rows + write_records(out, missing_outputs, newline)


def _missing_sources(chunk: pd.DataFrame) -> pd.DataFrame:
    picked = chunk.loc[chunk["extractedFileStatus"] == "FileMissing", ["dicomFilePath"]]
    return picked.assign(reason=MISSING_SOURCE_REASON)


def _anonymisation_failures(chunk: pd.DataFrame) -> pd.DataFrame:
    # A FileMissing status matches here too: upstream lists such a file twice.
    failed = (chunk["verifiedFileStatus"] == "NotVerified") & (
        chunk["extractedFileStatus"] != "Copied"
    )
    return _with_status_message(chunk, failed)


def _verifier_errors(chunk: pd.DataFrame) -> pd.DataFrame:
    return _with_status_message(chunk, chunk["verifiedFileStatus"] == "ErrorWontRetry")


def _with_status_message(chunk: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    picked = chunk.loc[mask, ["dicomFilePath", "statusMessage"]]
    return picked.rename(columns={"statusMessage": "reason"})


def _select(chunks: Iterable[pd.DataFrame], block: Block) -> Iterable[pd.DataFrame]:
    for chunk in chunks:
        if not chunk.empty:
            yield block(_checked(chunk))


def _write_blocks_in_one_pass(
    chunks: Iterable[pd.DataFrame], blocks: list[Block], out: BinaryIO, newline: str
) -> int:
    first, *later = blocks
    held: list[list[pd.DataFrame]] = [[] for _ in later]
    rows = 0
    for chunk in chunks:
        if chunk.empty:
            continue
        chunk = _checked(chunk)
        rows += write_records(out, _records([first(chunk)]), newline)
        for pending, block in zip(held, later):
            pending.append(block(chunk))
    for pending in held:
        rows += write_records(out, _records(pending), newline)
    return rows


def _records(selections: Iterable[pd.DataFrame]) -> Iterable[tuple[str | None, str | None]]:
    for selection in selections:
        for path, reason in zip(selection["dicomFilePath"], selection["reason"]):
            yield neutralise_formula(as_text(path)), neutralise_formula(as_text(reason))


def _checked(chunk: pd.DataFrame) -> pd.DataFrame:
    missing = [column for column in OUTCOME_COLUMNS if column not in chunk.columns]
    if missing:
        raise ValueError(f"outcome chunk lacks column(s) {missing}")
    return chunk
