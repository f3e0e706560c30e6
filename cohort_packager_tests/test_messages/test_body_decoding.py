"""parse_body's reading of the bytes: encodings, JSON syntax, and property-name rules."""
import pytest

from cohort_packager.messages import (
    QUEUE_KINDS,
    ExtractionRequestInfo,
    InvalidMessage,
    parse_body,
)

from . import JOB_ID, QUEUE_OF, REMOVE, body_of, encode, parse, rejection_reason

REQUEST = QUEUE_OF["request"]


def reason_for_bytes(raw: bytes, kind: str = REQUEST, encoding: str | None = None) -> str:
    with pytest.raises(InvalidMessage) as raised:
        parse_body(kind, raw, encoding)
    return raised.value.reason


def test_a_compact_utf8_body_is_parsed():
    assert isinstance(parse("request", body_of("request")), ExtractionRequestInfo)


@pytest.mark.parametrize("encoding", [None, "", "UTF-8", "utf8"])
def test_utf8_is_the_default_and_named_encoding(encoding):
    message = parse_body(REQUEST, encode(body_of("request", UserName="Zoë")), encoding)
    assert message.user_name == "Zoë"


def test_the_content_encoding_property_is_honoured():
    raw = encode(body_of("request", UserName="Zoë")).decode().encode("utf-16")
    assert parse_body(REQUEST, raw, "utf-16").user_name == "Zoë"


@pytest.mark.parametrize("encoding", ["klingon-8", "zlib", "hex"])
def test_an_unknown_or_non_text_encoding_is_rejected(encoding):
    assert "content encoding" in reason_for_bytes(encode(body_of("request")), encoding=encoding)


def test_invalid_utf8_bytes_become_replacement_characters_instead_of_failing():
    raw = encode(body_of("request", UserName="jdoe")).replace(b"jdoe", b"jd\xff\xfeoe")
    assert parse_body(REQUEST, raw).user_name == "jd\ufffd\ufffdoe"


def test_lone_surrogate_escapes_become_replacement_characters():
    raw = encode(body_of("request", UserName="jdoe")).replace(b"jdoe", b"jd\\ud800oe")
    user_name = parse_body(REQUEST, raw).user_name
    assert user_name == "jd\ufffdoe"
    assert user_name.encode("utf-8")


def test_a_leading_byte_order_mark_is_ignored():
    assert parse_body(REQUEST, b"\xef\xbb\xbf" + encode(body_of("request"))).job_id == JOB_ID


def test_an_empty_body_is_rejected():
    assert "empty" in reason_for_bytes(b"")


@pytest.mark.parametrize("raw, kind", [
    (b"null", "null"), (b"[]", "array"), (b'"text"', "string"), (b"42", "number"),
    (b"true", "boolean"),
])
def test_a_body_that_is_not_an_object_is_rejected(raw, kind):
    assert reason_for_bytes(raw) == f"message body must be a JSON object, got {kind}"


@pytest.mark.parametrize("raw", [b"not json", b"{", b"   ", b'{"a":1}{"b":2}'])
def test_a_body_that_is_not_json_is_rejected(raw):
    assert "message body is not valid JSON" in reason_for_bytes(raw)


def test_the_lenient_json_forms_are_accepted():
    lenient = (
        "{ExtractionJobIdentifier: '6d0f1a52-7c1e-4d53-9a57-0b8f2f1e9c11', // job\n"
        "'ProjectNumber': 'PRJ042', ExtractionDirectory: 'PRJ042/extractions/x',"
        "Modality: 'CT', /* submitted */ JobSubmittedAt: '2024-03-01T09:30:00Z',"
        "IsIdentifiableExtraction: false, IsNoFilterExtraction: false,"
        "IsPooledExtraction: false, KeyTag: 'StudyInstanceUID', KeyValueCount: 1,"
        "UserName: 'jdoe',}"
    )
    message = parse_body(REQUEST, lenient.encode())
    assert (message.job_id, message.key_tag, message.extraction_directory) == (
        JOB_ID, "StudyInstanceUID", "PRJ042/extractions/x"
    )


def test_lenient_json_is_not_tried_on_large_bodies():
    body = body_of("request", UserName="j" * (300 * 1024))
    raw = encode(body).replace(b'"KeyTag"', b"'KeyTag'")
    assert "not valid JSON" in reason_for_bytes(raw)


@pytest.mark.parametrize("raw", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b"{'a':" + b"[" * 5_000 + b"'x'" + b"]" * 5_000 + b"}",
])
def test_deeply_nested_json_is_rejected_without_crashing(raw):
    assert "message body" in reason_for_bytes(raw)


def test_property_names_are_matched_case_insensitively():
    body = {name.lower(): value for name, value in body_of("request").items()}
    body["KEYTAG"] = body.pop("keytag")
    message = parse("request", body)
    assert (message.key_tag, message.user_name) == ("SeriesInstanceUID", "jdoe")


def test_the_last_of_duplicate_properties_wins_whatever_their_case():
    raw = encode(body_of("request", UserName="first")).replace(
        b'"UserName":"first"', b'"UserName":"first","username":"second","USERNAME":"third"'
    )
    assert parse_body(REQUEST, raw).user_name == "third"


def test_an_unknown_property_is_rejected_by_name():
    reason = rejection_reason("status", body_of("status", AnonymisedFileName="x.dcm"))
    assert reason == "unknown property 'AnonymisedFileName'"


@pytest.mark.parametrize("kind", ["request", "collection", "status", "verification"])
@pytest.mark.parametrize("name", [
    "ExtractionJobIdentifier", "ProjectNumber", "ExtractionDirectory", "Modality",
    "JobSubmittedAt", "IsIdentifiableExtraction", "IsNoFilterExtraction", "IsPooledExtraction",
])
def test_every_common_field_is_required_and_not_null(kind, name):
    assert rejection_reason(kind, body_of(kind, **{name: REMOVE})) == f"{name} is required"
    assert rejection_reason(kind, body_of(kind, **{name: None})) == f"{name} must not be null"


@pytest.mark.parametrize("kind", ["request", "collection", "status", "verification"])
@pytest.mark.parametrize("name, value", [
    ("ExtractionJobIdentifier", "job-1"), ("ProjectNumber", 42), ("ExtractionDirectory", []),
    ("Modality", {}), ("JobSubmittedAt", "March"), ("IsIdentifiableExtraction", "no"),
    ("IsNoFilterExtraction", 1), ("IsPooledExtraction", "maybe"),
])
def test_every_common_field_is_type_checked_on_every_kind(kind, name, value):
    assert rejection_reason(kind, body_of(kind, **{name: value})).startswith(name)


@pytest.mark.parametrize("kind", ["request", "collection", "status", "verification"])
def test_an_all_zero_job_id_is_rejected_on_every_kind(kind):
    body = body_of(kind, ExtractionJobIdentifier="00000000-0000-0000-0000-000000000000")
    assert "ExtractionJobIdentifier" in rejection_reason(kind, body)


def test_the_job_id_is_canonicalised_on_every_kind():
    for kind in ("request", "collection", "status", "verification"):
        body = body_of(kind, ExtractionJobIdentifier="{" + JOB_ID.upper() + "}")
        assert parse(kind, body).job_id == JOB_ID


def test_an_unknown_queue_kind_is_a_programming_error_not_an_invalid_message():
    with pytest.raises(ValueError) as raised:
        parse_body("SomeOtherOptions", encode(body_of("request")))
    assert not isinstance(raised.value, InvalidMessage)


def test_the_queue_kinds_are_the_four_cohort_packager_option_names():
    assert set(QUEUE_KINDS) == set(QUEUE_OF.values())
