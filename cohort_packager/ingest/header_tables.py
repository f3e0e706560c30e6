"""Decode AMQP header tables without losing the type of their numbers.

pika turns the AMQP float and double field types into integers (3101.75 arrives as 3101), so a
producer that sends a header integer as a double would be silently truncated. Installing this
decoder makes pika hand those values over as Python floats, which the header parser refuses.
Every other field type is decoded by pika as before.
"""

from __future__ import annotations

import struct

import pika.data

_FLOATING_POINT = {ord("f"): (">f", 4), ord("d"): (">d", 8)}
_pika_decode_value = pika.data.decode_value


def _decode_value(encoded: bytes, offset: int):
    floating = _FLOATING_POINT.get(encoded[offset])
    if floating is None:
        return _pika_decode_value(encoded, offset)
    layout, size = floating
    return struct.unpack_from(layout, encoded, offset + 1)[0], offset + 1 + size


def install_exact_number_decoding() -> None:
    """Make pika decode AMQP floats and doubles as floats; idempotent, process-wide."""
    pika.data.decode_value = _decode_value
