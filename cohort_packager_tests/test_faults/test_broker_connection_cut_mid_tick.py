"""The broker closes an ingest tick's connection after a batch is stored and before it is
acknowledged: the tick ends with an IngestFault (no crash), the broker requeues the batch, the
next tick counts it as repeats, everything is stored once and the reports match."""

from __future__ import annotations

from collections import Counter

from cohort_packager_tests.test_faults import (
    assert_stored_once_and_reported,
    drain,
    per_queue,
    settled_depths,
    stored_per_queue,
)
from cohort_packager_tests.test_faults.broker_connections import close_connections_from
from cohort_packager_tests.test_faults.ingest_child import FAULT_EXIT


def test_a_connection_closed_by_the_broker_mid_tick_ends_the_tick_and_loses_nothing(
        environment, published_backlog, children):
    messages = published_backlog.messages
    child = children.start("ingest_child", environment.config_path, "after-first-batch")
    stored_unacknowledged = Counter(child.wait_for_pause()["stored"])
    ports = child.broker_ports(environment.settings.rabbit.port)

    assert close_connections_from(ports, "fault test: connection cut mid tick") == 1
    child.resume_from_pause()

    assert child.wait_for_exit() == FAULT_EXIT, child.log()
    assert "RabbitMQ connection failed during the tick" in child.log()
    stored_by_child = stored_per_queue(environment.store)
    assert stored_by_child >= stored_unacknowledged > Counter()
    assert settled_depths(environment, len(messages)) == per_queue(messages)

    report = drain(environment)

    assert report.duplicates == stored_by_child
    assert report.stored == per_queue(messages) - stored_by_child
    assert report.rejected == {}
    assert_stored_once_and_reported(environment, published_backlog)
