"""Loading the configuration: the SMI layout, defaults that work, errors that name the key."""

from __future__ import annotations

import pytest
import yaml

from cohort_packager.config import DEFAULT_CONFIG_PATH, ConfigError, load_settings


def _write(tmp_path, document) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(document) if not isinstance(document, str) else document)
    return str(path)


def _shipped() -> dict:
    return yaml.safe_load(DEFAULT_CONFIG_PATH.read_text())


def test_shipped_default_loads_and_uses_the_embedded_mongodb():
    settings = load_settings(DEFAULT_CONFIG_PATH)

    assert settings.mongo.is_embedded
    assert settings.mongo.database_name == "extraction"
    assert settings.packager.report_newline == "\n"
    queues = settings.packager.queues
    assert queues["VerificationStatusOptions"].queue_name == "TEST.ExtractedFileVerifiedQueue"
    assert all(q.prefetch_count > 1 for q in queues.values())


def test_config_path_comes_from_the_environment(tmp_path, monkeypatch):
    document = _shipped()
    document["MongoDatabases"]["ExtractionStoreOptions"]["DatabaseName"] = "elsewhere"
    monkeypatch.setenv("COHORT_PACKAGER_CONFIG", _write(tmp_path, document))

    assert load_settings().mongo.database_name == "elsewhere"


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["CohortPackagerOptions"].pop("NoVerifyStatusOptions"),
     "CohortPackagerOptions.NoVerifyStatusOptions: missing section"),
    (lambda d: d["CohortPackagerOptions"]["ExtractRequestInfoOptions"].pop("QueueName"),
     "CohortPackagerOptions.ExtractRequestInfoOptions.QueueName: required, expected a str"),
    (lambda d: d["CohortPackagerOptions"].update(JobWatcherTimeoutInSeconds=0),
     "CohortPackagerOptions.JobWatcherTimeoutInSeconds: expected a number above 0"),
    (lambda d: d["CohortPackagerOptions"].update(JobWatcherTimeoutInSeconds="soon"),
     "CohortPackagerOptions.JobWatcherTimeoutInSeconds: expected a int, got str"),
    (lambda d: d["CohortPackagerOptions"].update(ReportNewLine="\\n"),
     "CohortPackagerOptions.ReportNewLine: expected a real line feed"),
    (lambda d: d["CohortPackagerOptions"]["FileCollectionInfoOptions"].update(AutoAck=True),
     "CohortPackagerOptions.FileCollectionInfoOptions.AutoAck: must be false"),
    (lambda d: d["MongoDatabases"]["ExtractionStoreOptions"].pop("DatabaseName"),
     "MongoDatabases.ExtractionStoreOptions.DatabaseName: required"),
    (lambda d: d["MongoDatabases"]["ExtractionStoreOptions"].update(UserName="svc"),
     "MongoDatabases.ExtractionStoreOptions.Password: required when UserName is set"),
    (lambda d: d.pop("FileSystemOptions"), "FileSystemOptions: missing section"),
    (lambda d: d["RabbitOptions"].update(RabbitMqHostPort=70000),
     "RabbitOptions.RabbitMqHostPort: expected a number above 0 and at most 65535"),
])
def test_bad_value_fails_at_load_naming_the_key(tmp_path, monkeypatch, mutate, message):
    monkeypatch.delenv("MONGO_SERVICE_PASSWORD", raising=False)
    document = _shipped()
    mutate(document)

    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("(", r"\(")):
        load_settings(_write(tmp_path, document))


def test_unreadable_and_invalid_files_are_reported_with_their_path(tmp_path):
    with pytest.raises(ConfigError, match="cannot read configuration file"):
        load_settings(tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        load_settings(_write(tmp_path, "CohortPackagerOptions: [unclosed"))


def test_passwords_from_the_environment_win_and_are_not_in_the_repr(tmp_path, monkeypatch):
    document = _shipped()
    document["MongoDatabases"]["ExtractionStoreOptions"]["UserName"] = "svc"
    monkeypatch.setenv("MONGO_SERVICE_PASSWORD", "from-env-secret")
    monkeypatch.setenv("COHORT_PACKAGER_RABBITMQ_PASSWORD", "rabbit-secret")

    settings = load_settings(_write(tmp_path, document))

    assert settings.mongo.password == "from-env-secret"
    assert settings.rabbit.password == "rabbit-secret"
    assert "secret" not in repr(settings)


def test_relative_extract_root_is_resolved_against_the_config_folder(tmp_path):
    document = _shipped()
    document["FileSystemOptions"]["ExtractRoot"] = "extract"

    settings = load_settings(_write(tmp_path, document))

    assert settings.extract_root == tmp_path / "extract"


def test_unknown_keys_are_ignored_as_upstream_does(tmp_path):
    document = _shipped()
    document["CohortPackagerOptions"]["ReporterType"] = "obsolete"
    document["LoggingOptions"] = {"TraceLogging": True}

    assert load_settings(_write(tmp_path, document)).packager.job_watcher_interval_seconds == 30
