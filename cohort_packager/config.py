"""Load the service configuration from YAML in the SMI layout, checking every key we read.

The file has the sections of the SMI microservice configuration that the CohortPackager uses
(`CohortPackagerOptions`, `RabbitOptions`, `MongoDatabases.ExtractionStoreOptions`,
`FileSystemOptions`), plus a few keys of our own in `CohortPackagerOptions` for ingest batching
and completion timing. Unknown keys are ignored, as upstream does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

CONFIG_ENV_VAR = "COHORT_PACKAGER_CONFIG"
MONGO_PASSWORD_ENV_VAR = "MONGO_SERVICE_PASSWORD"
RABBIT_PASSWORD_ENV_VAR = "COHORT_PACKAGER_RABBITMQ_PASSWORD"
EXTRACT_ROOT_ENV_VAR = "COHORT_PACKAGER_EXTRACT_ROOT"
DATA_DIR_ENV_VAR = "COHORT_PACKAGER_DATA_DIR"
DEFAULT_CONFIG_PATH = Path(__file__).with_name("default.yaml")

QUEUE_OPTION_KEYS = (
    "ExtractRequestInfoOptions",
    "FileCollectionInfoOptions",
    "NoVerifyStatusOptions",
    "VerificationStatusOptions",
)


class ConfigError(ValueError):
    """The configuration file is unreadable or a key has the wrong type or value."""


@dataclass(frozen=True)
class QueueOptions:
    queue_name: str
    prefetch_count: int


@dataclass(frozen=True)
class PackagerOptions:
    job_watcher_interval_seconds: int
    report_newline: str
    queues: Mapping[str, QueueOptions]
    ingest_max_messages_per_tick: int
    ingest_max_seconds_per_tick: float
    ingest_batch_size: int
    output_file_grace_seconds: float
    stalled_job_seconds: float
    completion_max_runs_per_tick: int


@dataclass(frozen=True)
class RabbitOptions:
    host: str
    port: int
    virtual_host: str
    user_name: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class MongoOptions:
    """Where the extraction store lives: a server named by host or URI, or the embedded one."""

    host: str
    port: int
    user_name: str
    password: str = field(repr=False)
    database_name: str
    connection_string: str = field(default="", repr=False)
    embedded_data_directory: Path | None = None

    @property
    def is_embedded(self) -> bool:
        return not self.host and not self.connection_string


@dataclass(frozen=True)
class Settings:
    source: Path
    packager: PackagerOptions
    rabbit: RabbitOptions
    mongo: MongoOptions
    extract_root: Path


def config_path() -> Path:
    """The configuration file to use: `$COHORT_PACKAGER_CONFIG`, else the shipped default."""
    value = os.environ.get(CONFIG_ENV_VAR, "").strip()
    return Path(value) if value else DEFAULT_CONFIG_PATH


def load_settings(path: Path | str | None = None) -> Settings:
    """Read and check the configuration; raises ConfigError naming the offending key."""
    source = Path(path) if path is not None else config_path()
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read configuration file {source}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"configuration file {source} is not valid YAML: {error}") from None
    root = _Section(raw, "", source)
    return Settings(
        source=source,
        packager=_packager_options(root.section("CohortPackagerOptions")),
        rabbit=_rabbit_options(root.section("RabbitOptions")),
        mongo=_mongo_options(
            root.section("MongoDatabases").section("ExtractionStoreOptions"), source
        ),
        extract_root=_extract_root(root.section("FileSystemOptions"), source),
    )


def _packager_options(section: _Section) -> PackagerOptions:
    queues = {}
    for key in QUEUE_OPTION_KEYS:
        queue = section.section(key)
        if queue.optional("AutoAck", bool, False):
            raise ConfigError(f"{queue.path('AutoAck')}: must be false (messages are "
                              "acknowledged only once stored)")
        queues[key] = QueueOptions(
            queue_name=queue.required("QueueName", str),
            prefetch_count=queue.positive("QoSPrefetchCount", 4000, maximum=65535),
        )
    return PackagerOptions(
        job_watcher_interval_seconds=section.positive("JobWatcherTimeoutInSeconds", 30),
        report_newline=_report_newline(section),
        queues=queues,
        ingest_max_messages_per_tick=section.positive("IngestMaxMessagesPerTick", 100_000),
        ingest_max_seconds_per_tick=section.positive("IngestMaxSecondsPerTick", 20.0,
                                                     maximum=50),
        ingest_batch_size=section.positive("IngestBatchSize", 1000),
        output_file_grace_seconds=section.non_negative("OutputFileGraceSeconds", 600.0),
        stalled_job_seconds=section.positive("StalledJobTimeoutSeconds", 86_400.0),
        completion_max_runs_per_tick=section.positive("CompletionMaxRunsPerTick", 25),
    )


def _report_newline(section: _Section) -> str:
    value = section.optional("ReportNewLine", str, "") or "\n"
    if value not in ("\n", "\r\n"):
        raise ConfigError(
            f"{section.path('ReportNewLine')}: expected a real line feed or carriage return + "
            'line feed (write "\\n" or "\\r\\n" in a double-quoted YAML string), got '
            f"{value!r}"
        )
    return value


def _rabbit_options(section: _Section) -> RabbitOptions:
    password = os.environ.get(RABBIT_PASSWORD_ENV_VAR)
    return RabbitOptions(
        host=section.optional("RabbitMqHostName", str, "localhost"),
        port=section.positive("RabbitMqHostPort", 5672, maximum=65535),
        virtual_host=section.optional("RabbitMqVirtualHost", str, "/"),
        user_name=section.optional("RabbitMqUserName", str, "guest"),
        password=password if password else section.optional("RabbitMqPassword", str, "guest"),
    )


def _mongo_options(section: _Section, source: Path) -> MongoOptions:
    password = os.environ.get(MONGO_PASSWORD_ENV_VAR)
    user_name = section.optional("UserName", str, "")
    if not password:
        password = section.optional("Password", str, "")
    if user_name and not password.strip():
        raise ConfigError(f"{section.path('Password')}: required when UserName is set "
                          f"(or set {MONGO_PASSWORD_ENV_VAR})")
    data_dir = section.optional("EmbeddedDataDirectory", str, "") or os.environ.get(
        DATA_DIR_ENV_VAR, ""
    )
    return MongoOptions(
        host=section.optional("HostName", str, ""),
        port=section.positive("Port", 27017, maximum=65535),
        user_name=user_name,
        password=password,
        database_name=section.required("DatabaseName", str),
        connection_string=section.optional("ConnectionString", str, ""),
        embedded_data_directory=_resolve(data_dir, source) if data_dir else None,
    )


def _extract_root(section: _Section, source: Path) -> Path:
    value = os.environ.get(EXTRACT_ROOT_ENV_VAR, "").strip()
    if not value:
        value = section.required("ExtractRoot", str).strip()
    return _resolve(value.rstrip("/\\") or "/", source)


def _resolve(value: str, source: Path) -> Path:
    """Absolute paths as given; relative ones against the configuration file's folder."""
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() else (source.parent / path).resolve()


class _Section:
    """A mapping in the YAML file, with typed accessors whose errors name the full key."""

    def __init__(self, raw: Any, prefix: str, source: Path):
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            where = prefix or "top level"
            raise ConfigError(f"{source}: {where}: expected a mapping, got {type(raw).__name__}")
        self._raw = raw
        self._prefix = prefix
        self._source = source

    def path(self, key: str) -> str:
        dotted = f"{self._prefix}.{key}" if self._prefix else key
        return f"{self._source}: {dotted}"

    def section(self, key: str) -> _Section:
        name = f"{self._prefix}.{key}" if self._prefix else key
        if key not in self._raw or self._raw[key] is None:
            raise ConfigError(f"{self.path(key)}: missing section")
        return _Section(self._raw[key], name, self._source)

    def required(self, key: str, kind: type) -> Any:
        if self._raw.get(key) is None:
            raise ConfigError(f"{self.path(key)}: required, expected a {kind.__name__}")
        return self._typed(key, kind)

    def optional(self, key: str, kind: type, default: Any) -> Any:
        if self._raw.get(key) is None:
            return default
        return self._typed(key, kind)

    def positive(self, key: str, default: Any, maximum: float | None = None) -> Any:
        value = self.optional(key, type(default), default)
        if value <= 0 or (maximum is not None and value > maximum):
            bound = f" and at most {maximum}" if maximum is not None else ""
            raise ConfigError(f"{self.path(key)}: expected a number above 0{bound}, got {value}")
        return value

    def non_negative(self, key: str, default: Any) -> Any:
        value = self.optional(key, type(default), default)
        if value < 0:
            raise ConfigError(f"{self.path(key)}: expected a number of 0 or more, got {value}")
        return value

    def _typed(self, key: str, kind: type) -> Any:
        value = self._raw[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ConfigError(
                f"{self.path(key)}: expected a {kind.__name__}, got {type(value).__name__}"
            )
        return value
