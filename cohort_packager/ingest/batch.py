"""Store one batch of deliveries and decide, for each, whether to acknowledge or reject it.

`store_batch` parses every delivery (`parse_batch`), writes the valid ones and the rejected
ones with their reasons (`store_parsed`), and only then returns the decisions: the caller
acknowledges nothing that is not durably stored. If MongoDB fails part way, the exception
propagates and no decision is returned; every write is idempotent, so redelivering the whole
batch later is safe.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping, Sequence

import bson
from bson import Binary

from cohort_packager.messages import (
    ExtractionRequestInfo,
    FileCollectionInfo,
    InvalidMessage,
    parse_body,
    parse_header,
)
from cohort_packager.store import documents
from cohort_packager.store.extraction_store import ExtractionStore

REQUEST_INFO = "ExtractRequestInfoOptions"
FILE_COLLECTION = "FileCollectionInfoOptions"
MAX_STORED_BODY_BYTES = 15 * 1024 * 1024
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
SIZE_CHECKED_BODY_BYTES = MAX_DOCUMENT_BYTES // 4


@dataclass(frozen=True)
class Delivery:
    """One message as taken from a queue, before it is parsed."""

    queue: str                  # one of the four CohortPackagerOptions queue keys
    queue_name: str
    delivery_tag: int
    headers: Mapping[str, Any] | None
    body: bytes
    content_encoding: str | None = None
    redelivered: bool = False


@dataclass
class BatchOutcome:
    """What to tell the broker, and counts for the tick's report (never message contents)."""

    acknowledge: list[int] = field(default_factory=list)
    reject: list[int] = field(default_factory=list)
    stored: Counter = field(default_factory=Counter)
    duplicates: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)


class ArrivalClock:
    """Strictly increasing arrival numbers (nanoseconds since the epoch, bumped on ties)."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        self._last = max(self._last + 1, time.time_ns())
        return self._last


@dataclass
class _Valid:
    delivery: Delivery
    message: Any
    document: dict


@dataclass
class ParsedBatch:
    """A batch after parsing: the deliveries parsed (a prefix of those given, when time ran
    out), the valid messages and the rejections; nothing stored yet."""

    received_at: datetime
    deliveries: list[Delivery]
    valid: list[_Valid]
    rejections: list[dict]


def store_batch(store: ExtractionStore, deliveries: Sequence[Delivery],
                clock: ArrivalClock) -> BatchOutcome:
    """Store `deliveries` and return what to acknowledge and reject; may raise on store errors."""
    return store_parsed(store, parse_batch(deliveries, clock))


def parse_batch(deliveries: Sequence[Delivery], clock: ArrivalClock,
                deadline: float | None = None) -> ParsedBatch:
    """Parse the deliveries in order, numbering the valid ones in arrival order. Past
    `deadline` (a `time.monotonic()` value) it stops, having parsed at least one."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    parsed = ParsedBatch(now, [], [], [])
    for delivery in deliveries:
        if deadline is not None and parsed.deliveries and time.monotonic() > deadline:
            break
        parsed.deliveries.append(delivery)
        try:
            parsed.valid.append(_parse(delivery, clock.next(), now))
        except InvalidMessage as invalid:
            parsed.rejections.append(_rejection_document(delivery, invalid.reason, now))
    return parsed


def store_parsed(store: ExtractionStore, parsed: ParsedBatch) -> BatchOutcome:
    """Write a parsed batch and its rejections; returns what to acknowledge and reject."""
    now, rejections = parsed.received_at, list(parsed.rejections)
    outcome = BatchOutcome()
    valid = _reject_late(store, parsed.valid, rejections, outcome, now)
    _store_valid(store, valid, rejections, outcome, now)

    if rejections:
        store.insert_rejections(rejections)
    for document in rejections:
        outcome.reject.append(document["deliveryTag"])
        outcome.rejected[document["queue"]] += 1
    return outcome


def _parse(delivery: Delivery, arrival: int, now: datetime) -> _Valid:
    header = parse_header(delivery.headers)
    message = parse_body(delivery.queue, delivery.body, delivery.content_encoding)
    header_doc = documents.header_document(header, message.job_id, now)
    if isinstance(message, ExtractionRequestInfo):
        document = documents.job_document(message, header_doc, arrival)
    elif isinstance(message, FileCollectionInfo):
        document = documents.collection_document(message, header_doc, arrival)
    else:
        document = documents.outcome_document(message, header_doc, delivery.queue, arrival)
    if len(delivery.body) > SIZE_CHECKED_BODY_BYTES:
        _require_storable_size(document)
    return _Valid(delivery, message, document)


def _require_storable_size(document: dict) -> None:
    """Refuse a document MongoDB could not store; text can grow up to threefold once decoded."""
    size = len(bson.encode(document))
    if size > MAX_DOCUMENT_BYTES:
        raise InvalidMessage(
            f"the message is valid but its stored form would be {size:,} bytes, over MongoDB's "
            f"document limit of {MAX_DOCUMENT_BYTES:,} bytes"
        )


def _reject_late(store: ExtractionStore, valid: list[_Valid], rejections: list[dict],
                 outcome: BatchOutcome, now: datetime) -> list[_Valid]:
    """Keep messages for jobs still open; a job with reports takes only redeliveries."""
    completed = store.completed_job_ids(v.message.job_id for v in valid)
    if not completed:
        return valid
    by_job: dict[str, list[_Valid]] = defaultdict(list)
    for item in valid:
        if item.message.job_id in completed:
            by_job[item.message.job_id].append(item)
    for job_id, items in by_job.items():
        seen = store.stored_message_guids(job_id, (_guid(i) for i in items))
        for item in items:
            if _guid(item) in seen:
                outcome.acknowledge.append(item.delivery.delivery_tag)
                outcome.duplicates[item.delivery.queue] += 1
            else:
                reason = (f"job {job_id} is complete and its reports were produced; "
                          "a late message cannot change them")
                rejections.append(_rejection_document(item.delivery, reason, now, job_id))
    return [v for v in valid if v.message.job_id not in completed]


def _store_valid(store: ExtractionStore, valid: list[_Valid], rejections: list[dict],
                 outcome: BatchOutcome, now: datetime) -> None:
    firsts, repeats = _first_per_id(valid)
    activity: dict[str, Counter] = defaultdict(Counter)

    for kind, insert in (("jobs", store.insert_jobs),
                         ("collections", store.insert_collections),
                         ("outcomes", store.insert_outcomes)):
        items = firsts[kind]
        if not items:
            continue
        result = insert([item.document for item in items])
        by_id = {item.document["_id"]: item for item in items}
        for document in result.inserted:
            item = by_id[document["_id"]]
            outcome.acknowledge.append(item.delivery.delivery_tag)
            outcome.stored[item.delivery.queue] += 1
            activity[item.message.job_id][kind] += 1
        settle = [by_id[d["_id"]] for d in result.duplicates] + repeats[kind]
        _settle_duplicates(store, kind, settle, rejections, outcome, now)

    stored_at = datetime.now(timezone.utc).replace(tzinfo=None)
    store.record_activity({job: dict(counts) for job, counts in activity.items()}, stored_at)


def _first_per_id(valid: list[_Valid]) -> tuple[dict[str, list], dict[str, list]]:
    """Split by kind, keeping the first message per natural key for the insert; the repeats
    within the batch are settled against it once it is stored."""
    groups: dict[str, dict[str, list[_Valid]]] = {"jobs": {}, "collections": {}, "outcomes": {}}
    for item in valid:
        groups[_kind(item)].setdefault(item.document["_id"], []).append(item)
    firsts = {kind: [items[0] for items in by_id.values()] for kind, by_id in groups.items()}
    repeats = {kind: [item for items in by_id.values() for item in items[1:]]
               for kind, by_id in groups.items()}
    return firsts, repeats


def _settle_duplicates(store: ExtractionStore, kind: str, items: list[_Valid],
                       rejections: list[dict], outcome: BatchOutcome, now: datetime) -> None:
    """Decide for messages whose natural key was already stored: same content is a harmless
    repeat (acknowledged, nothing changes); different content is a conflict (rejected)."""
    if not items:
        return
    collection_name = {"jobs": "jobs", "collections": "fileCollections",
                       "outcomes": "fileOutcomes"}[kind]
    stored = store.find_by_ids(collection_name, {i.document["_id"] for i in items})
    for item in items:
        existing = stored.get(item.document["_id"])
        if existing is not None and _same(kind, existing, item.document):
            outcome.acknowledge.append(item.delivery.delivery_tag)
            outcome.duplicates[item.delivery.queue] += 1
        else:
            reason = _conflict_reason(kind, item)
            rejections.append(_rejection_document(item.delivery, reason, now,
                                                  item.message.job_id))


def _same(kind: str, existing: dict, incoming: dict) -> bool:
    if kind == "jobs":
        return documents.same_job_content(existing, incoming)
    if kind == "collections":
        return documents.same_collection_content(existing, incoming)
    return True


def _conflict_reason(kind: str, item: _Valid) -> str:
    job_id = item.message.job_id
    if kind == "jobs":
        return (f"request info for job {job_id} conflicts with the one already stored "
                "(same job identifier, different content)")
    return (f"file collection info for job {job_id} repeats an identifier already stored "
            "with different files or rejections")


def _kind(item: _Valid) -> str:
    if isinstance(item.message, ExtractionRequestInfo):
        return "jobs"
    if isinstance(item.message, FileCollectionInfo):
        return "collections"
    return "outcomes"


def _guid(item: _Valid) -> str:
    return item.document["header"]["messageGuid"]


def _rejection_document(delivery: Delivery, reason: str, now: datetime,
                        job_id: str | None = None) -> dict:
    body = delivery.body[:MAX_STORED_BODY_BYTES]
    digest = hashlib.sha256()
    for part in (delivery.queue.encode(), repr(_headers_for_storage(delivery.headers)).encode(),
                 delivery.body):
        digest.update(part)
        digest.update(b"\0")
    return {
        "_id": digest.hexdigest(),
        "queue": delivery.queue,
        "queueName": delivery.queue_name,
        "deliveryTag": delivery.delivery_tag,
        "reason": reason,
        "rejectedAt": now,
        "jobId": job_id,
        "headers": _headers_for_storage(delivery.headers),
        "contentEncoding": delivery.content_encoding,
        "body": Binary(body),
        "bodySize": len(delivery.body),
        "bodyTruncated": len(body) < len(delivery.body),
        "redelivered": delivery.redelivered,
    }


def _headers_for_storage(headers: Mapping[str, Any] | None) -> list | None:
    """Header table as [name, value] pairs: names may hold '.' or '$', values odd AMQP types."""
    if headers is None:
        return None
    if not isinstance(headers, Mapping):
        return [["<not a table>", repr(headers)]]
    return [[str(name), _storable(value)] for name, value in headers.items()]


def _storable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str, float)):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else str(value)
    if isinstance(value, bytes):
        return Binary(value)
    return repr(value)
