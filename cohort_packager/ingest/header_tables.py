"""Decode AMQP header tables without losing the type of their numbers.

pika turns the AMQP float and double field types into integers (3101.75 arrives as 3101), so a
producer that sends a header integer as a double would be silently truncated. Installing this
decoder makes pika hand those values over as Python floats, which the header parser refuses.
Every other field type is decoded by pika as before.
"""

from __future__ import annotations

import struct

import pika.data

_FLOATING_POINT = {b"f": (">f", 4), b"d": (">d", 8)}
_pika_decode_value = pika.data.decode_value


def _decode_value(encoded: bytes, offset: int):
    kind = encoded[offset:offset + 1]
    if kind in _FLOATING_POINT:
        layout, size = _FLOATING_POINT[kind]
        return struct.unpack_from(layout, encoded, offset + 1)[0], offset + 1 + size
    return _pika_decode_value(encoded, offset)


def install_exact_number_decoding() -> None:
    """Make pika decode AMQP floats and doubles as floats; idempotent, process-wide."""
    pika.data.decode_value = _decode_value
