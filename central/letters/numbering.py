"""Letter numbers: the office's format (`470/0012/KEL-BRG/XI/2026`) and the yearly sequence behind it.

The sequence restarts each year per office. Taking the next one locks the office's counter row for
that year (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite every write transaction already holds
the database's one write lock), so two staff issuing at the same moment get consecutive numbers,
and a transaction that fails gives its number back by rolling back: none repeats, none is skipped.
"""

from __future__ import annotations

import string

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.db import insert_ignoring_conflicts
from central.errors import CentralError
from central.models import LetterCounter

DEFAULT_NUMBER_FORMAT = "{classification}/{sequence:04d}/{short_code}/{month_roman}/{year}"
NUMBER_PARTS = ("classification", "sequence", "short_code", "month_roman", "month", "year")
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def roman_month(month: int) -> str:
    """I–XII."""
    return _ROMAN[month - 1]


def format_number(number_format: str, *, classification: str, sequence: int, short_code: str, month: int,
                  year: int) -> str:
    return number_format.format(classification=classification, sequence=sequence, short_code=short_code,
                                month_roman=roman_month(month), month=f"{month:02d}", year=year)


def check_number_format(number_format: str) -> None:
    """Raises `CentralError` unless the format names only known parts and includes the sequence."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(number_format) if name is not None]
        unknown = [n for n in names if n not in NUMBER_PARTS]
        if unknown:
            raise CentralError(f"number format: unknown part {{{unknown[0]}}} (use {', '.join(NUMBER_PARTS)})")
        if "sequence" not in names:
            raise CentralError("number format: it must contain {sequence}, or numbers would repeat")
        format_number(number_format, classification="470", sequence=12, short_code="KEL", month=11, year=2026)
    except (ValueError, IndexError, KeyError) as e:
        raise CentralError(f"number format {number_format!r} cannot be used: {e}") from None


def lock_counter(session: Session, office_id: int, year: int) -> LetterCounter:
    """The office's counter for `year`, created if new, locked until the caller's transaction ends."""
    session.execute(insert_ignoring_conflicts(session, LetterCounter).values(
        office_id=office_id, year=year, last_sequence=0))
    return session.scalars(select(LetterCounter).where(LetterCounter.office_id == office_id,
                                                       LetterCounter.year == year)
                           .with_for_update().execution_options(populate_existing=True)).one()


def take_next(session: Session, counter: LetterCounter) -> int:
    """The next sequence from a locked counter."""
    counter.last_sequence += 1
    session.flush()
    return counter.last_sequence
