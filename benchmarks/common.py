"""Shared set-up of the benchmarks: a MongoDB server, unique names, RSS sampling, clean-up.

The server is the embedded one, started in a temporary directory and stopped at the end, unless
`COHORT_PACKAGER_MONGO_URI` names another. Every run uses its own databases and queues, so
benchmarks can run beside the test suite, and removes them when it ends.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

# The scripts run as files (`python benchmarks/ingest.py`), so the project may not be on the path.
_REPO_ROOT = Path(__file__).resolve().parents[1]
if str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

import pika  # noqa: E402
import psutil  # noqa: E402
import pymongo  # noqa: E402

from cohort_packager.config import QUEUE_OPTION_KEYS  # noqa: E402
from cohort_packager.store.connection import MONGO_URI_ENV_VAR  # noqa: E402
from cohort_packager.store.embedded import (  # noqa: E402
    ensure_embedded_server,
    stop_embedded_server,
)
from cohort_packager.store.extraction_store import ExtractionStore  # noqa: E402

RABBIT_HOST = "127.0.0.1"
RABBIT_PORT = 5672
SAMPLE_SECONDS = 0.05


def unique_token() -> str:
    """A short random token that names this run's databases and queues."""
    return uuid.uuid4().hex[:10]


def queue_names(token: str, label: str) -> dict[str, str]:
    """Fresh queue names for the four input queues, keyed as in CohortPackagerOptions."""
    return {key: f"bench.{token}.{label}.{key}" for key in QUEUE_OPTION_KEYS}


@contextmanager
def mongo_server() -> Iterator[str]:
    """Yield a MongoDB connection string; an embedded server started here is stopped after."""
    configured = os.environ.get(MONGO_URI_ENV_VAR, "").strip()
    if configured:
        yield configured
        return
    data_dir = Path(tempfile.mkdtemp(prefix="cohort-bench-mongo-"))
    try:
        server = ensure_embedded_server(data_dir)
        print(f"embedded MongoDB started (pid {server.pid}, port {server.port})", flush=True)
        yield server.uri
    finally:
        stop_embedded_server(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def fresh_store(uri: str, database: str, indexed: bool = True) -> Iterator[ExtractionStore]:
    """A store on a new database with journaled writes, as the service opens it; dropped after."""
    client = pymongo.MongoClient(uri, journal=True, w=1, tz_aware=False)
    try:
        store = ExtractionStore(client[database])
        if indexed:
            store.create_indexes()
        yield store
    finally:
        client.drop_database(database)
        client.close()


@contextmanager
def broker_channel() -> Iterator[pika.adapters.blocking_connection.BlockingChannel]:
    """A channel on the local broker; the connection is closed after."""
    connection = pika.BlockingConnection(pika.ConnectionParameters(RABBIT_HOST, RABBIT_PORT))
    try:
        yield connection.channel()
    finally:
        if connection.is_open:
            connection.close()


def declare_queues(names: Iterable[str]) -> None:
    with broker_channel() as channel:
        for name in names:
            channel.queue_declare(name, durable=True)


def queue_depths(names: Iterable[str]) -> dict[str, int]:
    with broker_channel() as channel:
        return {name: channel.queue_declare(name, passive=True).method.message_count
                for name in names}


def delete_queues(names: Iterable[str]) -> None:
    """Delete the queues; a missing one is not an error."""
    with broker_channel() as channel:
        for name in names:
            channel.queue_delete(name)


class PeakRss:
    """Samples this process's resident set size on a thread while in a `with` block."""

    def __init__(self, interval: float = SAMPLE_SECONDS):
        self.interval = interval
        self.peak_bytes = 0
        self._process = psutil.Process()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / 2**20

    def __enter__(self) -> PeakRss:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        self.peak_bytes = max(self.peak_bytes, self._process.memory_info().rss)


class Stopwatch:
    """Wall-clock seconds of a `with` block."""

    seconds = 0.0

    def __enter__(self) -> Stopwatch:
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc_info) -> None:
        self.seconds = self.elapsed

    @property
    def elapsed(self) -> float:
        """Seconds since the block began, read while it runs."""
        return time.perf_counter() - self._started


def failure_count(index: int) -> int:
    """How many failures `failure_report(index, ...)` holds: 2 or 3."""
    return 2 + _variant(index) % 2


def failure_report(index: int, resource: str, lenient_share: float = 0.0) -> str:
    """An IsIdentifiable report for a flagged file: 2-3 failures of 2-3 parts each. About
    `lenient_share` of the reports are written with single quotes, which only the lenient
    (Newtonsoft-compatible) parser reads; the others are strict JSON."""
    variant = _variant(index)
    failures = []
    for number in range(failure_count(index)):
        parts = [{"Classification": _CLASSIFICATIONS[(variant + number + part) % 4],
                  "Offset": 4 * part, "Word": _WORDS[(variant + part) % len(_WORDS)]}
                 for part in range(2 + (variant >> 3 + number) % 2)]
        failures.append({
            "Parts": parts, "Resource": resource,
            "ResourcePrimaryKey": f"1.2.826.0.1.{index}.{number}",
            "ProblemField": _FIELDS[(variant + number) % len(_FIELDS)],
            "ProblemValue": " ".join(part["Word"] for part in parts),
        })
    if (variant >> 4) / 4096 < lenient_share:
        return _single_quoted(failures)
    return json.dumps(failures)


def _variant(index: int) -> int:
    # A multiplicative hash, so callers that flag every n-th file still see every variant.
    return (index * 0x9E3779B1 >> 16) & 0xFFFF


def _single_quoted(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_single_quoted(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"'{name}': {_single_quoted(item)}"
                               for name, item in value.items()) + "}"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return json.dumps(value)


_CLASSIFICATIONS = (3, 7, "Location", 2)
_WORDS = ("Alderman", "Quill", "03/04/1950", "Fenwick Road", "Tarbet", "Orla")
_FIELDS = ("PatientName", "StudyDescription", "InstitutionAddress", "PixelData")


def print_result(result: dict) -> None:
    """The last line of a benchmark's output: its figures as one JSON object."""
    print(json.dumps(result), flush=True)
