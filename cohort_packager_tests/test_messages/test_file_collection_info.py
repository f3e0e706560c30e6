"""FileCollectionInfo: the files dispatched for one identifier, and the files rejected."""
import pytest

from cohort_packager.messages import DispatchedFile, FileCollectionInfo, Rejection

from . import FILE_MESSAGE_GUIDS, JOB_ID, REMOVE, body_of, dispatch_header, parse
from . import rejection_reason

DISPATCHED = "ExtractFileMessagesDispatched"


def with_dispatched(keys, values, **changes) -> dict:
    return body_of("collection", **{
        DISPATCHED: {"SerializeableKeys": keys, "SerializeableValues": values}, **changes,
    })


def two_headers() -> list:
    return [dispatch_header(guid) for guid in FILE_MESSAGE_GUIDS]


def reason_with(**changes) -> str:
    return rejection_reason("collection", body_of("collection", **changes))


def test_files_are_paired_with_their_output_paths_in_order():
    assert parse("collection", body_of("collection")) == FileCollectionInfo(
        job_id=JOB_ID,
        key_value="1.2.3.4.5.100.1",
        dispatched=(
            DispatchedFile(FILE_MESSAGE_GUIDS[0], "S1/img-0001-an.dcm"),
            DispatchedFile(FILE_MESSAGE_GUIDS[1], "S1/img-0002-an.dcm"),
        ),
        rejections=(Rejection("ImageType is not ORIGINAL", 2),),
    )


def test_key_value_is_required_and_not_blank():
    assert reason_with(KeyValue=REMOVE) == "KeyValue is required"
    assert reason_with(KeyValue=" ") == "KeyValue must not be blank"


def test_the_dispatched_files_are_required():
    assert reason_with(**{DISPATCHED: None}) == f"{DISPATCHED} must not be null"
    assert reason_with(**{DISPATCHED: []}).startswith(DISPATCHED)


def test_dispatched_files_may_be_empty():
    assert parse("collection", with_dispatched([], [])).dispatched == ()
    assert parse("collection", body_of("collection", **{DISPATCHED: {}})).dispatched == ()


@pytest.mark.parametrize("keys, values", [
    ("two", ["S1/a.dcm"]),
    ("two", None),
    (None, ["S1/a.dcm", "S1/b.dcm"]),
])
def test_unpaired_lists_mean_the_identifier_has_no_files(keys, values):
    body = with_dispatched(two_headers() if keys == "two" else keys, values)
    if values is None:
        del body[DISPATCHED]["SerializeableValues"]
    assert parse("collection", body).dispatched == ()


def test_the_dispatched_object_takes_no_other_property():
    body = body_of("collection")
    body[DISPATCHED]["Count"] = 2
    assert rejection_reason("collection", body) == f"unknown property 'Count' in {DISPATCHED}"


def test_dispatched_property_names_are_case_insensitive():
    body = body_of("collection", **{DISPATCHED: REMOVE})
    header = dispatch_header(FILE_MESSAGE_GUIDS[0])
    body["extractfilemessagesdispatched"] = {
        "serializeablekeys": [{name.upper(): value for name, value in header.items()}],
        "SERIALIZEABLEVALUES": ["S1/a.dcm"],
    }
    assert parse("collection", body).dispatched == (
        DispatchedFile(FILE_MESSAGE_GUIDS[0], "S1/a.dcm"),
    )


def test_a_header_object_takes_no_unknown_property():
    keys = two_headers()
    keys[1]["RoutingKey"] = "x"
    reason = rejection_reason("collection", with_dispatched(keys, ["a/1", "a/2"]))
    assert "'RoutingKey'" in reason and "SerializeableKeys[1]" in reason


def test_header_object_fields_are_each_optional_but_type_checked():
    only_guids = [{"MessageGuid": guid} for guid in FILE_MESSAGE_GUIDS]
    assert len(parse("collection", with_dispatched(only_guids, ["a/1", "a/2"])).dispatched) == 2

    keys = two_headers()
    keys[0]["ProducerProcessID"] = "many"
    reason = rejection_reason("collection", with_dispatched(keys, ["a/1", "a/2"]))
    assert "SerializeableKeys[0].ProducerProcessID" in reason

    keys = two_headers()
    keys[0]["Parents"] = ["not-a-guid"]
    reason = rejection_reason("collection", with_dispatched(keys, ["a/1", "a/2"]))
    assert "SerializeableKeys[0].Parents[0]" in reason


def test_two_identical_header_objects_are_rejected():
    header = dispatch_header(FILE_MESSAGE_GUIDS[0])
    body = with_dispatched([header, dict(header)], ["a/1", "a/2"])
    reason = rejection_reason("collection", body)
    assert "SerializeableKeys" in reason and "twice" in reason


def test_identical_guid_and_path_pairs_collapse_to_one_keeping_order():
    first, second = dispatch_header(FILE_MESSAGE_GUIDS[0]), dispatch_header(FILE_MESSAGE_GUIDS[1])
    same_as_first = {**first, "ProducerProcessID": 9999}
    body = with_dispatched([first, second, same_as_first], ["a/1", "a/2", "a/1"])
    assert parse("collection", body).dispatched == (
        DispatchedFile(FILE_MESSAGE_GUIDS[0], "a/1"), DispatchedFile(FILE_MESSAGE_GUIDS[1], "a/2"),
    )


@pytest.mark.parametrize("guid", [None, "00000000-0000-0000-0000-000000000000", "missing"])
def test_a_dispatched_file_needs_a_non_zero_message_guid(guid):
    header = dispatch_header(FILE_MESSAGE_GUIDS[0])
    if guid == "missing":
        del header["MessageGuid"]
    else:
        header["MessageGuid"] = guid
    reason = rejection_reason("collection", with_dispatched([header], ["a/1"]))
    assert "MessageGuid" in reason


@pytest.mark.parametrize("path", ["", "  ", None])
def test_a_dispatched_file_needs_an_output_path(path):
    reason = rejection_reason("collection", with_dispatched(two_headers(), ["a/1", path]))
    assert "SerializeableValues[1]" in reason


def test_an_output_path_must_be_a_string():
    reason = rejection_reason("collection", with_dispatched(two_headers(), ["a/1", 5]))
    assert "SerializeableValues[1] must be a string" in reason


def test_absent_rejection_reasons_mean_no_rejections():
    assert parse("collection", body_of("collection", RejectionReasons=REMOVE)).rejections == ()


@pytest.mark.parametrize("value, problem", [(None, "null"), ([], "object"), ("x", "object")])
def test_rejection_reasons_must_be_an_object_when_given(value, problem):
    reason = reason_with(RejectionReasons=value)
    assert reason.startswith("RejectionReasons") and problem in reason


def test_rejection_reasons_keep_first_appearance_order_and_merge_case_insensitively():
    reasons = {"Blacklisted": 4, "Modality was not CT": 3, "BLACKLISTED": 7, "Dose": -2}
    message = parse("collection", body_of("collection", RejectionReasons=reasons))
    assert message.rejections == (
        Rejection("Blacklisted", 7), Rejection("Modality was not CT", 3), Rejection("Dose", -2),
    )


def test_numeric_text_counts_are_coerced():
    message = parse("collection", body_of("collection", RejectionReasons={"Blacklisted": "4"}))
    assert message.rejections == (Rejection("Blacklisted", 4),)


@pytest.mark.parametrize("reasons, problem", [
    ({" ": 1}, "blank"),
    ({"Blacklisted": 0}, "must not be 0"),
    ({"Blacklisted": 2**31}, "32-bit integer"),
    ({"Blacklisted": 1.5}, "32-bit integer"),
    ({"Blacklisted": None}, "32-bit integer"),
])
def test_each_rejection_needs_a_reason_and_a_non_zero_32_bit_count(reasons, problem):
    reason = reason_with(RejectionReasons=reasons)
    assert reason.startswith("RejectionReasons") and problem in reason
    assert "Blacklisted" not in reason
