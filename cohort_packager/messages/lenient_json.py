"""JSON as the SMI services read it: strict JSON first, then the lenient forms Newtonsoft takes.

Objects come back as `JsonObject`, keyed by case-folded property name, because every schema of
the SMI wire format matches property names case-insensitively.
"""
from __future__ import annotations

import json

import json5

from .errors import InvalidMessage
from .lenient_rewrite import rewrite_as_strict

# The complete lenient parser is pure Python and slow (about a second for 100 KiB), so larger
# texts get the strict parser only; the common lenient forms are rewritten as strict JSON first.
LENIENT_SIZE_LIMIT = 64 * 1024


# The form under which two names that differ only in letter case compare equal. (A plain
# alias: it runs for every property of every message.)
fold_case = str.lower


class JsonObject(dict):
    """A JSON object keyed by `fold_case(name)`.

    When a name occurs more than once (in any case) the last value wins and keeps the place of
    the first occurrence. `names` holds the (name, value) pairs as written.
    """

    __slots__ = ("names",)

    def __init__(self, names: list[tuple[str, object]]) -> None:
        super().__init__()
        self.names = names
        for name, value in names:
            self[fold_case(name)] = value

    def spellings(self) -> dict[str, str]:
        """Each key, mapped to the name under which it first appeared."""
        first: dict[str, str] = {}
        for name, _ in self.names:
            first.setdefault(fold_case(name), name)
        return first


_STRICT = json.JSONDecoder(object_pairs_hook=JsonObject, strict=False)


def loads(text: str, what: str) -> object:
    """Parse `text`, a JSON document called `what` in error reasons.

    Raises InvalidMessage when the text is not JSON even under the lenient rules (single
    quotes, unquoted names, comments, trailing commas) or nests too deeply to parse.
    """
    try:
        return _STRICT.decode(text)
    except RecursionError:
        raise InvalidMessage(f"{what} is nested too deeply to be parsed") from None
    except json.JSONDecodeError as error:
        strict_problem = f"{error.msg} at line {error.lineno} column {error.colno}"
    except ValueError:
        strict_problem = "a number is too long"

    if not _small_enough_for_lenient(text):
        raise InvalidMessage(f"{what} is not valid JSON: {strict_problem}")
    rewritten = rewrite_as_strict(text)
    try:
        if rewritten is not None:
            return _STRICT.decode(rewritten)
    except RecursionError:
        raise InvalidMessage(f"{what} is nested too deeply to be parsed") from None
    except ValueError:
        pass
    try:
        return json5.loads(text, object_pairs_hook=JsonObject)
    except RecursionError:
        raise InvalidMessage(f"{what} is nested too deeply to be parsed") from None
    except ValueError:
        raise InvalidMessage(f"{what} is not valid JSON: {strict_problem}") from None


def _small_enough_for_lenient(text: str) -> bool:
    if len(text) >= LENIENT_SIZE_LIMIT:
        return False
    return len(text.encode("utf-8", "surrogatepass")) < LENIENT_SIZE_LIMIT
