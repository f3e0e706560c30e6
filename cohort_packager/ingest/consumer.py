"""Drain the four input queues into the extraction store within a message and time budget.

One call is one ingest tick: connect, consume from the four queues with a generous prefetch,
store each batch, then nack the rejected messages (kept in the store with their reason) and
acknowledge the rest with one multiple-ack. Messages still prefetched when the tick ends are
returned to their queues unacknowledged when the channel closes.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import pika
import pika.exceptions
from pymongo.errors import ConnectionFailure, PyMongoError

from cohort_packager.config import PackagerOptions, RabbitOptions
from cohort_packager.ingest.batch import (
    ArrivalClock,
    BatchOutcome,
    Delivery,
    parse_batch,
    store_parsed,
)
from cohort_packager.ingest.header_tables import install_exact_number_decoding
from cohort_packager.store.extraction_store import ExtractionStore

log = logging.getLogger(__name__)
install_exact_number_decoding()

IDLE_SECONDS = 0.5
POLL_SECONDS = 0.05
PARSE_GRACE_SECONDS = 1.0  # a batch taken at the end of the budget may still be parsed


class IngestFault(RuntimeError):
    """MongoDB or the broker failed during a tick; unstored messages were not acknowledged."""


class BrokerUnavailable(IngestFault):
    """No connection to RabbitMQ could be made."""


@dataclass
class TickReport:
    stored: Counter = field(default_factory=Counter)
    duplicates: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)
    batches: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.stored.values()) + sum(self.duplicates.values()) + sum(
            self.rejected.values())

    def add(self, outcome: BatchOutcome) -> None:
        self.stored.update(outcome.stored)
        self.duplicates.update(outcome.duplicates)
        self.rejected.update(outcome.rejected)
        self.batches += 1

    def summary(self) -> str:
        """One line per tick with counts per queue; never message contents."""
        queues = sorted(set(self.stored) | set(self.duplicates) | set(self.rejected))
        parts = [f"{q}: {self.stored[q]} stored, {self.duplicates[q]} repeated, "
                 f"{self.rejected[q]} rejected" for q in queues]
        detail = "; ".join(parts) if parts else "queues empty"
        return f"Ingested {self.total} messages in {self.seconds:.1f} s ({detail})"


def connection_parameters(rabbit: RabbitOptions) -> pika.ConnectionParameters:
    return pika.ConnectionParameters(
        host=rabbit.host, port=rabbit.port, virtual_host=rabbit.virtual_host,
        credentials=pika.PlainCredentials(rabbit.user_name, rabbit.password),
        heartbeat=60, blocked_connection_timeout=30, connection_attempts=3, retry_delay=1,
        client_properties={"connection_name": "cohort-packager ingest"},
    )


def open_connection(rabbit: RabbitOptions) -> pika.BlockingConnection:
    try:
        return pika.BlockingConnection(connection_parameters(rabbit))
    except pika.exceptions.AMQPError as error:
        raise BrokerUnavailable(
            f"cannot connect to RabbitMQ at {rabbit.host}:{rabbit.port} vhost "
            f"{rabbit.virtual_host!r} ({type(error).__name__}); is the broker running? "
            "Start a local one with `rabbitmq-server -detached`"
        ) from None


def ensure_queues(connection: pika.BlockingConnection, options: PackagerOptions) -> None:
    """Declare missing queues as plain durable queues; leave existing ones exactly as they are."""
    for queue in options.queues.values():
        channel = connection.channel()
        try:
            channel.queue_declare(queue.queue_name, passive=True)
        except pika.exceptions.ChannelClosedByBroker as closed:
            if closed.reply_code != 404:
                raise
            channel = connection.channel()
            channel.queue_declare(queue.queue_name, durable=True)
            log.info("Declared missing queue %s (durable)", queue.queue_name)
        if channel.is_open:
            channel.close()


def drain_queues(rabbit: RabbitOptions, options: PackagerOptions, store: ExtractionStore,
                 clock: ArrivalClock, max_messages: int | None = None,
                 max_seconds: float | None = None) -> TickReport:
    """Take up to the budget of messages from the four queues and store them; see module doc."""
    max_messages = max_messages or options.ingest_max_messages_per_tick
    max_seconds = max_seconds or options.ingest_max_seconds_per_tick
    report = TickReport()
    started = time.monotonic()
    connection = open_connection(rabbit)
    try:
        ensure_queues(connection, options)
        _consume(connection, options, store, clock, report, started, max_messages, max_seconds)
    except pika.exceptions.AMQPError as error:
        raise IngestFault(
            f"the RabbitMQ connection failed during the tick ({type(error).__name__}) after "
            f"{report.total} messages were stored; those whose acknowledgement did not reach "
            "the broker will be delivered again and counted as repeats, nothing is lost"
        ) from None
    except PyMongoError as error:
        raise IngestFault(
            f"MongoDB failed during the tick ({_describe(error)}); "
            f"{report.total} messages were settled before it, the rest stay on their queues"
        ) from None
    finally:
        report.seconds = time.monotonic() - started
        _close_quietly(connection)
    return report


def _consume(connection, options, store, clock, report, started, max_messages, max_seconds):
    """Collect deliveries into batches; while one batch is written to MongoDB on a worker
    thread, the next is collected and parsed. Acknowledgements stay on this thread, after
    each write, and a batch is written only once the one before it is settled."""
    channel = connection.channel()
    buffer: list[Delivery] = []
    for key, queue in options.queues.items():
        channel.basic_qos(prefetch_count=queue.prefetch_count)
        channel.basic_consume(queue.queue_name, _collector(buffer, key, queue.queue_name))

    taken = 0
    last_delivery = time.monotonic()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-write") as writer:
        pending: _PendingBatch | None = None
        while True:
            before = len(buffer)
            connection.process_data_events(time_limit=POLL_SECONDS)
            now = time.monotonic()
            if len(buffer) > before:
                last_delivery = now
            if pending and pending.written.done():
                pending.settle(channel, report)
                pending = None
                last_delivery = now  # the acknowledgements free prefetch credit
            out_of_time = now - started >= max_seconds
            # A pending write holds prefetch credit, so a quiet queue means idle only without one.
            idle = pending is None and now - last_delivery >= IDLE_SECONDS
            full = taken + len(buffer) >= max_messages
            if buffer and (len(buffer) >= options.ingest_batch_size or idle or out_of_time
                           or full):
                deadline = max(started + max_seconds, time.monotonic() + PARSE_GRACE_SECONDS)
                parsed = parse_batch(buffer, clock, deadline)
                out_of_time = out_of_time or len(parsed.deliveries) < len(buffer)
                buffer.clear()
                taken += len(parsed.deliveries)
                if pending:
                    pending.settle(channel, report)
                pending = _PendingBatch(parsed.deliveries,
                                        writer.submit(store_parsed, store, parsed))
            if (out_of_time or idle or taken >= max_messages) and not buffer:
                if pending:
                    pending.settle(channel, report)
                return


@dataclass
class _PendingBatch:
    deliveries: list[Delivery]
    written: Future

    def settle(self, channel, report: TickReport) -> None:
        """Wait for the batch's write, then nack its rejections and acknowledge the rest."""
        _settle(channel, self.deliveries, self.written.result(), report)


def _collector(buffer: list[Delivery], key: str, queue_name: str):
    def on_message(channel, method, properties, body):
        buffer.append(Delivery(
            queue=key, queue_name=queue_name, delivery_tag=method.delivery_tag,
            headers=properties.headers, body=body,
            content_encoding=properties.content_encoding, redelivered=method.redelivered,
        ))
    return on_message


def _settle(channel, buffer: list[Delivery], outcome: BatchOutcome, report: TickReport) -> None:
    for tag in outcome.reject:
        channel.basic_nack(tag, multiple=False, requeue=False)
    if outcome.acknowledge:
        if len(outcome.acknowledge) + len(outcome.reject) == len(buffer):
            channel.basic_ack(max(outcome.acknowledge), multiple=True)
        else:
            for tag in outcome.acknowledge:
                channel.basic_ack(tag)
    report.add(outcome)


def _describe(error: PyMongoError) -> str:
    """The error's type, code and, for connection failures, the server's answer. Other error
    texts can quote the documents being written, so they are left out."""
    described = type(error).__name__
    code = getattr(error, "code", None)
    if code is not None:
        described += f" code {code}"
    if isinstance(error, ConnectionFailure):
        described += f": {str(error)[:300]}"
    return described


def _close_quietly(connection: pika.BlockingConnection) -> None:
    try:
        if connection.is_open:
            connection.close()
    except pika.exceptions.AMQPError:
        pass
