"""A slow MongoDB does not end a tick early: while a batch is being written it holds the
prefetch credit, so no new deliveries arrive, and that quiet is not mistaken for an empty
queue."""

from __future__ import annotations

import dataclasses
import time

from cohort_packager.config import QueueOptions
from cohort_packager.store.extraction_store import ExtractionStore
from cohort_packager_tests.support.messages import FILE_STATUS, file_status, new_guid

from . import all_empty, ingest, publish_all, queue_depths

BATCH = 5
BATCHES = 4
WRITE_SECONDS = 1.0  # longer than the idle time after which a tick ends


class _SlowStore(ExtractionStore):
    """The real store, whose outcome inserts take longer than a tick's idle time."""

    def insert_outcomes(self, documents):
        time.sleep(WRITE_SECONDS)
        return super().insert_outcomes(documents)


def test_a_tick_waits_for_a_slow_write_instead_of_ending_as_if_the_queues_were_empty(
        environment):
    job_id = new_guid()
    messages = [file_status(job_id, DicomFilePath=f"2019/01/{n}.dcm")
                for n in range(BATCH * BATCHES)]
    environment.declare_queues()
    publish_all(environment, messages)

    report = ingest(environment, store=_SlowStore(environment.store.database),
                    packager=_batches_as_large_as_the_prefetch(environment.settings.packager))

    assert report.stored == {FILE_STATUS: BATCH * BATCHES}
    assert report.batches == BATCHES
    assert queue_depths(environment) == all_empty()


def _batches_as_large_as_the_prefetch(packager):
    queues = {key: QueueOptions(queue.queue_name, prefetch_count=BATCH)
              for key, queue in packager.queues.items()}
    return dataclasses.replace(packager, queues=queues, ingest_batch_size=BATCH)
