"""When MongoDB fails, a tick stops with IngestFault and acknowledges nothing it did not store;
the next tick stores what was left, once."""

from __future__ import annotations

import dataclasses
import socket
import time

import pymongo
import pytest
from pymongo.errors import AutoReconnect

from cohort_packager.config import QueueOptions
from cohort_packager.ingest.consumer import IngestFault
from cohort_packager.store.extraction_store import ExtractionStore
from cohort_packager_tests.support.messages import FILE_STATUS, file_status, new_guid, one_of_each
from cohort_packager_tests.support.store_contents import document_counts

from . import all_empty, ingest, per_queue, publish_all, queue_depths


def test_an_unreachable_store_stops_the_tick_and_leaves_every_message_queued(environment):
    messages = one_of_each(new_guid()) + one_of_each(new_guid())
    environment.declare_queues()
    publish_all(environment, messages)
    client = pymongo.MongoClient(
        f"mongodb://127.0.0.1:{_closed_port()}/?directConnection=true",
        serverSelectionTimeoutMS=500)

    with pytest.raises(IngestFault) as fault:
        ingest(environment, store=ExtractionStore(client["unreachable"]))
    client.close()

    assert "MongoDB" in str(fault.value)
    assert "queue" in str(fault.value)
    assert _depths_once_settled(environment, per_queue(messages)) == per_queue(messages)

    report = ingest(environment)

    assert report.stored == per_queue(messages)
    assert report.duplicates == {}
    assert document_counts(environment.store) == {
        "jobs": 2, "fileCollections": 2, "fileOutcomes": 4, "rejectedMessages": 0}
    assert queue_depths(environment) == all_empty()


class _StoreFailingAfter(ExtractionStore):
    """The real store, whose outcome inserts fail as if MongoDB went away after a few."""

    def __init__(self, database, successful_inserts: int):
        super().__init__(database)
        self.remaining = successful_inserts

    def insert_outcomes(self, documents):
        if self.remaining == 0:
            raise AutoReconnect("connection closed")
        self.remaining -= 1
        return super().insert_outcomes(documents)


def test_a_store_failure_mid_tick_keeps_the_batches_before_it_and_queues_the_rest(environment):
    job_id = new_guid()
    messages = [file_status(job_id, DicomFilePath=f"2019/01/{n}.dcm") for n in range(6)]
    one_at_a_time = _one_message_per_batch(environment.settings.packager)
    environment.declare_queues()
    publish_all(environment, messages)

    with pytest.raises(IngestFault):
        ingest(environment, store=_StoreFailingAfter(environment.store.database, 2),
               packager=one_at_a_time)

    assert environment.store.outcomes.count_documents({}) == 2
    assert _depths_once_settled(environment, {FILE_STATUS: 4})[FILE_STATUS] == 4

    report = ingest(environment)

    assert report.stored == {FILE_STATUS: 4}
    stored = environment.store.outcomes.find({}).sort("arrival", 1)
    assert [d["_id"] for d in stored] == [m.message_guid for m in messages]
    assert queue_depths(environment) == all_empty()


def _one_message_per_batch(packager):
    queues = {key: QueueOptions(queue.queue_name, prefetch_count=1)
              for key, queue in packager.queues.items()}
    return dataclasses.replace(packager, queues=queues, ingest_batch_size=1)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _depths_once_settled(environment, expected, seconds: float = 3.0) -> dict[str, int]:
    """Queue depths, read again for a moment while the broker requeues a closed channel's
    unacknowledged messages."""
    deadline = time.monotonic() + seconds
    while True:
        depths = {key: n for key, n in queue_depths(environment).items() if n}
        if depths == expected or time.monotonic() > deadline:
            return depths
        time.sleep(0.1)
