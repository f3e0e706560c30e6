"""The hostile corpus, published to the real broker and taken in by the real ingest sensor: each
hostile delivery is kept with a reason naming its field, the valid ones beside them are stored,
nothing stays on a queue, and the sensor keeps running."""

from __future__ import annotations

import json
import uuid
from collections import Counter

from dagster import DagsterInstance

from cohort_packager.config import QUEUE_OPTION_KEYS
from cohort_packager_tests.support.messages import (
    FILE_COLLECTION,
    FILE_STATUS,
    REQUEST_INFO,
    OutgoingMessage,
    file_status,
    header_table,
    new_guid,
    request_info,
)
from cohort_packager_tests.support.service import ServiceDriver

from . import empty_queues, publish, queue_depths, tick_counts, tick_without_raising
from .corpus import (
    IDENTIFIABLE_VALUES,
    LARGEST_STORED_BODY,
    HostileMessage,
    build_corpus,
    header_doubles,
)

# A reason names a field and a rule; it never carries the delivery's content.
LONGEST_REASON = 400


def test_the_corpus_covers_every_queue_with_distinct_deliveries():
    corpus = build_corpus()

    assert len(corpus.hostile) >= 50
    assert {message.queue for message in corpus.hostile} == set(QUEUE_OPTION_KEYS)
    assert len({message.name for message in corpus.hostile}) == len(corpus.hostile)
    keys = [_stored_key(message) for message in corpus.hostile]
    assert len(set(keys)) == len(keys)


def test_a_tick_over_the_corpus_keeps_each_hostile_delivery_and_stores_the_valid_ones(
        environment):
    corpus = build_corpus()
    environment.declare_queues()
    publish(environment, corpus.publication_order())
    driver = ServiceDriver(DagsterInstance.ephemeral())

    result = tick_without_raising(driver)

    counts = tick_counts(result)
    assert _rejection_problems(environment.store, corpus.hostile) == []
    assert counts["rejected"] == Counter(message.queue for message in corpus.hostile)
    assert counts["stored"] == Counter(message.queue for message in corpus.valid)
    assert environment.store.rejected.count_documents({}) == len(corpus.hostile)
    assert _missing_valid_documents(environment.store, corpus.valid) == []
    assert queue_depths(environment) == empty_queues()


def test_the_sensor_keeps_running_after_the_corpus_and_rejects_late_messages(environment):
    corpus = build_corpus()
    environment.declare_queues()
    publish(environment, corpus.publication_order())
    driver = ServiceDriver(DagsterInstance.ephemeral())
    tick_without_raising(driver)
    assert driver.completion_tick() == [corpus.zero_file_job]

    idle = tick_without_raising(driver)
    late = file_status(corpus.zero_file_job)
    hostile = OutgoingMessage(FILE_COLLECTION, header_table(), b"{" * 50_000)
    fresh = request_info(new_guid())
    publish(environment, [late, hostile, fresh])
    result = tick_without_raising(driver)

    assert tick_counts(idle)["rejected"] == Counter()
    assert tick_counts(result)["rejected"] == {FILE_STATUS: 1, FILE_COLLECTION: 1}
    assert tick_counts(result)["stored"] == {REQUEST_INFO: 1}
    assert "complete" in _reason_for(environment.store, late).lower()
    assert "message body" in _reason_for(environment.store, hostile).lower()
    assert environment.store.job(json.loads(fresh.body)["ExtractionJobIdentifier"])
    assert queue_depths(environment) == empty_queues()


def test_invalid_utf8_inside_a_text_value_is_stored_as_replacement_characters(environment):
    corpus = build_corpus()
    status = next(m for m in corpus.valid if m.queue == FILE_STATUS and b"\xff" in m.body)
    environment.declare_queues()
    publish(environment, [status])

    tick_without_raising(ServiceDriver(DagsterInstance.ephemeral()))

    outcome = environment.store.outcomes.find_one({"_id": status.message_guid})
    assert outcome["statusMessage"] == "exit code \ufffd\ufffd 1"


def test_header_integers_sent_as_doubles_are_rejected_not_truncated(environment):
    doubles = header_doubles()
    environment.declare_queues()
    publish(environment, [message.as_outgoing() for message in doubles])

    tick_without_raising(ServiceDriver(DagsterInstance.ephemeral()))

    assert _rejection_problems(environment.store, doubles) == []
    assert environment.store.outcomes.count_documents({}) == 0
    assert environment.store.collections.count_documents({}) == 0
    assert queue_depths(environment) == empty_queues()


def _stored_key(message: HostileMessage | OutgoingMessage) -> tuple[str, bytes]:
    return message.queue, message.body[:LARGEST_STORED_BODY]


def _reason_for(store, message: OutgoingMessage) -> str:
    for document in store.rejected.find({"queue": message.queue}):
        if bytes(document["body"]) == message.body:
            return document["reason"]
    raise AssertionError(f"no rejection stored for a delivery on {message.queue}")


def _rejection_problems(store, hostile: list[HostileMessage]) -> list[str]:
    """What is wrong with the stored rejections, one line per hostile delivery at fault."""
    stored = {(d["queue"], bytes(d["body"])): d for d in store.rejected.find({})}
    problems = []
    for message in hostile:
        document = stored.get(_stored_key(message))
        if document is None:
            problems.append(f"{message.name}: no rejection stored")
            continue
        reason = document["reason"]
        if message.field.lower() not in reason.lower():
            problems.append(f"{message.name}: reason {reason!r} does not name {message.field}")
        if len(reason) > LONGEST_REASON or any(v in reason for v in IDENTIFIABLE_VALUES):
            problems.append(f"{message.name}: reason repeats the delivery's content")
        truncated = len(message.body) > LARGEST_STORED_BODY
        if document["bodySize"] != len(message.body) or document["bodyTruncated"] != truncated:
            problems.append(f"{message.name}: body size or truncation recorded wrongly")
        if document["contentEncoding"] != message.content_encoding:
            problems.append(f"{message.name}: content encoding not kept")
    return problems


def _missing_valid_documents(store, valid: list[OutgoingMessage]) -> list[str]:
    """The valid deliveries for which no document carries their message GUID."""
    missing = []
    for message in valid:
        body = json.loads(message.body.decode("utf-8", "replace"))
        guid = str(uuid.UUID(message.headers["MessageGuid"]))
        job_id = body["ExtractionJobIdentifier"]
        if message.queue == REQUEST_INFO:
            document = store.job(job_id)
        elif message.queue == FILE_COLLECTION:
            document = store.collections.find_one({"_id": f"{job_id}:{body['KeyValue']}"})
        else:
            document = store.outcomes.find_one({"_id": guid})
        if document is None or document["header"]["messageGuid"] != guid:
            missing.append(f"{message.queue} {guid}")
    return missing
