"""Every message of the backlog delivered twice, the second copies shuffled across the queues,
before or after the job's reports are produced: each copy is acknowledged as a repeat, nothing is
stored twice or rejected, and the reports are those of a single delivery."""

from __future__ import annotations

import random

from dagster import DagsterInstance

from cohort_packager_tests.support.acceptance import CaseMessage
from cohort_packager_tests.support.service import ServiceDriver
from cohort_packager_tests.test_faults import (
    assert_reports_match,
    assert_stored_once_and_reported,
    distinct_message_counts,
    document_counts,
    drain,
    drain_until_empty,
    folder_contents,
    job_reports_folder,
    per_queue,
    publish_messages,
    settled_depths,
)

SHUFFLE_SEED = 20240301


def second_copies(messages: list[CaseMessage]) -> list[CaseMessage]:
    """The same messages again, in an order mixing the queues (a fixed one, for reruns)."""
    copies = list(messages)
    random.Random(SHUFFLE_SEED).shuffle(copies)
    return copies


def test_a_second_copy_of_every_message_is_acknowledged_as_a_repeat_and_changes_nothing(
        environment, published_backlog):
    messages = published_backlog.messages
    publish_messages(environment, second_copies(messages))

    report = drain_until_empty(environment)

    assert report.stored == per_queue(messages)
    assert report.duplicates == per_queue(messages)
    assert report.rejected == {}
    assert_stored_once_and_reported(environment, published_backlog)


def test_copies_arriving_after_the_reports_are_repeats_not_late_messages(
        environment, published_backlog):
    messages = published_backlog.messages
    job_id = published_backlog.meta["job_id"]
    assert drain(environment).stored == per_queue(messages)
    driver = ServiceDriver(DagsterInstance.ephemeral())
    assert driver.completion_tick() == [job_id]
    folder = job_reports_folder(environment, job_id)
    released = folder_contents(folder)

    publish_messages(environment, second_copies(messages))
    report = drain_until_empty(environment)

    assert report.duplicates == per_queue(messages)
    assert report.stored == {}
    assert report.rejected == {}
    assert document_counts(environment.store) == distinct_message_counts(messages)
    assert settled_depths(environment, 0) == dict.fromkeys(environment.queue_names, 0)
    assert driver.completion_tick() == []
    assert folder_contents(folder) == released
    assert_reports_match(published_backlog, environment)
