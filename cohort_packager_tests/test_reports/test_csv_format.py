import io

import pandas as pd
import pytest

from cohort_packager.reports.csv_format import (
    as_text,
    check_newline,
    csv_line,
    encode_utf8,
    neutralise_formula,
    quote_field,
    write_records,
)

LF, CRLF = "\n", "\r\n"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("plain text", "plain text"),
        (" leading space", '" leading space"'),
        ("trailing space ", '"trailing space "'),
        ("\tleading tab", "\tleading tab"),
        ("trailing tab\t", "trailing tab\t"),
        ('say "hi"', '"say ""hi"""'),
        ("a,b", '"a,b"'),
        ("", ""),
        (None, ""),
        (" ", '" "'),
    ],
)
def test_field_is_quoted_only_for_space_edges_quotes_and_commas(value, expected):
    assert quote_field(value, LF) == expected
    assert quote_field(value, CRLF) == expected


def test_line_feed_is_quoted_when_the_newline_is_line_feed():
    assert quote_field("one\ntwo", LF) == '"one\ntwo"'


def test_bare_line_feed_is_not_quoted_when_the_newline_is_crlf():
    assert quote_field("one\ntwo", CRLF) == "one\ntwo"


def test_crlf_is_quoted_when_the_newline_is_crlf():
    assert quote_field("one\r\ntwo", CRLF) == '"one\r\ntwo"'


def test_bare_carriage_return_is_quoted_under_neither_newline():
    assert quote_field("one\rtwo", LF) == "one\rtwo"
    assert quote_field("one\rtwo", CRLF) == "one\rtwo"


def test_crlf_is_quoted_when_the_newline_is_line_feed_because_it_contains_one():
    assert quote_field("one\r\ntwo", LF) == '"one\r\ntwo"'


def test_csv_line_joins_with_commas_and_ends_with_the_newline():
    assert csv_line(["a", None, "b,c", ""], CRLF) == 'a,,"b,c",\r\n'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_starts_get_a_leading_apostrophe(start):
    assert neutralise_formula(start + "SUM(A1)") == "'" + start + "SUM(A1)"


@pytest.mark.parametrize("value", ["plain", "a=b", " =x", "'quoted", "", None, "1-2"])
def test_other_text_is_not_neutralised(value):
    assert neutralise_formula(value) == value


def test_quoting_applies_after_neutralising():
    expected = "\"'=HYPERLINK(\"\"x\"\"),y\""
    assert quote_field(neutralise_formula('=HYPERLINK("x"),y'), LF) == expected
    assert quote_field(neutralise_formula("-trailing "), LF) == "\"'-trailing \""


@pytest.mark.parametrize("newline", ["\\n", "\\r\\n", "", "\r", "\n\n", "\n\r", " "])
def test_anything_but_lf_or_crlf_is_rejected_as_newline(newline):
    with pytest.raises(ValueError, match="newline"):
        check_newline(newline)


@pytest.mark.parametrize("newline", [LF, CRLF])
def test_lf_and_crlf_are_accepted_as_newline(newline):
    assert check_newline(newline) == newline


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA])
def test_missing_stored_values_read_as_none(missing):
    assert as_text(missing) is None


def test_lone_surrogate_is_written_as_replacement_character():
    assert encode_utf8("a\ud800b") == "a\ufffdb".encode("utf-8")
    assert encode_utf8("caf\u00e9") == "caf\u00e9".encode("utf-8")


def test_records_are_written_across_batches_without_loss():
    records = [(f"path/{i}", "a,b" if i % 7 == 0 else "reason") for i in range(2501)]
    out = io.BytesIO()

    written = write_records(out, iter(records), LF)

    assert written == 2501
    expected = "".join(csv_line(record, LF) for record in records)
    assert out.getvalue() == expected.encode("utf-8")
