"""Identifiable values and passwords stay out of what operators see (DECISIONS 17): each
acceptance case runs end to end while Python logs at DEBUG, console output, sensor tick results
and the Dagster event log are captured, and none of them holds a ProblemValue, a PartWord, a
source file path or a password; the resource configuration the UI shows names the password
variables only."""

from __future__ import annotations

import json
import logging

import pytest
from dagster import DagsterInstance
from dagster._core.remote_representation.external_data import (
    RepositorySnap,
    ResourceConfigEnvVarSnap,
)
from dagster_shared.serdes import serialize_value

from cohort_packager.config import MONGO_PASSWORD_ENV_VAR, RABBIT_PASSWORD_ENV_VAR
from cohort_packager.definitions import build_definitions
from cohort_packager.messages import InvalidMessage, parse_failure_report
from cohort_packager.messages.lenient_json import loads
from cohort_packager_tests.support.acceptance import (
    case_names,
    load_case,
    publish_case,
)
from cohort_packager_tests.support.service import ServiceDriver

from . import every_logger_at_debug, instance_texts, report_runs, sensor_result_text

# Shorter values (a ProblemValue "FOO", a verifier report "[]") would match by accident.
MIN_LENGTH = 4
MONGO_PASSWORD = "mongo-pw-7f3Kq9"
RABBIT_PASSWORD = "rabbit-pw-Zt81xQ"


def findings(case) -> set[str]:
    """The ProblemValues and PartWords of the case's verification reports."""
    values: set[str] = set()
    for body in _bodies(case):
        report = body.get("report")
        if isinstance(report, str) and body.get("status") not in (4, "ErrorWontRetry"):
            failures = parse_failure_report(report)
            values.update(f.problem_value for f in failures if f.problem_value)
            values.update(part.word for f in failures for part in f.parts)
    return _long_enough(values)


def source_texts(case) -> set[str]:
    """Each DicomFilePath (a path under the source filesystem), and each free-text status
    or verifier message, which can quote one."""
    values: set[str] = set()
    for body in _bodies(case):
        values.update(body[name] for name in ("dicomfilepath", "statusmessage")
                      if isinstance(body.get(name), str))
        report = body.get("report")
        if isinstance(report, str):
            try:
                parse_failure_report(report)
            except InvalidMessage:
                values.add(report)
    return _long_enough(values)


def _bodies(case):
    return [loads(message.body.decode("utf-8"), "message body") for message in case.messages]


def _long_enough(values) -> set[str]:
    return {value for value in values if len(value.strip()) >= MIN_LENGTH}


def spellings(value: str) -> set[str]:
    """The forms a value takes in captured text: as is, trimmed, JSON-, repr- or CSV-escaped."""
    forms = {value, value.strip(), json.dumps(value)[1:-1],
             json.dumps(value, ensure_ascii=False)[1:-1], repr(value)[1:-1],
             value.replace('"', '""')}
    return {form for form in forms if len(form.strip()) >= MIN_LENGTH}


def found_in(text: str, values: set[str]) -> list[str]:
    return sorted(value for value in values if any(form in text for form in spellings(value)))


def run_case(name: str, environment, monkeypatch, caplog, capfd):
    """Publish the case; run the ingest tick, the completion tick and the report run on an
    ephemeral instance, with a MongoDB password set that the test store does not need.
    Returns the case and the text an operator can read, per channel."""
    monkeypatch.setenv(MONGO_PASSWORD_ENV_VAR, MONGO_PASSWORD)
    case = load_case(name)
    publish_case(case, environment)
    capfd.readouterr()

    instance = DagsterInstance.ephemeral()
    with every_logger_at_debug(caplog):
        driver = ServiceDriver(instance)
        ingest = driver.ingest_tick()
        completion, runs = report_runs(driver)

    assert [run.success for run in runs] == [True]
    console = capfd.readouterr()
    return case, {
        "console output": console.out + console.err,
        "logs": "\n".join(_record_text(record) for record in caplog.records),
        "sensor ticks": sensor_result_text(ingest) + "\n" + sensor_result_text(completion),
        "Dagster events": "\n".join(instance_texts(instance)),
    }


def _record_text(record: logging.LogRecord) -> str:
    exception = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
    return "\n".join([record.getMessage(), repr(vars(record)), exception])



def _read(path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _reports_and_store_text(folder, store) -> str:
    reports = [_read(path) for path in sorted(folder.iterdir())]
    stored = [repr(document) for collection in (store.jobs, store.collections, store.outcomes)
              for document in collection.find({})]
    return "\n".join(reports + stored)


@pytest.mark.parametrize("case_name", case_names())
def test_identifiable_values_and_passwords_reach_no_log_tick_or_dagster_event(
        case_name, environment, monkeypatch, caplog, capfd):
    case, channels = run_case(case_name, environment, monkeypatch, caplog, capfd)
    folder = environment.extract_root / case.meta["report_dir"]
    identifiable = findings(case) | source_texts(case)

    # The values were in the run: the findings in verification_failures.csv, the source texts
    # in the reports or in the stored outcomes they arrived with.
    verification_failures = _read(folder / "verification_failures.csv")
    assert found_in(verification_failures, findings(case)) == sorted(findings(case))
    assert found_in(_reports_and_store_text(folder, environment.store),
                    source_texts(case)) == sorted(source_texts(case))
    for channel, text in channels.items():
        assert case.meta["job_id"] in text, f"nothing in the {channel} names the job"
        assert found_in(text, identifiable) == [], f"identifiable values in the {channel}"
        assert MONGO_PASSWORD not in text, f"the MongoDB password in the {channel}"


def test_the_scan_looks_for_findings_of_strict_and_lenient_reports_alike():
    case = load_case("04_verification_failures")

    values = findings(case)

    # Strict and single-quoted reports, multi-part values, pixel text; "FOO" is too short.
    assert {"Smith^John", "Scan for J Smith, 12/03/1961", "12/03/1961",
            "JOHN SMITH DOB 01.02.1960", " 1 High Street ", "High Street",
            'Dr "Nick" Riviera', "Nick"} <= values
    assert "FOO" not in values


def test_the_ui_shows_password_variables_by_name_never_their_values(environment, monkeypatch):
    monkeypatch.setenv(MONGO_PASSWORD_ENV_VAR, MONGO_PASSWORD)
    monkeypatch.setenv(RABBIT_PASSWORD_ENV_VAR, RABBIT_PASSWORD)

    snapshot = RepositorySnap.from_def(build_definitions().get_repository_def())

    shown = {resource.name: resource.configured_values for resource in snapshot.resources}
    assert shown["extraction_store"]["mongo_password"] == ResourceConfigEnvVarSnap(
        name=MONGO_PASSWORD_ENV_VAR)
    assert shown["broker"]["rabbitmq_password"] == ResourceConfigEnvVarSnap(
        name=RABBIT_PASSWORD_ENV_VAR)
    text = serialize_value(snapshot)
    assert MONGO_PASSWORD not in text and RABBIT_PASSWORD not in text
    assert set(snapshot.utilized_env_vars) >= {MONGO_PASSWORD_ENV_VAR, RABBIT_PASSWORD_ENV_VAR}
