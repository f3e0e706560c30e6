"""Stage a run's report files beside the reports folder, then publish them all at once."""

from __future__ import annotations

import fcntl
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cohort_packager import report_sources
from cohort_packager.reports import (
    remove_leftover,
    render_readme,
    write_folder_atomically,
    write_processing_errors,
    write_rejected_files,
    write_verification_failures,
)
from cohort_packager.store.extraction_store import ExtractionStore

_STAGING = ".staging-"


@dataclass(frozen=True)
class ReportRun:
    """What a report run writes: the job, its reports folder, the staging folder, the files."""

    job_id: str
    folder: Path
    staging: Path
    planned: tuple[str, ...]
    newline: str

    @classmethod
    def prepare(cls, job_id: str, folder: Path, run_id: str, planned: list[str],
                newline: str) -> ReportRun:
        """Create this run's staging folder, clearing those left by interrupted runs."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        for leftover in folder.parent.glob(f".{folder.name}{_STAGING}*"):
            remove_leftover(leftover)
        staging = folder.parent / f".{folder.name}{_STAGING}{run_id}"
        staging.mkdir()
        return cls(job_id, folder, staging, tuple(planned), newline)


def stage_report(store: ExtractionStore, run: ReportRun, file_name: str) -> int:
    """Write one report into the staging folder; returns its data rows."""
    job = store.job(run.job_id)
    rows = _WRITERS[file_name](store, job, run.newline, _Sink(run.staging / file_name))
    (run.staging / f"{file_name}.rows").write_text(json.dumps(rows))
    return rows


def publish_if_complete(run: ReportRun) -> bool:
    """Publish the staged files when every planned one is there; returns whether it did."""
    with open(run.staging / ".lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not all((run.staging / f"{name}.rows").exists() for name in run.planned):
            return False
        files = {name: _copier(run.staging / name) for name in run.planned}
        write_folder_atomically(run.folder, files, keep_existing=True)
    shutil.rmtree(run.staging, ignore_errors=True)
    return True


class _Sink:
    """Opens the staged file for writing only when a writer runs."""

    def __init__(self, path: Path):
        self.path = path

    def write_with(self, writer) -> int:
        with open(self.path, "wb") as out:
            return writer(out)


def _copier(path: Path):
    def copy(out: BinaryIO) -> int:
        with open(path, "rb") as source:
            shutil.copyfileobj(source, out, 1 << 20)
        return 0
    return copy


def _readme(store, job, newline, sink) -> int:
    text = render_readme(job, newline).encode("utf-8")
    return sink.write_with(lambda out: out.write(text) and 0)


def _rejected(store, job, newline, sink) -> int:
    chunks = report_sources.collection_chunks(store, job["_id"])
    return sink.write_with(lambda out: write_rejected_files(chunks(), out, newline))


def _processing_errors(store, job, newline, sink) -> int:
    chunks = report_sources.outcome_chunks(store, job["_id"],
                                           report_sources.PROCESSING_ERROR_FILTER)
    missing = report_sources.missing_on_disk(store, job)
    identifiable = bool(job.get("isIdentifiableExtraction"))
    return sink.write_with(
        lambda out: write_processing_errors(chunks, out, newline, identifiable, missing))


def _verification_failures(store, job, newline, sink) -> int:
    chunks = report_sources.outcome_chunks(store, job["_id"],
                                           report_sources.VERIFICATION_FAILURE_FILTER)
    return sink.write_with(lambda out: write_verification_failures(chunks(), out, newline))


_WRITERS = {
    "README.md": _readme,
    "rejected_files.csv": _rejected,
    "processing_errors.csv": _processing_errors,
    "verification_failures.csv": _verification_failures,
}
