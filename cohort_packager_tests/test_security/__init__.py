"""Security tests: reports stay inside the extraction root, report cells cannot run as formulas
or markup, and neither identifiable values nor passwords reach logs, metadata or errors."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from dagster import SensorResult, SkipReason, build_sensor_context
from dagster_shared.serdes import serialize_value


def report_runs(driver) -> tuple:
    """Evaluate the completion sensor once and run each requested report job, failures kept
    in the result instead of raised. Returns (sensor result, run results)."""
    with build_sensor_context(instance=driver.instance, resources=driver.resources,
                              definitions=driver.defs) as context:
        evaluation = driver.completion(context)
    if not isinstance(evaluation, SensorResult):
        return evaluation, []
    for request in evaluation.dynamic_partitions_requests or []:
        driver.instance.add_dynamic_partitions(request.partitions_def_name,
                                               list(request.partition_keys))
    runs = [driver.run_reports(request.partition_key, raise_on_error=False)
            for request in evaluation.run_requests or []]
    return evaluation, runs


def step_failures(run) -> list[str]:
    """The error texts of the failed steps of a run."""
    return [event.step_failure_data.error.to_string()
            for event in run.all_events if event.is_step_failure]


def tree_snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry below `folder`, links not followed: file bytes, link targets, folders."""
    snapshot: dict[str, bytes | str] = {}
    for directory, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(directory) / name
            relative = str(path.relative_to(folder))
            if path.is_symlink():
                snapshot[relative] = f"-> {os.readlink(path)}"
            elif path.is_dir():
                snapshot[relative] = "<folder>"
            else:
                snapshot[relative] = path.read_bytes()
    return snapshot


@contextlib.contextmanager
def every_logger_at_debug(caplog):
    """Send the records of every Python logger, from DEBUG up, to `caplog` during the block,
    including loggers with a level of their own or that do not propagate to the root."""
    caplog.set_level(logging.DEBUG)
    loggers = [logger for logger in logging.root.manager.loggerDict.values()
               if isinstance(logger, logging.Logger)]
    levels = {logger: logger.level for logger in loggers}
    isolated = [logger for logger in loggers if not logger.propagate]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    for logger in isolated:
        logger.addHandler(caplog.handler)
    try:
        yield
    finally:
        for logger in isolated:
            logger.removeHandler(caplog.handler)
        for logger, level in levels.items():
            logger.setLevel(level)


def sensor_result_text(result) -> str:
    """A sensor evaluation as the UI shows a tick: the skip message, or the full request."""
    if isinstance(result, SkipReason):
        return f"{result.skip_message}\n{result!r}"
    return repr(result)


def instance_texts(instance) -> list[str]:
    """What a Dagster instance keeps of its runs: each run (tags, config) and each event of
    each run (user message, event message, metadata values), serialized to text."""
    texts = []
    for run in instance.get_runs():
        texts.append(serialize_value(run))
        for entry in instance.all_logs(run.run_id):
            texts.extend([entry.user_message, serialize_value(entry)])
            event = entry.dagster_event
            if event is not None:
                texts.append(event.message or "")
                metadata = getattr(event.event_specific_data, "metadata", None) or {}
                materialization = getattr(event.event_specific_data, "materialization", None)
                if materialization is not None:
                    metadata = {**metadata, **materialization.metadata}
                texts.extend(f"{name}: {value.value}" for name, value in metadata.items())
    return texts
