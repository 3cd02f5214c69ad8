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


def normalize_terminal_code(code: str) -> str:
    """Upper-cases and folds a terminal code; raises `ValueError` unless it is 4 alphabet characters."""
    folded = code.strip().upper().translate(_FOLD)
    if not _TERMINAL_CODE.fullmatch(folded):
        raise ValueError(
            "a terminal code is 4 characters from 0-9 and A-Z without I, L, O and U (e.g. K7Q2)"
        )
    return folded


class MonthOfReferences:
    """The application numbers one terminal gives in one month, with the month's share of the work done
    once: its text, and the Luhn sum of terminal code + month for either length of the number after it.
    A submit makes one number each, in its transaction; the queue keeps one of these per month."""

    def __init__(self, terminal_code: str, month: dt.date) -> None:
        self.period = f"{month:%y%m}"
        self._prefix = f"{terminal_code}-{self.period}-"
        body = terminal_code + self.period
        # in body + number + "0" the body's last character is doubled when the number's length is even
        self._body_sums = (_luhn_sum(body + ALPHABET[0]), _luhn_sum(body))

    def reference(self, sequence: int) -> str:
        """The number of the terminal's `sequence`-th application of the month."""
        if sequence < 1:
            raise ValueError("sequence starts at 1")
        number = f"{sequence:04d}"
        total = self._body_sums[len(number) % 2] + _luhn_sum(number + ALPHABET[0])
        return f"{self._prefix}{number}-{ALPHABET[-total % len(ALPHABET)]}"


def make_reference(terminal_code: str, filed_on: dt.date, sequence: int) -> str:
    """The application number for the terminal's `sequence`-th application of that month."""
    return MonthOfReferences(terminal_code, filed_on).reference(sequence)


def parse_reference(typed: str) -> str:
    """Turns what a citizen typed into the canonical grouped number, or raises `BadReference`."""
    compact = _SEPARATORS.sub("", typed).upper().translate(_FOLD)
    if not _COMPACT.fullmatch(compact):
        raise BadReference(f"{typed!r} is not an application number (like K7Q2-2611-0042-X)")
    if not _luhn_valid(compact):
        raise BadReference(f"{typed!r} has a typing mistake: its check character does not match")
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:-1]}-{compact[-1]}"
