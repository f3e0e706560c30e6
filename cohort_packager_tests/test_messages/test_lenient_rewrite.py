"""The fast path for lenient JSON reads every text exactly as the complete lenient parser does,
and hands anything it does not cover back to it."""
import json
import re

import json5
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohort_packager.messages.lenient_json import JsonObject, loads
from cohort_packager.messages.lenient_rewrite import rewrite_as_strict

CHECKS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
SEPARATORS = st.sampled_from(["", " ", "\n", "\t", " /* note */ ", "// note\n"])

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
scalars = (st.none() | st.booleans() | st.integers(-(10**20), 10**20)
           | st.floats(allow_nan=False, allow_infinity=False) | texts)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(["a", "Word", "$x", "k 1", "it's"]),
                                        inner, max_size=4), max_leaves=12)


def _lenient(draw, value) -> str:
    """`value` written in a random mix of the lenient forms."""
    gap = draw(SEPARATORS)
    if isinstance(value, str):
        return _quoted(value, draw(st.booleans()))
    if isinstance(value, list):
        items = [_lenient(draw, item) for item in value]
        trailing = "," if items and draw(st.booleans()) else ""
        return "[" + gap + ("," + gap).join(items) + trailing + "]"
    if isinstance(value, dict):
        members = []
        for name, item in value.items():
            bare = IDENTIFIER.fullmatch(name) and draw(st.booleans())
            written = name if bare else _quoted(name, draw(st.booleans()))
            members.append(f"{written}{gap}:{gap}{_lenient(draw, item)}")
        trailing = "," if members and draw(st.booleans()) else ""
        return "{" + gap + ("," + gap).join(members) + trailing + gap + "}"
    return json.dumps(value)


def _quoted(text: str, single: bool) -> str:
    # Raw characters rather than \u escapes: the complete parser does not join surrogate pairs.
    strict = json.dumps(text, ensure_ascii=False)
    if not single:
        return strict
    inner = strict[1:-1].replace('\\"', '"').replace("'", "\\'")
    return f"'{inner}'"


@st.composite
def lenient_documents(draw):
    value = draw(values)
    return value, _lenient(draw, value)


def _complete_parser(text: str):
    return json5.loads(text, object_pairs_hook=JsonObject)


@CHECKS
@given(lenient_documents())
def test_lenient_documents_read_as_the_complete_lenient_parser_reads_them(document):
    _, text = document
    assert loads(text, "Report") == _complete_parser(text)


@CHECKS
@given(st.text(alphabet="{}[]:,'\"\\ab10-.e/*\n\tuNx ", max_size=24))
def test_a_rewrite_is_given_only_for_text_the_complete_parser_reads_the_same(text):
    rewritten = rewrite_as_strict(text)
    try:
        fast = json.JSONDecoder(object_pairs_hook=JsonObject, strict=False).decode(rewritten)
    except (TypeError, ValueError):
        return
    assert _complete_parser(text) == fast


@pytest.mark.parametrize("text", [
    "[NaN]", "{a: Infinity}", "[0x1F]", "[+1]", "[.5]", "['\\v']", "['a\\\nb']", "[,]",
    "{,}", "[1,,]", "\u00a0[1]", "{café: 1}",
])
def test_forms_beyond_the_rewrite_are_left_to_the_complete_parser(text):
    assert rewrite_as_strict(text) is None


def test_a_single_quoted_report_is_rewritten_with_its_quotes_and_escapes():
    text = "[{'Word': 'O\\'Brien \"Jr\"', Offset: 4, /* one */ 'Parts': [],}]"
    assert json.loads(rewrite_as_strict(text)) == [
        {"Word": "O'Brien \"Jr\"", "Offset": 4, "Parts": []}]
