"""AMQP header tables keep the type of their numbers once the ingest consumer is loaded."""

from __future__ import annotations

import struct

import pika.data
import pytest

import cohort_packager.ingest.consumer  # noqa: F401  (installs the decoder)


def _table_with(name: bytes, kind: bytes, packed: bytes) -> bytes:
    entry = bytes([len(name)]) + name + kind + packed
    return struct.pack(">I", len(entry)) + entry


@pytest.mark.parametrize("kind, layout, value", [(b"d", ">d", 3101.75), (b"f", ">f", 0.5),
                                                 (b"d", ">d", 3101.0)])
def test_doubles_and_floats_arrive_as_floats_not_truncated_integers(kind, layout, value):
    table, _ = pika.data.decode_table(_table_with(b"n", kind, struct.pack(layout, value)), 0)
    assert table == {"n": value}
    assert isinstance(table["n"], float)


def test_integers_and_nested_tables_decode_as_pika_decodes_them():
    nested = _table_with(b"pid", b"I", struct.pack(">i", 3101))
    outer = _table_with(b"t", b"F", nested)
    table, _ = pika.data.decode_table(outer + b"", 0)
    assert table == {"t": {"pid": 3101}}
    assert type(table["t"]["pid"]) is int
