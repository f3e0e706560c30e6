"""Tests of ingestion against a real RabbitMQ and a real MongoDB, with helpers to publish
messages and run one ingest tick through the service's own code path."""

from __future__ import annotations

from collections import Counter
from typing import Iterable

import pika

from cohort_packager.ingest.batch import ArrivalClock
from cohort_packager.ingest.consumer import TickReport, drain_queues
from cohort_packager.store.extraction_store import ExtractionStore
from cohort_packager_tests.support.messages import OutgoingMessage

QUEUE_KEYS = (
    "ExtractRequestInfoOptions",
    "FileCollectionInfoOptions",
    "NoVerifyStatusOptions",
    "VerificationStatusOptions",
)


def publish_all(environment, messages: Iterable[OutgoingMessage]) -> None:
    """Publish `messages` persistently, in order, each to its queue of `environment`."""
    connection, channel = environment.channel()
    try:
        for message in messages:
            properties = pika.BasicProperties(
                content_type="application/json", content_encoding=message.content_encoding,
                delivery_mode=2, headers=message.headers,
            )
            channel.basic_publish(exchange="", routing_key=environment.queue_names[message.queue],
                                  body=message.body, properties=properties)
    finally:
        connection.close()


def ingest(environment, store: ExtractionStore | None = None, packager=None,
           clock: ArrivalClock | None = None) -> TickReport:
    """Run one ingest tick on the environment's queues (into `store`, by default its own)."""
    return drain_queues(environment.settings.rabbit, packager or environment.settings.packager,
                        store or environment.store, clock or ArrivalClock(), max_seconds=15)


def queue_depths(environment) -> dict[str, int]:
    return {key: environment.queue_depth(key) for key in QUEUE_KEYS}


def all_empty() -> dict[str, int]:
    return {key: 0 for key in QUEUE_KEYS}


def per_queue(messages: Iterable[OutgoingMessage]) -> Counter:
    return Counter(message.queue for message in messages)
