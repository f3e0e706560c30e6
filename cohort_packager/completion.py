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

    def as_document(self) -> dict:
        return {
            "keysRequested": self.keys_requested, "keysReceived": self.keys_received,
            "filesExpected": self.files_expected, "filesAccounted": self.files_accounted,
            "unmatchedOutcomes": self.unmatched_outcomes, "awaitingDisk": self.awaiting_disk,
            "waitingOn": self.waiting_on, "stalled": self.stalled, "complete": self.complete,
        }


@dataclass(frozen=True)
class CompletionRules:
    extract_root: Path
    grace_seconds: float
    stalled_seconds: float


def evaluate_job(store: ExtractionStore, job: dict, extract_root: Path, grace_seconds: float,
                 stalled_seconds: float, now: datetime,
                 last_activity: datetime | None) -> JobProgress:
    """Reconcile one job's stored documents (and its files on disk) and record the result."""
    rules = CompletionRules(extract_root, grace_seconds, stalled_seconds)
    return evaluate_jobs(store, [job], rules, now, {job["_id"]: last_activity})[job["_id"]]


def evaluate_jobs(store: ExtractionStore, jobs: list[dict], rules: CompletionRules,
                  now: datetime, last_activity: dict[str, datetime | None]
                  ) -> dict[str, JobProgress]:
    """Reconcile several jobs with one query per collection, and record each job's result."""
    ledgers = {job["_id"]: _Ledger(job) for job in jobs}
    projection = {"jobId": 1, "key": 1, "expectedFiles": 1}
    for document in store.collections.find({"jobId": {"$in": list(ledgers)}}, projection):
        ledgers[document["jobId"]].add_collection(document)

    counting = [job_id for job_id, ledger in ledgers.items() if ledger.keys_complete]
    if counting:
        projection = {"jobId": 1, "header.parents": 1, "outputFileName": 1,
                      "dicomFilePath": 1, "extractedFileStatus": 1, "verifiedFileStatus": 1}
        for outcome in store.outcomes.find({"jobId": {"$in": counting}}, projection):
            ledgers[outcome["jobId"]].add_outcome(outcome)

    results = {}
    for job in jobs:
        ledger = ledgers[job["_id"]]
        progress = ledger.progress()
        if ledger.keys_complete and progress.files_accounted >= progress.files_expected:
            _check_disk(store, job, ledger.written, rules, now, progress)
        reference = last_activity.get(job["_id"]) or job["header"]["receivedAt"]
        progress.stalled = not progress.complete and now - reference > timedelta(
            seconds=rules.stalled_seconds)
        results[job["_id"]] = progress
    changed = {}
    for job in jobs:
        fields = {"jobStatus": _status(results[job["_id"]]),
                  "progress": results[job["_id"]].as_document()}
        if any(job.get(name) != value for name, value in fields.items()):
            changed[job["_id"]] = fields
    store.record_progress(changed)
    return results


class _Ledger:
    """One job's dispatched files and the outcomes matched to them, built while streaming."""

    def __init__(self, job: dict):
        self.job = job
        self.keys: set[str] = set()
        self.expected_by_guid: dict[str, str] = {}
        self.expected_paths: set[str] = set()
        self.matched: set[str] = set()
        self.unnamed_sources: set[str] = set()
        self.unmatched = 0
        self.written: list[dict] = []
        self.identifiable = bool(job.get("isIdentifiableExtraction"))

    @property
    def keys_complete(self) -> bool:
        return len(self.keys) >= int(self.job["keyCount"])

    def add_collection(self, document: dict) -> None:
        self.keys.add(document["key"])
        for expected in document.get("expectedFiles") or ():
            self.expected_by_guid[expected["extractFileMessageGuid"]] = (
                expected["anonymisedFilePath"])
            self.expected_paths.add(expected["anonymisedFilePath"])

    def add_outcome(self, outcome: dict) -> None:
        """Match an outcome to a dispatched file: by its parent message, else by its path; an
        outcome without a path (a failure) stands for one of the files not otherwise matched."""
        path = outcome.get("outputFileName")
        parent = _dispatching_parent(outcome, self.expected_by_guid)
        if parent is not None:
            self.matched.add(self.expected_by_guid[parent])
        elif path in self.expected_paths:
            self.matched.add(path)
        elif path is None:
            self.unnamed_sources.add(outcome.get("dicomFilePath"))
        else:
            self.unmatched += 1
            return
        if path is not None and _says_written(outcome, self.identifiable):
            self.written.append(outcome)

    def progress(self) -> JobProgress:
        progress = JobProgress(job_id=self.job["_id"], keys_requested=int(self.job["keyCount"]),
                               keys_received=len(self.keys),
                               files_expected=len(self.expected_by_guid),
                               unmatched_outcomes=self.unmatched)
        unnamed = min(len(self.unnamed_sources), progress.files_expected - len(self.matched))
        progress.files_accounted = len(self.matched) + max(unnamed, 0)
        return progress


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


def _check_disk(store: ExtractionStore, job: dict, written: list[dict], rules: CompletionRules,
                now: datetime, progress: JobProgress) -> None:
    folder = Path(rules.extract_root) / job["extractionDirectory"]
    absent = [o["_id"] for o in written if not _exists_inside(folder, o["outputFileName"])]
    progress.awaiting_disk = len(absent)
    if not absent:
        progress.complete = True
        return
    since = job.get("awaitingDiskSince")
    if since is None:
        store.set_job_fields(job["_id"], {"awaitingDiskSince": now})
        since = now
    if now - since >= timedelta(seconds=rules.grace_seconds):
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
