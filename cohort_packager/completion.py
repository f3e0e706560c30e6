"""Decide whether an extraction job is complete by reconciling files, not by counting messages.

A job is complete when file-collection info has arrived for every requested key, every
dispatched file has an outcome, and every file an outcome says was written exists under
`<extract root>/<ExtractionDirectory>`. A written file still absent after the grace period no
longer blocks the job: it is recorded as missing from disk and reported. Repeated outcomes count
once; an outcome naming a file that was never dispatched counts for nothing and is flagged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cohort_packager.store.extraction_store import ExtractionStore

WRITTEN_VERDICTS = ("NotIdentifiable", "IsIdentifiable")


@dataclass
class JobProgress:
    """Where a job stands; counts and ids only, safe to show to operators."""

    job_id: str
    keys_requested: int
    keys_received: int = 0
    files_expected: int = 0
    files_accounted: int = 0
    unmatched_outcomes: int = 0
    awaiting_disk: int = 0
    missing_on_disk: list[str] = field(default_factory=list)
    complete: bool = False
    stalled: bool = False

    @property
    def waiting_on(self) -> str:
        if self.complete:
            return "nothing"
        if self.keys_received < self.keys_requested:
            return (f"file collection info for {self.keys_requested - self.keys_received} "
                    f"of {self.keys_requested} keys")
        if self.files_accounted < self.files_expected:
            return (f"outcomes for {self.files_expected - self.files_accounted} "
                    f"of {self.files_expected} files")
        return f"{self.awaiting_disk} written files to appear on disk"

    def as_document(self, evaluated_at: datetime) -> dict:
        return {
            "keysRequested": self.keys_requested, "keysReceived": self.keys_received,
            "filesExpected": self.files_expected, "filesAccounted": self.files_accounted,
            "unmatchedOutcomes": self.unmatched_outcomes, "awaitingDisk": self.awaiting_disk,
            "waitingOn": self.waiting_on, "stalled": self.stalled, "evaluatedAt": evaluated_at,
        }


def evaluate_job(store: ExtractionStore, job: dict, extract_root: Path, grace_seconds: float,
                 stalled_seconds: float, now: datetime,
                 last_activity: datetime | None) -> JobProgress:
    """Reconcile one job's stored documents (and its files on disk) and record the result."""
    progress = JobProgress(job_id=job["_id"], keys_requested=int(job["keyCount"]))
    expected_by_guid, expected_paths = _expected_files(store, job["_id"], progress)
    if progress.keys_received >= progress.keys_requested:
        written = _account_outcomes(store, job, expected_by_guid, expected_paths, progress)
        if progress.files_accounted >= progress.files_expected:
            _check_disk(store, job, written, extract_root, grace_seconds, now, progress)

    reference = last_activity or job["header"]["receivedAt"]
    progress.stalled = not progress.complete and now - reference > timedelta(
        seconds=stalled_seconds)
    store.set_job_fields(job["_id"], {
        "jobStatus": _status(progress),
        "progress": progress.as_document(now),
    })
    return progress


def _expected_files(store: ExtractionStore, job_id: str, progress: JobProgress):
    by_guid: dict[str, str] = {}
    paths: set[str] = set()
    keys: set[str] = set()
    projection = {"key": 1, "expectedFiles": 1}
    for document in store.collection_documents(job_id, projection):
        keys.add(document["key"])
        for expected in document.get("expectedFiles") or ():
            by_guid[expected["extractFileMessageGuid"]] = expected["anonymisedFilePath"]
            paths.add(expected["anonymisedFilePath"])
    progress.keys_received = len(keys)
    progress.files_expected = len(by_guid)
    return by_guid, paths


def _account_outcomes(store: ExtractionStore, job: dict, expected_by_guid: dict[str, str],
                      expected_paths: set[str], progress: JobProgress) -> list[dict]:
    """Match outcomes to dispatched files; returns the outcomes that say a file was written."""
    matched: set[str] = set()
    unnamed_sources: set[str] = set()
    written: list[dict] = []
    identifiable = bool(job.get("isIdentifiableExtraction"))
    projection = {"header.parents": 1, "outputFileName": 1, "dicomFilePath": 1,
                  "extractedFileStatus": 1, "verifiedFileStatus": 1}
    for outcome in store.outcome_documents(job["_id"], projection=projection):
        path = outcome.get("outputFileName")
        parent = _dispatching_parent(outcome, expected_by_guid)
        if parent is not None:
            matched.add(expected_by_guid[parent])
        elif path in expected_paths:
            matched.add(path)
        elif path is None:
            unnamed_sources.add(outcome.get("dicomFilePath"))
        else:
            progress.unmatched_outcomes += 1
            continue
        if path is not None and _says_written(outcome, identifiable):
            written.append(outcome)
    unnamed = min(len(unnamed_sources), progress.files_expected - len(matched))
    progress.files_accounted = len(matched) + unnamed
    return written


def _dispatching_parent(outcome: dict, expected_by_guid: dict[str, str]) -> str | None:
    parents = (outcome.get("header") or {}).get("parents") or ""
    for guid in parents.split("->"):
        if guid in expected_by_guid:
            return guid
    return None


def _says_written(outcome: dict, identifiable: bool) -> bool:
    if outcome.get("verifiedFileStatus") in WRITTEN_VERDICTS:
        return True
    return identifiable and outcome.get("extractedFileStatus") == "Copied"


def _check_disk(store: ExtractionStore, job: dict, written: list[dict], extract_root: Path,
                grace_seconds: float, now: datetime, progress: JobProgress) -> None:
    folder = Path(extract_root) / job["extractionDirectory"]
    absent = [o["_id"] for o in written if not _exists_inside(folder, o["outputFileName"])]
    progress.awaiting_disk = len(absent)
    if not absent:
        progress.complete = True
        return
    since = job.get("awaitingDiskSince")
    if since is None:
        store.set_job_fields(job["_id"], {"awaitingDiskSince": now})
        since = now
    if now - since >= timedelta(seconds=grace_seconds):
        progress.missing_on_disk = absent
        progress.complete = True


def _exists_inside(folder: Path, relative: str) -> bool:
    """Whether the file exists and really lies inside the extraction folder."""
    candidate = os.path.realpath(os.path.join(folder, relative))
    root = os.path.realpath(folder)
    return candidate.startswith(root + os.sep) and os.path.isfile(candidate)


def _status(progress: JobProgress) -> str:
    if progress.complete or progress.files_accounted >= progress.files_expected and (
            progress.keys_received >= progress.keys_requested):
        return "ReadyForChecks"
    if progress.keys_received >= progress.keys_requested:
        return "WaitingForStatuses"
    return "WaitingForCollectionInfo"
