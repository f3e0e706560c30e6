"""Time the completion sensor's tick with many extraction jobs in progress.

Stores `--jobs` jobs (default 1,000), each waiting on outcomes (two keys, 20 dispatched files,
10 outcomes), then evaluates the real `detect_complete_extractions` sensor through Dagster: the
first tick, which reconciles every job, and a steady tick, in which nothing changed. The baseline,
measured in the same run, is a bare pymongo read of the same job documents. The last line is JSON:
{"jobs": N, "first_tick_seconds": F, "steady_tick_seconds": S, "baseline_seconds": B,
 "steady_ratio": S/B}
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import yaml
from common import Stopwatch, fresh_store, mongo_server, print_result, queue_names, unique_token

from dagster import DagsterInstance, SkipReason, build_sensor_context

FILES_PER_JOB = 20
OUTCOMES_PER_JOB = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    args = parser.parse_args()

    token = unique_token()
    with mongo_server() as uri, fresh_store(uri, f"bench_completion_{token}") as store, \
            tempfile.TemporaryDirectory() as scratch:
        print(f"storing {args.jobs} jobs in progress ...", flush=True)
        _store_jobs(store, args.jobs)
        os.environ["COHORT_PACKAGER_CONFIG"] = str(_config(Path(scratch), uri, store, token))

        from cohort_packager.definitions import build_definitions
        defs = build_definitions()
        sensor = defs.get_sensor_def("detect_complete_extractions")
        instance = DagsterInstance.ephemeral()

        first, cursor = _timed_tick(sensor, defs, instance, None)
        steady, _ = _timed_tick(sensor, defs, instance, cursor)
        with Stopwatch() as baseline:
            assert len(list(store.jobs.find({}))) == args.jobs

        print(f"first tick (reconciles every job): {first.seconds:.2f} s")
        print(f"steady tick (nothing changed):     {steady.seconds:.2f} s")
        print(f"baseline, read the job documents:  {baseline.seconds:.3f} s")
        print_result({
            "jobs": args.jobs,
            "first_tick_seconds": round(first.seconds, 3),
            "steady_tick_seconds": round(steady.seconds, 3),
            "baseline_seconds": round(baseline.seconds, 4),
            "steady_ratio": round(steady.seconds / baseline.seconds, 2),
        })


def _timed_tick(sensor, defs, instance, cursor):
    """One tick as the daemon runs it, given the cursor the previous tick left."""
    with build_sensor_context(instance=instance, resources=defs.resources, definitions=defs,
                              cursor=cursor) as context:
        with Stopwatch() as watch:
            result = sensor(context)
        cursor = context.cursor
    if not isinstance(result, SkipReason):
        raise SystemExit("the completion sensor requested runs; the jobs should all be waiting")
    print(f"  tick message: {result.skip_message}")
    return watch, cursor


def _store_jobs(store, count: int) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    jobs, collections, outcomes = [], [], []
    for number in range(count):
        job_id = f"{number:08x}-0000-4000-8000-{time.time_ns() % 10**12:012d}"
        header = {"messageGuid": job_id, "parents": "", "receivedAt": now}
        jobs.append({"_id": job_id, "header": header, "keyCount": 2, "arrival": number,
                     "extractionDirectory": f"P/extractions/job{number}",
                     "isIdentifiableExtraction": False, "projectNumber": "P"})
        files = [{"extractFileMessageGuid": f"{job_id[:24]}{f:012d}",
                  "anonymisedFilePath": f"S/{f}.dcm"} for f in range(FILES_PER_JOB)]
        for key in range(2):
            collections.append({
                "_id": f"{job_id}:k{key}", "jobId": job_id, "arrival": number, "key": f"k{key}",
                "header": header, "expectedFiles": files[key::2],
                "rejectedKeys": {"rejectionInfo": []}})
        for f in range(OUTCOMES_PER_JOB):
            outcomes.append({
                "_id": f"{job_id}-{f}", "jobId": job_id, "arrival": number * 100 + f,
                "header": {**header, "messageGuid": f"{job_id}-{f}"},
                "dicomFilePath": f"src/{f}.dcm", "outputFileName": f"S/{f}.dcm",
                "extractedFileStatus": "Anonymised", "verifiedFileStatus": "NotIdentifiable",
                "statusMessage": "[]"})
    store.jobs.insert_many(jobs)
    store.collections.insert_many(collections)
    store.outcomes.insert_many(outcomes)


def _config(folder: Path, uri: str, store, token: str) -> Path:
    packager = {"JobWatcherTimeoutInSeconds": 30}
    for key, name in queue_names(token, "completion").items():
        packager[key] = {"QueueName": name}
    document = {
        "CohortPackagerOptions": packager,
        "RabbitOptions": {},
        "MongoDatabases": {"ExtractionStoreOptions": {
            "ConnectionString": uri, "DatabaseName": store.database.name}},
        "FileSystemOptions": {"ExtractRoot": str(folder / "extract")},
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


if __name__ == "__main__":
    main()
