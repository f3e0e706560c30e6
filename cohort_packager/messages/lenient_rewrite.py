"""Rewrite the common lenient JSON forms as strict JSON, so the C decoder can read them.

Single-quoted strings, unquoted property names, comments and a trailing comma are rewritten;
a text holding anything else that strict JSON lacks (other escapes, bare words such as NaN,
hexadecimal numbers, unusual white space) gives None, and the caller falls back to the
complete lenient parser. Where a rewrite is given, it decodes to the value the lenient parser
would return.
"""
from __future__ import annotations

import re

_TOKEN = re.compile(r"""
    (?P<space>[ \t\n\r]+)
  | (?P<comment>//[^\n\r]*|/\*.*?\*/)
  | (?P<double>"(?:[^"\\\n\r]|\\.)*")
  | (?P<single>'(?:[^'\\\n\r]|\\.)*')
  | (?P<punctuation>[{}\[\]:,])
  | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?![0-9A-Za-z_$.]))
  | (?P<word>[A-Za-z_$][A-Za-z0-9_$]*)
""", re.VERBOSE | re.DOTALL)
_STRICT_ESCAPE = re.compile(r'\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4})')
_SINGLE_ESCAPE = re.compile(r"""\\(?:['"\\/bfnrt]|u[0-9A-Fa-f]{4})|\\|\"""")
_LITERALS = ("true", "false", "null")
_OPENERS = ("[", "{", ",", ":")


def rewrite_as_strict(text: str) -> str | None:
    """`text` as strict JSON, or None when it holds a form this rewrite does not cover."""
    tokens = _tokens(text)
    if tokens is None:
        return None
    out: list[str] = []
    for position, (kind, value) in enumerate(tokens):
        if kind == "punctuation" and value in "]}" and out and out[-1] == ",":
            if len(out) < 2 or out[-2] in _OPENERS:
                return None
            out.pop()
        if kind == "word":
            value = _word(value, tokens, position)
            if value is None:
                return None
        elif kind == "double":
            if _STRICT_ESCAPE.sub("", value).count("\\"):
                return None
        elif kind == "single":
            value = _double_quoted(value[1:-1])
            if value is None:
                return None
        out.append(value)
    return " ".join(out)  # tokens stay apart: "1 0" must not become "10"


def _tokens(text: str) -> list[tuple[str, str]] | None:
    """The significant tokens of `text`, or None when part of it is no token."""
    tokens = []
    end = 0
    for match in _TOKEN.finditer(text):
        if match.start() != end:
            return None
        end = match.end()
        if match.lastgroup not in ("space", "comment"):
            tokens.append((match.lastgroup, match.group()))
    return tokens if end == len(text) else None


def _word(word: str, tokens: list[tuple[str, str]], position: int) -> str | None:
    """An unquoted property name becomes a string; otherwise only JSON's literals pass."""
    following = tokens[position + 1] if position + 1 < len(tokens) else None
    if following == ("punctuation", ":"):
        return f'"{word}"'
    return word if word in _LITERALS else None


def _double_quoted(content: str) -> str | None:
    """The content of a single-quoted string as a double-quoted JSON string."""
    unsupported = False

    def convert(match: re.Match) -> str:
        nonlocal unsupported
        piece = match.group()
        if piece == '"':
            return '\\"'
        if piece == "\\'":
            return "'"
        if piece == "\\":
            unsupported = True
        return piece

    converted = _SINGLE_ESCAPE.sub(convert, content)
    return None if unsupported else f'"{converted}"'
