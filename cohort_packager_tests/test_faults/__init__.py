"""Fault-injection tests: real child processes killed or cut off part way, a real RabbitMQ and a
real MongoDB. After each fault, every message is stored once (or rejected with its reason) and
the reports equal those of a fault-free run of the same input. Helpers shared by the modules.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable

import yaml
from dagster import DagsterInstance

from cohort_packager.config import load_settings
from cohort_packager.ingest.batch import ArrivalClock
from cohort_packager.ingest.consumer import TickReport, drain_queues
from cohort_packager.reports import reports_folder
from cohort_packager.store.extraction_store import ExtractionStore
from cohort_packager_tests.support.acceptance import COMPARE_SCRIPT, CaseMessage, publish
from cohort_packager_tests.support.service import ServiceDriver
from cohort_packager_tests.support.store_contents import document_counts

COLLECTION_OF_QUEUE = {
    "ExtractRequestInfoOptions": "jobs",
    "FileCollectionInfoOptions": "fileCollections",
    "NoVerifyStatusOptions": "fileOutcomes",
    "VerificationStatusOptions": "fileOutcomes",
}


def edit_config(environment, change: Callable[[dict], None]) -> None:
    """Apply `change` to the environment's YAML configuration and reload its settings."""
    document = yaml.safe_load(environment.config_path.read_text(encoding="utf-8"))
    change(document)
    environment.config_path.write_text(yaml.safe_dump(document), encoding="utf-8")
    environment.settings = load_settings(environment.config_path)


def packager_options(**options) -> Callable[[dict], None]:
    """A config change setting keys of CohortPackagerOptions."""
    return lambda document: document["CohortPackagerOptions"].update(options)


def store_options(**options) -> Callable[[dict], None]:
    """A config change setting keys of MongoDatabases.ExtractionStoreOptions."""
    return lambda document: document["MongoDatabases"]["ExtractionStoreOptions"].update(options)


def publish_messages(environment, messages: Iterable[CaseMessage]) -> None:
    """Publish `messages` persistently, in order, each to its queue of `environment`."""
    connection, channel = environment.channel()
    try:
        for message in messages:
            publish(channel, environment.queue_names[message.queue], message.headers,
                    message.body)
    finally:
        connection.close()


def drain(environment, store: ExtractionStore | None = None, **budget) -> TickReport:
    """One ingest tick of the service's own code, in this process."""
    return drain_queues(environment.settings.rabbit, environment.settings.packager,
                        store or environment.store, ArrivalClock(), **budget)


def drain_until_empty(environment, store: ExtractionStore | None = None,
                      max_ticks: int = 10) -> TickReport:
    """Ingest ticks until one finds the queues empty; returns their counts added up."""
    total = TickReport()
    for _ in range(max_ticks):
        report = drain(environment, store)
        if report.total == 0:
            return total
        total.stored.update(report.stored)
        total.duplicates.update(report.duplicates)
        total.rejected.update(report.rejected)
        total.batches += report.batches
        total.seconds += report.seconds
    raise AssertionError(f"the queues were not empty after {max_ticks} ingest ticks")


def per_queue(messages: Iterable[CaseMessage]) -> Counter:
    return Counter(message.queue for message in messages)


def stored_per_queue(store: ExtractionStore) -> Counter:
    """Stored documents counted by the queue their message came from."""
    counts = Counter({"ExtractRequestInfoOptions": store.jobs.count_documents({}),
                      "FileCollectionInfoOptions": store.collections.count_documents({})})
    for queue in ("NoVerifyStatusOptions", "VerificationStatusOptions"):
        counts[queue] = store.outcomes.count_documents({"queue": queue})
    return counts


def distinct_message_counts(messages: Iterable[CaseMessage]) -> dict[str, int]:
    """Documents that storing each distinct message once yields (valid input only)."""
    guids: dict[str, set[str]] = {name: set() for name in COLLECTION_OF_QUEUE.values()}
    for message in messages:
        guids[COLLECTION_OF_QUEUE[message.queue]].add(message.headers["MessageGuid"])
    return {**{name: len(found) for name, found in guids.items()}, "rejectedMessages": 0}


def settled_depths(environment, remaining: int, seconds: float = 10.0) -> dict[str, int]:
    """Queue depths once `remaining` messages are back on the queues (the broker requeues a
    dead consumer's unacknowledged messages shortly after its connection goes), or after
    `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        depths = {key: environment.queue_depth(key) for key in environment.queue_names}
        if sum(depths.values()) == remaining or time.monotonic() > deadline:
            return depths
        time.sleep(0.1)


def compare_reports(case_folder: Path, extract_root: Path) -> subprocess.CompletedProcess:
    """compare.py on the produced reports: CSVs byte for byte, README.md up to its times."""
    return subprocess.run(
        [sys.executable, str(COMPARE_SCRIPT), str(case_folder), str(extract_root),
         "--extract-root", "--allow-extra"],
        capture_output=True, text=True,
    )


def job_reports_folder(environment, job_id: str) -> Path:
    """Where the reports of the stored job `job_id` are written."""
    job = environment.store.job(job_id)
    return reports_folder(environment.settings.extract_root, job["extractionDirectory"])


def folder_contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def assert_stored_once_and_reported(environment, backlog, store: ExtractionStore | None = None
                                    ) -> None:
    """The end every fault must reach: each message stored once, the queues empty, one report
    run requested for the job, and reports byte-identical to a fault-free run."""
    assert document_counts(store or environment.store) == distinct_message_counts(
        backlog.messages)
    assert settled_depths(environment, 0) == dict.fromkeys(environment.queue_names, 0)
    driver = ServiceDriver(DagsterInstance.ephemeral())
    assert driver.completion_tick() == [backlog.meta["job_id"]]
    assert_reports_match(backlog, environment)


def assert_reports_match(backlog, environment) -> None:
    result = compare_reports(backlog.folder, environment.extract_root)
    assert result.returncode == 0, result.stdout + result.stderr

