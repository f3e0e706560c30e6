"""The SMI message header, read from a delivery's AMQP header table."""
from __future__ import annotations

from collections.abc import Mapping

from .errors import InvalidMessage
from .fields import INT32, INT64, clean_text, parse_guid
from .models import MessageHeader

HEADER_KEYS = (
    "MessageGuid",
    "ProducerProcessID",
    "ProducerExecutableName",
    "OriginalPublishTimestamp",
    "Parents",
)


def parse_header(headers: Mapping[str, object] | None) -> MessageHeader:
    """Check and convert the five SMI header entries; keys are matched exactly.

    Raises InvalidMessage when the table is absent, an entry is missing or has the wrong
    AMQP type, a GUID does not parse, or the producer's process id is not positive.
    """
    if headers is None:
        raise InvalidMessage("the message has no header table")
    if not isinstance(headers, Mapping):
        raise InvalidMessage(f"the header table must be a table, got {type(headers).__name__}")
    for key in HEADER_KEYS:
        if key not in headers:
            raise InvalidMessage(f"{key} header is missing")

    guids = _guid_chain(headers["MessageGuid"], "MessageGuid")
    if len(guids) != 1:
        raise InvalidMessage(f"MessageGuid header must hold exactly one GUID, got {len(guids)}")

    executable = headers["ProducerExecutableName"]
    return MessageHeader(
        message_guid=guids[0],
        producer_process_id=_process_id(headers["ProducerProcessID"]),
        producer_executable_name=_text(executable, "ProducerExecutableName"),
        original_publish_timestamp=_timestamp(headers["OriginalPublishTimestamp"]),
        parents=_guid_chain(headers["Parents"], "Parents"),
    )


def _text(value: object, key: str) -> str:
    # pika hands over AMQP long strings as str, or as bytes when they are not valid UTF-8.
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        return clean_text(value)
    raise InvalidMessage(f"{key} header must be a string, got {type(value).__name__}")


def _guid_chain(value: object, key: str) -> tuple[str, ...]:
    """GUIDs joined with '->', empty pieces ignored, as SMI writes message ancestry."""
    pieces = [piece for piece in _text(value, key).split("->") if piece]
    guids = []
    for position, piece in enumerate(pieces, start=1):
        guid = parse_guid(piece)
        if guid is None:
            raise InvalidMessage(f"{key} header piece {position} must be a GUID")
        guids.append(guid)
    return tuple(guids)


def _process_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        kind = type(value).__name__
        raise InvalidMessage(f"ProducerProcessID header must be a 32-bit integer, got {kind}")
    if type(value) is not int:
        # pika hands over AMQP 64-bit integers as a subclass of int; SMI refuses them here.
        raise InvalidMessage("ProducerProcessID header must be a 32-bit integer, got a 64-bit "
                             "integer")
    low, high = INT32
    if not low <= value <= high:
        raise InvalidMessage("ProducerProcessID header must be a 32-bit integer, got a larger one")
    if value <= 0:
        raise InvalidMessage(f"ProducerProcessID header must be positive, got {value}")
    return value


def _timestamp(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        kind = type(value).__name__
        raise InvalidMessage(f"OriginalPublishTimestamp header must be an integer, got {kind}")
    low, high = INT64
    if not low <= value <= high:
        raise InvalidMessage("OriginalPublishTimestamp header must be a 64-bit integer")
    return value
