"""Human application numbers: unique without coordination, easy to read aloud, with a check character.

`K7Q2-2611-0042-X` is terminal `K7Q2`, filed in 2026-11, the terminal's 42nd application that month,
check character `X`. The alphabet is Crockford's base 32 (no I, L, O, U), so nothing on a receipt
looks like anything else; what a citizen types back is folded (O→0, I/L→1) before it is checked.
The check character is Luhn mod 32 (python-stdnum's), which catches every single wrong character and
every swap of two neighbours but 0<->Z (which can only occur in the terminal code). It is computed
here with a lookup table (`_luhn_sum`), which the tests hold to stdnum's on any string: central checks
every uploaded reference and each submit makes one, and stdnum's general version was a third of the
form checks of a batch and a third of a submit's own CPU time.
"""

from __future__ import annotations

import datetime as dt
import re

from kiosk.errors import BadReference

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_FOLD = str.maketrans({"O": "0", "I": "1", "L": "1"})
_TERMINAL_CODE = re.compile(f"[{ALPHABET}]{{4}}")
_SEPARATORS = re.compile(r"[\s\-.]")
_COMPACT = re.compile(f"[{ALPHABET}]{{4}}[0-9]{{8,}}[{ALPHABET}]")
_VALUE = {c: n for n, c in enumerate(ALPHABET)}
_DOUBLED = [sum(divmod(2 * n, len(ALPHABET))) for n in range(len(ALPHABET))]


def _luhn_sum(compact: str) -> int:
    """`luhn.checksum(compact, alphabet=ALPHABET)` for a string of alphabet characters."""
    values = [_VALUE[c] for c in reversed(compact)]
    return (sum(values[::2]) + sum(_DOUBLED[v] for v in values[1::2])) % len(ALPHABET)


def _luhn_valid(compact: str) -> bool:
    """`luhn.is_valid(compact, alphabet=ALPHABET)`."""
    return _luhn_sum(compact) == 0


def _check_character(body: str) -> str:
    """`luhn.calc_check_digit(body, alphabet=ALPHABET)`: the character that makes `body` + it valid."""
    return ALPHABET[-_luhn_sum(body + ALPHABET[0]) % len(ALPHABET)]


def normalize_terminal_code(code: str) -> str:
    """Upper-cases and folds a terminal code; raises `ValueError` unless it is 4 alphabet characters."""
    folded = code.strip().upper().translate(_FOLD)
    if not _TERMINAL_CODE.fullmatch(folded):
        raise ValueError(
            "a terminal code is 4 characters from 0-9 and A-Z without I, L, O and U (e.g. K7Q2)"
        )
    return folded


def make_reference(terminal_code: str, filed_on: dt.date, sequence: int) -> str:
    """The application number for the terminal's `sequence`-th application of that month."""
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    month, number = f"{filed_on:%y%m}", f"{sequence:04d}"
    return f"{terminal_code}-{month}-{number}-{_check_character(terminal_code + month + number)}"


def parse_reference(typed: str) -> str:
    """Turns what a citizen typed into the canonical grouped number, or raises `BadReference`."""
    compact = _SEPARATORS.sub("", typed).upper().translate(_FOLD)
    if not _COMPACT.fullmatch(compact):
        raise BadReference(f"{typed!r} is not an application number (like K7Q2-2611-0042-X)")
    if not _luhn_valid(compact):
        raise BadReference(f"{typed!r} has a typing mistake: its check character does not match")
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:-1]}-{compact[-1]}"
