"""Property test through the real broker and the real ingest sensor: whatever arrives, each
delivery ends up stored, recognised as a repeat, or rejected with a reason; none is lost."""

from __future__ import annotations

from dagster import DagsterInstance
from hypothesis import given, settings
from hypothesis import strategies as st

from cohort_packager_tests.support.messages import (
    FILE_COLLECTION,
    FILE_STATUS,
    FILE_VERIFICATION,
    IDENTIFIABLE_REPORT,
    REMOVE,
    REQUEST_INFO,
    OutgoingMessage,
    encode,
    file_collection_body,
    file_status_body,
    file_verification_body,
    header_table,
    request_info_body,
)
from cohort_packager_tests.support.service import ServiceDriver

from . import empty_queues, publish, queue_depths, tick_counts, tick_without_raising

QUEUES = (REQUEST_INFO, FILE_COLLECTION, FILE_STATUS, FILE_VERIFICATION)
BODY_BUILDERS = {
    REQUEST_INFO: request_info_body,
    FILE_COLLECTION: file_collection_body,
    FILE_STATUS: file_status_body,
    FILE_VERIFICATION: file_verification_body,
}
FIELD_NAMES = (
    "ExtractionJobIdentifier", "ProjectNumber", "ExtractionDirectory", "Modality",
    "JobSubmittedAt", "IsIdentifiableExtraction", "IsNoFilterExtraction", "IsPooledExtraction",
    "KeyTag", "KeyValueCount", "UserName", "KeyValue", "ExtractFileMessagesDispatched",
    "RejectionReasons", "DicomFilePath", "Status", "OutputFilePath", "StatusMessage", "Report",
    "SerializeableKeys", "SerializeableValues", "MessageGuid", "Parents", "Parts",
)
HEADER_KEYS = ("ProducerProcessID", "ProducerExecutableName", "OriginalPublishTimestamp",
               "Parents")

plausible = st.sampled_from([
    "6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c11", "00000000-0000-0000-0000-000000000000",
    "2024-03-01T09:30:00Z", "0001-01-01T00:00:00", "PRJ042/extractions/x", "../x", "/abs/x",
    "[]", "null", IDENTIFIABLE_REPORT, "Copied", "ErrorWontRetry", 0, 1, 2, 3, 4, -1, 2**31,
])
scalars = (st.none() | st.booleans() | st.integers(-(2**64), 2**64) | st.text(max_size=12)
           | st.floats(allow_nan=False, allow_infinity=False) | plausible)
json_values = st.recursive(
    scalars,
    lambda inner: (st.lists(inner, max_size=3)
                   | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=6), inner,
                                     max_size=3)),
    max_leaves=8,
)
random_objects = st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=12)


@st.composite
def bodies(draw, queue: str) -> bytes:
    """Random bytes, a random object of real field names, or a valid body with one field
    replaced or removed."""
    kind = draw(st.sampled_from(["bytes", "object", "mutated", "valid"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "object":
        return encode(draw(random_objects))
    body = BODY_BUILDERS[queue](str(draw(st.uuids())))
    if kind == "mutated":
        name = draw(st.sampled_from(sorted(body)))
        value = draw(json_values | st.just(REMOVE))
        if value is REMOVE:
            del body[name]
        else:
            body[name] = value
    return encode(body)


@st.composite
def deliveries(draw) -> OutgoingMessage:
    queue = draw(st.sampled_from(QUEUES))
    headers = header_table()
    if draw(st.booleans()):
        key = draw(st.sampled_from(HEADER_KEYS))
        headers[key] = draw(st.none() | st.booleans() | st.text(max_size=10)
                            | st.integers(-(2**63), 2**63 - 1) | st.binary(max_size=10))
    return OutgoingMessage(queue, headers, draw(bodies(queue)))


def test_every_random_delivery_is_stored_repeated_or_rejected_never_lost(environment):
    environment.declare_queues()
    driver = ServiceDriver(DagsterInstance.ephemeral())

    @settings(max_examples=25, deadline=None, database=None)
    @given(st.lists(deliveries(), min_size=1, max_size=8))
    def one_tick(messages: list[OutgoingMessage]):
        publish(environment, messages)

        result = tick_without_raising(driver)

        counts = tick_counts(result)
        repeated = sum(counts["repeated"].values())
        rejected = [m for m in messages if _rejection(environment.store, m) is not None]
        stored = [m for m in messages if _stored(environment.store, m)]
        assert len(rejected) + len(stored) + repeated == len(messages)
        assert len(rejected) == sum(counts["rejected"].values())
        assert all(_rejection(environment.store, m)["reason"].strip() for m in rejected)
        assert queue_depths(environment) == empty_queues()

    one_tick()


def _rejection(store, message: OutgoingMessage) -> dict | None:
    pair = ["MessageGuid", message.headers["MessageGuid"]]
    return store.rejected.find_one({"queue": message.queue, "headers": pair})


def _stored(store, message: OutgoingMessage) -> bool:
    query = {"header.messageGuid": message.headers["MessageGuid"]}
    return any(collection.count_documents(query) == 1
               for collection in (store.jobs, store.collections, store.outcomes))

