"""Build the report files of a completed job into its reports folder, atomically."""

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from cohort_packager.reports.atomic import write_folder_atomically
from cohort_packager.reports.csv_format import check_newline, encode_utf8
from cohort_packager.reports.location import reports_folder
from cohort_packager.reports.processing_errors import write_processing_errors
from cohort_packager.reports.readme import render_readme
from cohort_packager.reports.rejected_files import write_rejected_files
from cohort_packager.reports.verification_failures import write_verification_failures

# In the order upstream writes them.
REPORT_FILES = (
    "README.md",
    "rejected_files.csv",
    "processing_errors.csv",
    "verification_failures.csv",
)
# Identifiable extractions are not verified, so they have no verification failures file.
_NOT_FOR_IDENTIFIABLE = "verification_failures.csv"


@dataclass(frozen=True)
class ReportSet:
    """What a build wrote: the reports folder, and the data rows per file written (README 0)."""

    folder: Path
    rows: dict[str, int]


def build_reports(
    job: Mapping,
    collection_chunks: Callable[[], Iterable[pd.DataFrame]],
    outcome_chunks: Callable[[], Iterable[pd.DataFrame]],
    extract_root: Path,
    newline: str,
    missing_on_disk: Sequence[Mapping] = (),
    only: Collection[str] | None = None,
) -> ReportSet:
    """Write the job's report files (all, or those named in `only`) into its reports folder.

    Idempotent: the same stored documents give the same bytes. Files of the folder that are
    not rewritten stay as they are. The folder is replaced atomically, so a failure leaves
    the previous reports untouched. Raises ValueError (ReportLocationError for the folder)
    on a bad newline, a bad `only` name, or an invalid stored document.
    """
    check_newline(newline)
    if only is not None and (isinstance(only, str) or not set(only) <= set(REPORT_FILES)):
        raise ValueError(f"only must be a collection of names from {REPORT_FILES}")

    readme = encode_utf8(render_readme(job, newline))
    folder = reports_folder(extract_root, job["extractionDirectory"])
    identifiable = bool(job.get("isIdentifiableExtraction", False))

    def write_readme(out: BinaryIO) -> int:
        out.write(readme)
        return 0

    writers: dict[str, Callable[[BinaryIO], int]] = {
        "README.md": write_readme,
        "rejected_files.csv": lambda out: write_rejected_files(
            collection_chunks(), out, newline
        ),
        "processing_errors.csv": lambda out: write_processing_errors(
            outcome_chunks, out, newline, identifiable, missing_on_disk
        ),
        "verification_failures.csv": lambda out: write_verification_failures(
            outcome_chunks(), out, newline
        ),
    }
    wanted = {
        name: writers[name]
        for name in REPORT_FILES
        if (only is None or name in only)
        and not (identifiable and name == _NOT_FOR_IDENTIFIABLE)
    }
    if not wanted:
        return ReportSet(folder, {})
    return ReportSet(folder, write_folder_atomically(folder, wanted, keep_existing=True))
