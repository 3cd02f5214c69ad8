"""An application's letter as entries of its history (`applications show`, the console's application page)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.models import IssuedLetter, as_utc


def issued_letter(session: Session, application_id: str) -> IssuedLetter | None:
    return session.scalar(select(IssuedLetter).where(IssuedLetter.application_id == application_id))


def letter_history(session: Session, application_id: str) -> list[dict[str, Any]]:
    """`letter_issued` with number, date, content hash and issuer; no personal data."""
    letter = issued_letter(session, application_id)
    if letter is None:
        return []
    return [{"status": "letter_issued", "at": as_utc(letter.issued_at).isoformat(),  # type: ignore[union-attr]
             "actor": letter.issued_by, "number": letter.number, "issued_on": letter.issued_on.isoformat(),
             "content_hash": letter.content_hash, "prints": letter.prints}]
