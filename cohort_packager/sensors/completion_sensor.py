"""The completion sensor: requests one report run for each extraction that became complete."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from dagster import (
    DefaultSensorStatus,
    JobDefinition,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from cohort_packager.assets.partitions import extractions
from cohort_packager.completion import CompletionRules, evaluate_jobs
from cohort_packager.resources.extraction_store import ExtractionStoreResource

EVALUATION_BUDGET_SECONDS = 30.0
EVALUATION_GROUP = 100


def build_completion_sensor(report_job: JobDefinition, interval_seconds: int) -> SensorDefinition:
    """A sensor that checks waiting jobs every `interval_seconds` and starts `report_job`."""

    @sensor(
        name="detect_complete_extractions",
        job=report_job,
        minimum_interval_seconds=interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description="Requests a report run, keyed by the job GUID, for every extraction whose "
                    "files are all accounted for and present on disk.",
    )
    def detect_complete_extractions(context: SensorEvaluationContext,
                                    extraction_store: ExtractionStoreResource):
        """Fires when an extraction's last outcome is stored and its files are on disk."""
        settings = extraction_store.settings()
        options = settings.packager
        tick_started = datetime.now(timezone.utc).replace(tzinfo=None)
        since = datetime.fromisoformat(context.cursor) if context.cursor else None
        with extraction_store.open(settings) as store:
            ready, waiting, unchecked = _find_ready_jobs(store, settings, options, since,
                                                         tick_started)
        if not unchecked:
            context.update_cursor(tick_started.isoformat())

        requests = [RunRequest(run_key=job_id, partition_key=job_id) for job_id in ready]
        message = _tick_message(ready, waiting, unchecked)
        context.log.info(message)
        if not requests:
            return SkipReason(message)
        return SensorResult(
            run_requests=requests,
            dynamic_partitions_requests=[extractions.build_add_request(ready)],
        )

    return detect_complete_extractions


def _find_ready_jobs(store, settings, options, since: datetime | None, now: datetime):
    """Evaluate the jobs that may have changed since the last tick that checked every job due
    (`since`), in groups, within a time and run budget."""
    started = time.monotonic()
    rules = CompletionRules(settings.extract_root, options.output_file_grace_seconds,
                            options.stalled_job_seconds)
    jobs = [j for j in store.jobs_in_progress() if "readyAt" not in j]
    activity = {job_id: doc.get("lastActivityAt")
                for job_id, doc in store.progress_of(j["_id"] for j in jobs).items()}
    ready: list[str] = []
    waiting: dict[str, int] = {}
    due = []
    for job in jobs:
        if _needs_evaluation(job, activity.get(job["_id"]), since, now,
                             options.stalled_job_seconds):
            due.append(job)
        else:
            _count_waiting(waiting, job.get("progress"))

    unchecked = 0
    for first in range(0, len(due), EVALUATION_GROUP):
        group = due[first:first + EVALUATION_GROUP]
        if len(ready) >= options.completion_max_runs_per_tick or (
                time.monotonic() - started > EVALUATION_BUDGET_SECONDS):
            unchecked += len(group)
            continue
        for job_id, progress in evaluate_jobs(store, group, rules, now, activity).items():
            if progress.complete and len(ready) < options.completion_max_runs_per_tick:
                store.set_job_fields(job_id, {"readyAt": now,
                                              "missingOnDisk": progress.missing_on_disk})
                ready.append(job_id)
            else:
                _count_waiting(waiting, progress.as_document())
    return ready, waiting, unchecked


def _needs_evaluation(job: dict, last_activity: datetime | None, since: datetime | None,
                      now: datetime, stalled_seconds: float) -> bool:
    """Whether a job may have changed: new documents since `since`, a complete job waiting
    for a run slot, written files awaited on disk, or a job crossing the stalled timeout."""
    progress = job.get("progress")
    if since is None or progress is None or progress.get("complete"):
        return True
    if job.get("awaitingDiskSince") or (last_activity is not None and last_activity >= since):
        return True
    reference = last_activity or job["header"]["receivedAt"]
    becomes_stalled = (now - reference).total_seconds() > stalled_seconds
    return becomes_stalled != progress.get("stalled", False)


def _count_waiting(waiting: dict[str, int], progress: dict | None) -> None:
    if progress is None:
        reason = "a first check"
    elif progress.get("complete"):
        reason = "a free run slot"
    elif progress.get("stalled"):
        reason = "stalled"
    elif progress["keysReceived"] < progress["keysRequested"]:
        reason = "file collection info"
    elif progress["filesAccounted"] < progress["filesExpected"]:
        reason = "file outcomes"
    else:
        reason = "files on disk"
    waiting[reason] = waiting.get(reason, 0) + 1


def _tick_message(ready: list[str], waiting: dict[str, int], unchecked: int) -> str:
    requested = f"requested reports for {len(ready)} jobs" + (
        f" ({', '.join(ready)})" if ready else "")
    total = sum(waiting.values()) + unchecked
    detail = ", ".join(f"{n} on {reason}" for reason, n in sorted(waiting.items()))
    if unchecked:
        detail = ", ".join(filter(None, [detail, f"{unchecked} not checked this tick"]))
    return f"Completion check: {requested}; {total} jobs waiting" + (
        f" ({detail})" if detail else "")

