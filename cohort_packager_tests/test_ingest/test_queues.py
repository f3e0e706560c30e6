"""A tick declares missing queues as plain durable queues and uses existing ones as they are."""

from __future__ import annotations

import pytest

from cohort_packager_tests.support.messages import new_guid, one_of_each

from . import all_empty, ingest, per_queue, publish_all, queue_depths


def test_missing_queues_are_declared_durable_by_a_tick(environment):
    report = ingest(environment)

    assert report.total == 0
    connection, channel = environment.channel()
    try:
        for name in environment.queue_names.values():
            # The broker refuses (406) a declaration that differs from the existing queue.
            channel.queue_declare(name, durable=True)
    finally:
        connection.close()
    assert queue_depths(environment) == all_empty()


@pytest.mark.parametrize("declaration", [
    {"durable": True, "arguments": {"x-max-length": 1000}},
    {"durable": False, "arguments": None},
], ids=["with x-max-length", "not durable"])
def test_an_existing_queue_is_used_as_it_was_declared(environment, declaration):
    connection, channel = environment.channel()
    for name in environment.queue_names.values():
        channel.queue_declare(name, **declaration)
    connection.close()
    messages = one_of_each(new_guid())
    publish_all(environment, messages)

    report = ingest(environment)

    assert report.stored == per_queue(messages)
    assert queue_depths(environment) == all_empty()
    connection, channel = environment.channel()
    try:
        for name in environment.queue_names.values():
            channel.queue_declare(name, **declaration)
    finally:
        connection.close()
