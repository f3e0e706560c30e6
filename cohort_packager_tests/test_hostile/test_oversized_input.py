"""Valid messages too large to be stored as one MongoDB document (16 MiB) must not stop the
sensor: such a message is rejected with a reason, and the messages beside it are stored."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance

from cohort_packager_tests.support.messages import (
    FILE_STATUS,
    FILE_VERIFICATION,
    REQUEST_INFO,
    OutgoingMessage,
    encode,
    file_status_body,
    file_verification_body,
    header_table,
    new_guid,
    request_info,
)
from cohort_packager_tests.support.service import ServiceDriver

from . import empty_queues, publish, queue_depths, tick_counts, tick_without_raising

MEGABYTE = 1024 * 1024


def _failure_with_undecodable_message(job_id: str) -> OutgoingMessage:
    # Each byte that is not UTF-8 is kept as U+FFFD, three bytes once stored: 6 MB become 18.
    body = encode(file_status_body(job_id, StatusMessage="@@TEXT@@"))
    return OutgoingMessage(FILE_STATUS, header_table(),
                           body.replace(b"@@TEXT@@", b"\xff" * (6 * MEGABYTE)))


def _verifier_error_with_a_long_report(job_id: str) -> OutgoingMessage:
    report = "could not scan: " + "z" * (17 * MEGABYTE)
    return OutgoingMessage(FILE_VERIFICATION, header_table(), encode(file_verification_body(
        job_id, Status="ErrorWontRetry", Report=report)))


@pytest.mark.parametrize("build", [_failure_with_undecodable_message,
                                   _verifier_error_with_a_long_report])
def test_a_message_too_large_to_store_is_rejected_and_holds_back_nothing(environment, build):
    job_id = new_guid()
    neighbour = request_info(job_id)
    oversized = build(job_id)
    environment.declare_queues()
    publish(environment, [neighbour, oversized])

    result = tick_without_raising(ServiceDriver(DagsterInstance.ephemeral()))

    assert tick_counts(result)["stored"] == {REQUEST_INFO: 1}
    assert tick_counts(result)["rejected"] == {oversized.queue: 1}
    rejection = environment.store.rejected.find_one({})
    assert 0 < len(rejection["reason"].strip()) < 400
    assert rejection["bodySize"] == len(oversized.body)
    assert environment.store.job(job_id) is not None
    assert queue_depths(environment) == empty_queues()
