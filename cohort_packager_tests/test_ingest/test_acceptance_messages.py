"""The messages of every shared acceptance case are ingested as their lines expect."""

from __future__ import annotations

from collections import Counter

import pytest

from cohort_packager_tests.support.acceptance import case_names, load_case, publish
from cohort_packager_tests.support.store_contents import document_counts

from . import all_empty, ingest, queue_depths

COLLECTION_OF_QUEUE = {
    "ExtractRequestInfoOptions": "jobs",
    "FileCollectionInfoOptions": "fileCollections",
    "NoVerifyStatusOptions": "fileOutcomes",
    "VerificationStatusOptions": "fileOutcomes",
}


@pytest.mark.parametrize("case_name", case_names())
def test_acceptance_case_messages_are_acknowledged_or_rejected_as_expected(environment,
                                                                           case_name):
    case = load_case(case_name)
    environment.declare_queues()
    connection, channel = environment.channel()
    for message in case.messages:
        publish(channel, environment.queue_names[message.queue], message.headers, message.body)
    connection.close()

    report = ingest(environment)

    accepted = [m for m in case.messages if m.expect == "ack"]
    refused = [m for m in case.messages if m.expect == "nack"]
    assert len(accepted) + len(refused) == len(case.messages)
    assert report.stored == Counter(m.queue for m in accepted)
    assert report.rejected == Counter(m.queue for m in refused)
    assert report.duplicates == {}
    expected = Counter({name: 0 for name in COLLECTION_OF_QUEUE.values()})
    expected.update(COLLECTION_OF_QUEUE[m.queue] for m in accepted)
    assert document_counts(environment.store) == {**expected, "rejectedMessages": len(refused)}
    assert environment.store.job(case.meta["job_id"]) is not None
    assert queue_depths(environment) == all_empty()
