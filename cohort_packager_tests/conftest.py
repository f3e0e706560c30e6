"""Fixtures: a real RabbitMQ, a real MongoDB (embedded SecantusDB, or the server named by
COHORT_PACKAGER_MONGO_URI), and a fresh configuration, database and set of queues per test."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

import pika
import pymongo
import pytest
import yaml

from cohort_packager.config import QUEUE_OPTION_KEYS, Settings, load_settings
from cohort_packager.store.connection import MONGO_URI_ENV_VAR
from cohort_packager.store.embedded import ensure_embedded_server, stop_embedded_server
from cohort_packager.store.extraction_store import ExtractionStore

RABBIT_HOST = os.environ.get("COHORT_PACKAGER_TEST_RABBIT_HOST", "127.0.0.1")
RABBIT_PORT = int(os.environ.get("COHORT_PACKAGER_TEST_RABBIT_PORT", "5672"))


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory) -> str:
    configured = os.environ.get(MONGO_URI_ENV_VAR, "").strip()
    if configured:
        yield configured
        return
    data_dir = tmp_path_factory.mktemp("mongo")
    server = ensure_embedded_server(data_dir)
    yield server.uri
    stop_embedded_server(data_dir)


@pytest.fixture(scope="session")
def broker() -> tuple[str, int]:
    try:
        with socket.create_connection((RABBIT_HOST, RABBIT_PORT), timeout=3):
            pass
    except OSError:
        pytest.fail(f"RabbitMQ is not answering on {RABBIT_HOST}:{RABBIT_PORT}; start it with "
                    "`rabbitmq-server -detached` (the tests need a real broker)")
    return RABBIT_HOST, RABBIT_PORT


@dataclass
class TestEnvironment:
    """One test's configuration file, settings, store and queue names."""

    config_path: Path
    settings: Settings
    store: ExtractionStore
    extract_root: Path
    queue_names: dict[str, str]

    def channel(self):
        connection = pika.BlockingConnection(pika.ConnectionParameters(
            self.settings.rabbit.host, self.settings.rabbit.port))
        return connection, connection.channel()

    def declare_queues(self) -> None:
        connection, channel = self.channel()
        for name in self.queue_names.values():
            channel.queue_declare(name, durable=True)
        connection.close()

    def queue_depth(self, key: str) -> int:
        connection, channel = self.channel()
        try:
            return channel.queue_declare(self.queue_names[key], passive=True).method.message_count
        finally:
            connection.close()


def write_config(path: Path, *, mongo_uri: str, database: str, queue_names: dict[str, str],
                 extract_root: Path, broker: tuple[str, int], newline: str = "\n",
                 **packager_extra) -> Path:
    packager = {
        "JobWatcherTimeoutInSeconds": 1,
        "ReportNewLine": newline,
        "IngestMaxSecondsPerTick": 10,
        "OutputFileGraceSeconds": 600,
        **packager_extra,
    }
    for key, name in queue_names.items():
        packager[key] = {"QueueName": name, "QoSPrefetchCount": 500, "AutoAck": False}
    document = {
        "CohortPackagerOptions": packager,
        "RabbitOptions": {"RabbitMqHostName": broker[0], "RabbitMqHostPort": broker[1],
                          "RabbitMqUserName": "guest", "RabbitMqPassword": "guest"},
        "MongoDatabases": {"ExtractionStoreOptions": {
            "ConnectionString": mongo_uri, "DatabaseName": database, "UserName": ""}},
        "FileSystemOptions": {"ExtractRoot": str(extract_root)},
    }
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@pytest.fixture
def environment(tmp_path, mongo_uri, broker, monkeypatch):
    """A fresh database, four fresh queues, an empty extraction root and a config naming them."""
    token = uuid.uuid4().hex[:12]
    queue_names = {key: f"test.{token}.{key}" for key in QUEUE_OPTION_KEYS}
    extract_root = tmp_path / "extract"
    extract_root.mkdir()
    database = f"cp_test_{token}"
    config = write_config(tmp_path / "config.yaml", mongo_uri=mongo_uri, database=database,
                          queue_names=queue_names, extract_root=extract_root, broker=broker)
    monkeypatch.setenv("COHORT_PACKAGER_CONFIG", str(config))
    monkeypatch.delenv(MONGO_URI_ENV_VAR, raising=False)
    client = pymongo.MongoClient(mongo_uri, journal=True)
    store = ExtractionStore(client[database])
    store.create_indexes()
    env = TestEnvironment(config, load_settings(config), store, extract_root, queue_names)
    yield env
    client.drop_database(database)
    client.close()
    connection, channel = env.channel()
    for name in queue_names.values():
        channel.queue_delete(name)
    connection.close()
