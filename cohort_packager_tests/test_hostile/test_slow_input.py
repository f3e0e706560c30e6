"""Deliveries that are slow to parse must not hold a tick beyond its time budget: the sensor
has to answer the Dagster daemon in time, and the rest of the queue waits for the next tick."""

from __future__ import annotations

import json
import time

import yaml
from dagster import DagsterInstance

from cohort_packager_tests.support.messages import (
    REQUEST_INFO,
    OutgoingMessage,
    header_table,
    new_guid,
    request_info_body,
)
from cohort_packager_tests.support.service import ServiceDriver

from . import empty_queues, publish, queue_depths

BUDGET_SECONDS = 2
SLACK_SECONDS = 8
SLOW_DELIVERIES = 5
MOST_TICKS = 10


def _slow_to_parse() -> OutgoingMessage:
    """A request info of nearly 64 KiB whose trailing commas only the lenient parser accepts."""
    text = json.dumps(request_info_body(new_guid()))[:-1]
    text += ', "Padding": [' + "1," * 31_000 + "],}"
    return OutgoingMessage(REQUEST_INFO, header_table(), text.encode("utf-8"))


def test_ticks_over_slow_to_parse_deliveries_stay_within_their_time_budget(environment):
    _set_tick_budget(environment.config_path, BUDGET_SECONDS)
    messages = [_slow_to_parse() for _ in range(SLOW_DELIVERIES)]
    environment.declare_queues()
    publish(environment, messages)
    driver = ServiceDriver(DagsterInstance.ephemeral())

    durations = []
    while (environment.store.rejected.count_documents({}) < SLOW_DELIVERIES
           and len(durations) < MOST_TICKS):
        started = time.monotonic()
        driver.ingest_tick()
        durations.append(time.monotonic() - started)
        assert durations[-1] < BUDGET_SECONDS + SLACK_SECONDS, durations

    assert environment.store.rejected.count_documents({}) == SLOW_DELIVERIES
    assert queue_depths(environment) == empty_queues()


def _set_tick_budget(config_path, seconds: int) -> None:
    document = yaml.safe_load(config_path.read_text())
    document["CohortPackagerOptions"]["IngestMaxSecondsPerTick"] = seconds
    config_path.write_text(yaml.safe_dump(document))
