"""parse_header: the five SMI header entries of the AMQP header table."""
import pika.compat
import pytest

from cohort_packager.messages import InvalidMessage, MessageHeader, parse_header

GUID = "a763c0b0-e27f-5f42-8496-ab9a8d53432a"
PARENT_1 = "0de710da-02a5-5f10-8a16-6deab37060e5"
PARENT_2 = "edf1adef-0b85-5df0-a569-6c48d7fcd4da"


def headers(**changes) -> dict:
    table = {
        "MessageGuid": GUID,
        "ProducerProcessID": 3101,
        "ProducerExecutableName": "ExtractImages",
        "OriginalPublishTimestamp": 1709285400,
        "Parents": f"{PARENT_1}->{PARENT_2}",
    }
    table.update(changes)
    return table


def reason_for(table) -> str:
    with pytest.raises(InvalidMessage) as raised:
        parse_header(table)
    return raised.value.reason


def test_a_header_as_smi_sends_it_is_read_whole():
    assert parse_header(headers()) == MessageHeader(
        message_guid=GUID,
        producer_process_id=3101,
        producer_executable_name="ExtractImages",
        original_publish_timestamp=1709285400,
        parents=(PARENT_1, PARENT_2),
    )


def test_guids_are_canonicalised_and_an_empty_parents_chain_is_no_parents():
    header = parse_header(headers(MessageGuid="{" + GUID.upper() + "}", Parents=""))
    assert header.message_guid == GUID
    assert header.parents == ()


def test_long_strings_delivered_as_bytes_are_accepted():
    header = parse_header(headers(
        MessageGuid=GUID.encode(), ProducerExecutableName=b"Cohort\xffExtractor",
        Parents=PARENT_1.encode(),
    ))
    assert header.message_guid == GUID
    assert header.producer_executable_name == "Cohort\ufffdExtractor"
    assert header.parents == (PARENT_1,)


def test_empty_pieces_of_a_guid_chain_are_ignored():
    header = parse_header(headers(MessageGuid=f"->{GUID}->", Parents=f"{PARENT_1}->->"))
    assert header.message_guid == GUID
    assert header.parents == (PARENT_1,)


def test_an_absent_header_table_is_rejected():
    assert "header table" in reason_for(None)


@pytest.mark.parametrize("key", [
    "MessageGuid", "ProducerProcessID", "ProducerExecutableName",
    "OriginalPublishTimestamp", "Parents",
])
def test_every_entry_is_mandatory(key):
    table = headers()
    del table[key]
    assert key in reason_for(table)


def test_header_keys_are_matched_exactly_not_case_insensitively():
    table = headers()
    table["messageguid"] = table.pop("MessageGuid")
    assert "MessageGuid" in reason_for(table)


@pytest.mark.parametrize("chain", [f"{GUID}->{PARENT_1}", "", "->"])
def test_message_guid_must_hold_exactly_one_guid(chain):
    assert "MessageGuid" in reason_for(headers(MessageGuid=chain))


def test_message_guid_must_be_a_guid():
    assert "MessageGuid" in reason_for(headers(MessageGuid="not-a-guid"))


def test_message_guid_must_be_a_string():
    assert "MessageGuid" in reason_for(headers(MessageGuid=12))


@pytest.mark.parametrize("value, kind", [("3101", "str"), (True, "bool"), (3101.0, "float")])
def test_producer_process_id_must_be_an_integer(value, kind):
    assert reason_for(headers(ProducerProcessID=value)) == (
        f"ProducerProcessID header must be a 32-bit integer, got {kind}"
    )


def test_producer_process_id_sent_as_a_64_bit_integer_is_rejected():
    amqp_long = pika.compat.long(3101)
    assert reason_for(headers(ProducerProcessID=amqp_long)) == (
        "ProducerProcessID header must be a 32-bit integer, got a 64-bit integer"
    )


def test_producer_process_id_must_fit_in_32_bits():
    assert "ProducerProcessID" in reason_for(headers(ProducerProcessID=2**31))


@pytest.mark.parametrize("pid", [0, -5])
def test_producer_process_id_must_be_positive(pid):
    reason = reason_for(headers(ProducerProcessID=pid))
    assert "ProducerProcessID" in reason and "positive" in reason


def test_producer_executable_name_must_be_a_string():
    assert "ProducerExecutableName" in reason_for(headers(ProducerExecutableName=7))


def test_original_publish_timestamp_takes_any_64_bit_integer():
    assert parse_header(headers(OriginalPublishTimestamp=-1)).original_publish_timestamp == -1
    assert parse_header(headers(OriginalPublishTimestamp=2**40)).original_publish_timestamp == (
        2**40
    )


@pytest.mark.parametrize("value", ["1709285400", True, 2**63])
def test_original_publish_timestamp_must_be_an_integer(value):
    assert "OriginalPublishTimestamp" in reason_for(headers(OriginalPublishTimestamp=value))


def test_every_parent_must_be_a_guid():
    reason = reason_for(headers(Parents=f"{PARENT_1}->nope"))
    assert "Parents" in reason and "2" in reason


def test_parents_must_be_a_string_chain():
    assert "Parents" in reason_for(headers(Parents=[PARENT_1]))
