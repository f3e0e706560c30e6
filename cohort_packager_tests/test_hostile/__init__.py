"""Hostile input through the real broker and the service's own ingest sensor, with helpers to
publish deliveries and to read what a tick did."""

from __future__ import annotations

import contextlib
import re
import struct
from collections import Counter
from typing import Iterable
from unittest import mock

import pika
import pika.data

from cohort_packager.config import QUEUE_OPTION_KEYS
from cohort_packager_tests.support.messages import OutgoingMessage

_QUEUE_COUNTS = re.compile(r"(\w+): (\d+) stored, (\d+) repeated, (\d+) rejected")


def publish(environment, messages: Iterable[OutgoingMessage]) -> None:
    """Publish `messages` persistently, in order, each to its queue of `environment`."""
    connection, channel = environment.channel()
    try:
        with _doubles_in_header_tables():
            for message in messages:
                properties = pika.BasicProperties(
                    content_type="application/json", content_encoding=message.content_encoding,
                    delivery_mode=2, headers=message.headers,
                )
                channel.basic_publish(exchange="",
                                      routing_key=environment.queue_names[message.queue],
                                      body=message.body, properties=properties)
    finally:
        connection.close()


@contextlib.contextmanager
def _doubles_in_header_tables():
    """Let pika write float header values as AMQP doubles, as .NET producers can; pika's own
    encoder refuses them."""
    encode_value = pika.data.encode_value

    def encode_with_doubles(pieces, value):
        if isinstance(value, float):
            pieces.append(struct.pack(">cd", b"d", value))
            return 9
        return encode_value(pieces, value)

    with mock.patch.object(pika.data, "encode_value", encode_with_doubles):
        yield


def queue_depths(environment) -> dict[str, int]:
    return {key: environment.queue_depth(key) for key in QUEUE_OPTION_KEYS}


def empty_queues() -> dict[str, int]:
    return {key: 0 for key in QUEUE_OPTION_KEYS}


def tick_without_raising(driver):
    """One ingest tick; an exception fails the test with its type and size only, because its
    text may be megabytes of message content."""
    try:
        return driver.ingest_tick()
    except Exception as error:  # the sensor must not raise for any input
        raise AssertionError(f"the ingest tick raised {type(error).__name__} "
                             f"({len(str(error))} characters of text)") from None


def tick_counts(tick_result) -> dict[str, Counter]:
    """The stored, repeated and rejected counts per queue that an ingest tick reported."""
    counts = {"stored": Counter(), "repeated": Counter(), "rejected": Counter()}
    for queue, stored, repeated, rejected in _QUEUE_COUNTS.findall(tick_result.skip_message):
        for kind, number in zip(counts, (stored, repeated, rejected)):
            if int(number):
                counts[kind][queue] = int(number)
    return counts
