"""The reference of the fault tests: the backlog, ingested without a fault, produces exactly the
reports derived from the acceptance cases."""

from __future__ import annotations

from dagster import DagsterInstance

from cohort_packager_tests.support.service import ServiceDriver
from cohort_packager_tests.test_faults import (
    assert_reports_match,
    distinct_message_counts,
    document_counts,
    drain,
    per_queue,
)


def test_the_backlog_ingested_without_faults_produces_the_reports_derived_from_the_cases(
        environment, published_backlog):
    messages = published_backlog.messages

    report = drain(environment)

    assert report.stored == per_queue(messages)
    assert report.duplicates == {}
    assert report.batches > 1
    assert document_counts(environment.store) == distinct_message_counts(messages)
    driver = ServiceDriver(DagsterInstance.ephemeral())
    assert driver.completion_tick() == [published_backlog.meta["job_id"]]
    assert_reports_match(published_backlog, environment)
