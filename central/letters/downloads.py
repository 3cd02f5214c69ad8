"""Which printed letter's PDF may be handed out, and to whom: each logged print ("Cetak surat") gives its
PDF once, to the staff member who printed it, within `DOWNLOAD_WITHIN`. A print is named by its stamp
(the time of the letter's latest print); handing the PDF out moves the stamp on. Queries and that one
write; the console's letter routes ask these."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.letters.office_settings import letter_settings
from central.models import AccessLogEntry, Application, IssuedLetter, Office, as_utc, utcnow

#: how long after "Cetak surat" the page it lands on may still fetch that print's PDF
DOWNLOAD_WITHIN = dt.timedelta(minutes=2)
#: the access log's actions for a letter's print
LETTER_ACTIONS = ("letter.issued", "letter.reprinted")


def print_stamp(letter: IssuedLetter) -> str:
    """Names the letter's latest print; it changes once that print's PDF is handed out."""
    last = as_utc(letter.last_printed_at)
    assert last is not None
    return str(int(last.timestamp() * 1_000_000))


def pending_download(session: Session, username: str, app: Application, letter: IssuedLetter | None,
                     printed: str | None, *, now: dt.datetime | None = None) -> bool:
    """Whether `printed` names `username`'s latest print of the letter, logged moments ago and not yet
    handed out."""
    if letter is None or not printed or printed != print_stamp(letter):
        return False
    if (now or utcnow()) - as_utc(letter.last_printed_at) > DOWNLOAD_WITHIN:  # type: ignore[operator]
        return False
    by = session.scalar(select(AccessLogEntry.username).where(
        AccessLogEntry.application_id == app.id, AccessLogEntry.action.in_(LETTER_ACTIONS))
        .order_by(AccessLogEntry.id.desc()).limit(1))
    return by == username


def letter_to_hand_out(session: Session, app: Application, username: str, printed: str) -> IssuedLetter | None:
    """The letter whose print `printed` names, locked and marked handed out (the same stamp gives nothing
    more), when `pending_download` allows it; None otherwise (nothing changed)."""
    letter = session.scalar(select(IssuedLetter).where(IssuedLetter.application_id == app.id).with_for_update())
    if not pending_download(session, username, app, letter, printed):
        return None
    assert letter is not None
    letter.last_printed_at = utcnow()
    return letter


def office_logo(session: Session, office_id: int) -> bytes | None:
    """The logo the office's letters carry (None: the default emblem)."""
    office = session.get(Office, office_id)
    assert office is not None
    return letter_settings(session, office).logo_png


__all__ = ["DOWNLOAD_WITHIN", "LETTER_ACTIONS", "letter_to_hand_out", "office_logo", "pending_download",
           "print_stamp"]
