"""An embedded MongoDB server of one test alone, which the test may kill with SIGKILL and start
again on the same data directory, as a machine crash and reboot would."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil
import pymongo

from cohort_packager.store.embedded import (
    EmbeddedServer,
    ensure_embedded_server,
    stop_embedded_server,
)
from cohort_packager.store.extraction_store import ExtractionStore
from cohort_packager_tests.test_faults import edit_config, store_options

EXIT_TIMEOUT_SECONDS = 30.0


class DedicatedMongo:
    """Runs a server on `data_directory` and points the environment's configuration at it."""

    def __init__(self, environment, data_directory: Path):
        self.environment = environment
        self.data_directory = data_directory
        self.server: EmbeddedServer | None = None
        self.client: pymongo.MongoClient | None = None

    def start(self) -> ExtractionStore:
        """Start the server (again), point the configuration at it and return a store on it.

        A restarted server listens on a new port, so the configuration changes each time.
        """
        self.server = ensure_embedded_server(self.data_directory)
        edit_config(self.environment, store_options(ConnectionString=self.server.uri))
        self._close_client()
        self.client = pymongo.MongoClient(self.server.uri, journal=True)
        store = ExtractionStore(self.client[self.environment.settings.mongo.database_name])
        store.create_indexes()
        return store

    def kill(self) -> None:
        """SIGKILL the server and wait until it is gone; it gets no chance to flush anything."""
        self._close_client()
        os.kill(self.server.pid, signal.SIGKILL)
        try:
            psutil.Process(self.server.pid).wait(timeout=EXIT_TIMEOUT_SECONDS)
        except psutil.NoSuchProcess:
            pass  # already reaped

    def stop(self) -> None:
        self._close_client()
        stop_embedded_server(self.data_directory)

    def _close_client(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
