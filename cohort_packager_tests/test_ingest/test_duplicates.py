"""Messages seen before are acknowledged and change nothing; conflicting repeats are rejected."""

from __future__ import annotations

import pytest

from cohort_packager.ingest.batch import ArrivalClock, Delivery, store_batch
from cohort_packager_tests.support.messages import (
    file_collection,
    file_status,
    file_verification,
    header_table,
    new_guid,
    one_of_each,
    request_info,
)
from cohort_packager_tests.support.store_contents import document_counts

from . import all_empty, ingest, per_queue, publish_all, queue_depths

BUILDERS = {
    "request info": request_info,
    "file collection info": file_collection,
    "file status": file_status,
    "file verification": file_verification,
}
ONE_OF_EACH = {"jobs": 1, "fileCollections": 1, "fileOutcomes": 2, "rejectedMessages": 0}


@pytest.mark.parametrize("kind", BUILDERS)
def test_a_message_published_twice_is_stored_once_and_both_are_acknowledged(environment, kind):
    message = BUILDERS[kind](new_guid())
    environment.declare_queues()
    publish_all(environment, [message, message])

    report = ingest(environment)

    assert report.stored == {message.queue: 1}
    assert report.duplicates == {message.queue: 1}
    assert report.rejected == {}
    assert sum(document_counts(environment.store).values()) == 1
    assert queue_depths(environment) == all_empty()


def test_messages_repeated_in_a_later_tick_are_counted_as_duplicates(environment):
    messages = one_of_each(new_guid())
    environment.declare_queues()
    publish_all(environment, messages)
    ingest(environment)

    publish_all(environment, messages)
    report = ingest(environment)

    assert report.stored == {}
    assert report.duplicates == per_queue(messages)
    assert document_counts(environment.store) == ONE_OF_EACH
    assert queue_depths(environment) == all_empty()


def test_a_request_info_repeated_with_a_new_message_guid_and_the_same_content_is_a_duplicate(
        environment):
    job_id = new_guid()
    environment.declare_queues()
    publish_all(environment, [request_info(job_id)])
    ingest(environment)

    publish_all(environment, [request_info(job_id, headers=header_table())])
    report = ingest(environment)

    assert report.duplicates == {"ExtractRequestInfoOptions": 1}
    assert report.rejected == {}
    assert document_counts(environment.store)["jobs"] == 1
    assert queue_depths(environment) == all_empty()


def test_a_request_info_conflicting_with_the_stored_one_is_rejected_and_kept(environment):
    job_id = new_guid()
    original = request_info(job_id, KeyValueCount=2)
    conflicting = request_info(job_id, KeyValueCount=3)
    environment.declare_queues()
    publish_all(environment, [original])
    ingest(environment)

    publish_all(environment, [conflicting])
    report = ingest(environment)

    assert report.rejected == {"ExtractRequestInfoOptions": 1}
    rejection = environment.store.rejected.find_one({})
    assert job_id in rejection["reason"]
    assert "conflict" in rejection["reason"]
    assert bytes(rejection["body"]) == conflicting.body
    assert environment.store.job(job_id)["keyCount"] == 2
    assert queue_depths(environment) == all_empty()


def test_a_conflicting_request_info_in_the_same_batch_is_rejected(environment):
    job_id = new_guid()
    environment.declare_queues()
    publish_all(environment, [request_info(job_id, UserName="jdoe"),
                              request_info(job_id, UserName="asmith")])

    report = ingest(environment)

    assert report.stored == {"ExtractRequestInfoOptions": 1}
    assert report.rejected == {"ExtractRequestInfoOptions": 1}
    assert environment.store.job(job_id)["userName"] == "jdoe"
    assert "conflict" in environment.store.rejected.find_one({})["reason"]
    assert queue_depths(environment) == all_empty()


def test_messages_stored_but_not_acknowledged_before_a_lost_connection_are_stored_once(
        environment):
    messages = one_of_each(new_guid())
    environment.declare_queues()
    publish_all(environment, messages)

    connection, channel = environment.channel()
    deliveries = []
    for message in messages:
        name = environment.queue_names[message.queue]
        method, properties, body = channel.basic_get(name, auto_ack=False)
        deliveries.append(Delivery(message.queue, name, method.delivery_tag, properties.headers,
                                   body, properties.content_encoding, method.redelivered))
    first = store_batch(environment.store, deliveries, ArrivalClock())
    connection.close()

    report = ingest(environment)

    assert sorted(first.acknowledge) == sorted(d.delivery_tag for d in deliveries)
    assert report.stored == {}
    assert report.duplicates == per_queue(messages)
    assert document_counts(environment.store) == ONE_OF_EACH
    assert queue_depths(environment) == all_empty()


def test_a_late_message_for_a_completed_job_is_rejected_and_a_redelivery_acknowledged(
        environment):
    job_id = new_guid()
    stored_before = one_of_each(job_id)
    environment.declare_queues()
    publish_all(environment, stored_before)
    ingest(environment)
    environment.store.record_completion(job_id, environment.store.job(job_id)["jobSubmittedAt"])

    late = [file_collection(job_id, key_value="1.2.3.4.5.100.2"), file_status(job_id),
            file_verification(job_id)]
    publish_all(environment, late + stored_before)
    report = ingest(environment)

    assert report.rejected == per_queue(late)
    assert report.duplicates == per_queue(stored_before)
    assert report.stored == {}
    reasons = [r["reason"] for r in environment.store.rejected.find({})]
    assert len(reasons) == len(late)
    assert all(job_id in reason and "reports were produced" in reason for reason in reasons)
    assert document_counts(environment.store) == {**ONE_OF_EACH, "rejectedMessages": 3}
    assert queue_depths(environment) == all_empty()
