"""Reading JSON whose nesting is bounded: a document nested deeper than its kind can be is refused with a
clear error before the parser recurses into it (Python's parser fails with RecursionError otherwise)."""

from __future__ import annotations

import json
import re
from typing import Any

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class TooDeep(ValueError):
    """The JSON document nests arrays/objects deeper than allowed."""


def nesting_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in `data` (strings skipped), without parsing it."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub(b"", data)):
        if bracket in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads_bounded(data: bytes | str, *, max_depth: int, what: str = "the document") -> Any:
    """`json.loads(data)`, refusing with `TooDeep` a document nested more than `max_depth` levels.

    Raises `ValueError` (`json.JSONDecodeError`, `UnicodeDecodeError` or `TooDeep`) when it is not JSON."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    depth = nesting_depth(raw)
    if depth > max_depth:
        raise TooDeep(f"{what} nests {depth} levels deep; at most {max_depth} are allowed")
    return json.loads(raw.decode("utf-8"))
