"""Property tests: whatever arrives, the message layer parses it or raises InvalidMessage."""
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohort_packager.messages import (
    QUEUE_KINDS,
    ExtractionRequestInfo,
    FileCollectionInfo,
    FileStatus,
    FileVerification,
    InvalidMessage,
    parse_body,
    parse_failure_report,
    parse_header,
)

from . import QUEUE_OF, REMOVE, body_of, encode

CANONICAL_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SECRET = "Smith^John"
FIELD_NAMES = [
    "ExtractionJobIdentifier", "ProjectNumber", "ExtractionDirectory", "Modality",
    "JobSubmittedAt", "IsIdentifiableExtraction", "IsNoFilterExtraction", "IsPooledExtraction",
    "KeyTag", "KeyValueCount", "UserName", "KeyValue", "ExtractFileMessagesDispatched",
    "RejectionReasons", "DicomFilePath", "Status", "OutputFilePath", "StatusMessage", "Report",
    "SerializeableKeys", "SerializeableValues", "MessageGuid", "ProducerProcessID",
    "ProducerExecutableName", "OriginalPublishTimestamp", "Parents", "Parts", "Classification",
    "Offset", "Word", "Resource", "ResourcePrimaryKey", "ProblemField", "ProblemValue",
]
FAST = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow],
)


def case_variants(name: str):
    return st.sampled_from([name, name.lower(), name.upper(), name.swapcase()])


names = st.sampled_from(FIELD_NAMES).flatmap(case_variants) | st.text(max_size=8)
interesting_text = st.sampled_from([
    "", " ", "0", "-1", "2", "4", "2147483648", "true", "False", "None", "Copied",
    "IsIdentifiable", "ErrorWontRetry", "PixelText", "[]", "[ ]", "null", "{}", SECRET,
    "6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c11", "{6D0F1A52-7C1E-4D53-9A57-0B8F2F1E9C11}",
    "00000000-0000-0000-0000-000000000000", "2024-03-01T09:30:00.1234567Z",
    "0001-01-01T00:00:00", "9999-12-31T23:59:59-01:00", "PRJ/x/y", "../x", "/abs/x", "a//b",
    "\ud800", "[{'Parts': [{'Classification': 'Person', 'Offset': 1, 'Word': 'x'}]}]",
    '[{"Parts": [{"Classification": 3, "Offset": "2", "Word": "x"}], "ProblemValue": null}]',
])
scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | interesting_text | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(names, children, max_size=5),
    max_leaves=10,
)


def check_accepted(message) -> None:
    assert isinstance(
        message, (ExtractionRequestInfo, FileCollectionInfo, FileStatus, FileVerification)
    )
    assert CANONICAL_GUID.fullmatch(message.job_id)


def parse_or_reject(kind: str, raw: bytes) -> None:
    try:
        message = parse_body(kind, raw)
    except InvalidMessage as rejected:
        assert rejected.reason and SECRET not in rejected.reason
    else:
        check_accepted(message)


@FAST
@given(kind=st.sampled_from(QUEUE_KINDS), raw=st.binary(max_size=400))
def test_arbitrary_bytes_are_parsed_or_rejected(kind, raw):
    parse_or_reject(kind, raw)


@FAST
@given(
    kind=st.sampled_from(QUEUE_KINDS),
    text=st.text(alphabet=st.sampled_from(list("{}[]:,'\"/*\\ \n0123456789.-+eExtrunlfaN")),
                 max_size=80),
)
def test_json_like_text_is_parsed_or_rejected(kind, text):
    parse_or_reject(kind, text.encode("utf-8", "surrogatepass"))


@FAST
@given(kind=st.sampled_from(QUEUE_KINDS), document=st.dictionaries(names, json_values))
def test_arbitrary_objects_of_real_field_names_are_parsed_or_rejected(kind, document):
    parse_or_reject(kind, json.dumps(document).encode("utf-8", "surrogatepass"))


@FAST
@given(
    kind=st.sampled_from(list(QUEUE_OF)),
    changes=st.dictionaries(st.sampled_from(FIELD_NAMES), json_values | st.just(REMOVE),
                            min_size=1, max_size=3),
)
def test_valid_bodies_with_fields_replaced_are_parsed_or_rejected(kind, changes):
    parse_or_reject(QUEUE_OF[kind], encode(body_of(kind, **changes)))


@FAST
@given(report=st.one_of(
    st.text(max_size=60),
    json_values.map(json.dumps),
    st.lists(st.dictionaries(names, json_values, max_size=4), max_size=3).map(json.dumps),
))
def test_arbitrary_reports_are_parsed_or_rejected(report):
    try:
        failures = parse_failure_report(report)
    except InvalidMessage as rejected:
        assert rejected.reason.startswith("Report") and SECRET not in rejected.reason
    else:
        for failure in failures:
            offsets = [part.offset for part in failure.parts]
            assert offsets == sorted(offsets)


@FAST
@given(table=st.none() | st.dictionaries(
    st.sampled_from(["MessageGuid", "ProducerProcessID", "ProducerExecutableName",
                     "OriginalPublishTimestamp", "Parents"]) | st.text(max_size=5),
    scalars | st.binary(max_size=40),
))
def test_arbitrary_header_tables_are_parsed_or_rejected(table):
    try:
        header = parse_header(table)
    except InvalidMessage as rejected:
        assert rejected.reason
    else:
        assert CANONICAL_GUID.fullmatch(header.message_guid)
        assert header.producer_process_id > 0
