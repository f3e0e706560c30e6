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
from cohort_packager.completion import evaluate_job
from cohort_packager.resources.extraction_store import ExtractionStoreResource

EVALUATION_BUDGET_SECONDS = 30.0


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
        with extraction_store.open(settings) as store:
            ready, waiting, unchecked = _find_ready_jobs(store, settings, options)

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


def _find_ready_jobs(store, settings, options):
    """Evaluate jobs whose state may have changed, within a time and run budget."""
    started = time.monotonic()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    jobs = [j for j in store.jobs_in_progress() if "readyAt" not in j]
    activity = store.progress_of(j["_id"] for j in jobs)
    ready: list[str] = []
    waiting: dict[str, int] = {}
    unchecked = 0
    for job in sorted(jobs, key=lambda j: _evaluated_at(j)):
        last_activity = activity.get(job["_id"], {}).get("lastActivityAt")
        if not _needs_evaluation(job, last_activity, now, options.stalled_job_seconds):
            _count_waiting(waiting, job.get("progress"))
            continue
        if len(ready) >= options.completion_max_runs_per_tick or (
                time.monotonic() - started > EVALUATION_BUDGET_SECONDS):
            unchecked += 1
            continue
        progress = evaluate_job(store, job, settings.extract_root,
                                options.output_file_grace_seconds,
                                options.stalled_job_seconds, now, last_activity)
        if progress.complete:
            store.set_job_fields(job["_id"], {"readyAt": now,
                                              "missingOnDisk": progress.missing_on_disk})
            ready.append(job["_id"])
        else:
            _count_waiting(waiting, progress.as_document(now))
    return ready, waiting, unchecked


def _needs_evaluation(job: dict, last_activity, now: datetime, stalled_seconds: float) -> bool:
    progress = job.get("progress")
    if progress is None or job.get("awaitingDiskSince") is not None:
        return True
    evaluated = progress["evaluatedAt"]
    if last_activity is not None and last_activity >= evaluated:
        return True
    reference = last_activity or job["header"]["receivedAt"]
    becomes_stalled = (now - reference).total_seconds() > stalled_seconds
    return becomes_stalled != progress.get("stalled", False)


def _evaluated_at(job: dict) -> datetime:
    progress = job.get("progress") or {}
    return progress.get("evaluatedAt") or datetime.min


def _count_waiting(waiting: dict[str, int], progress: dict | None) -> None:
    if progress is None:
        reason = "a first check"
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

