"""Server-side console sessions: a random cookie whose SHA-256 names a row, 30 minutes idle and 10 hours
in all at most, one per account (a new login ends the others), with the CSRF token every form of that
session must send back."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from central.models import Office, StaffAccount, StaffSession, as_utc, utcnow
from central.office_profile import office_timezone
from central.values import tokens_match
from kiosk.timezones import DEFAULT_ZONE, office_zone

COOKIE = "loket_staff"
COOKIE_PATH = "/staff"
IDLE_LIMIT = dt.timedelta(minutes=30)
#: a working day: a stolen cookie kept alive by requests still dies
ABSOLUTE_LIMIT = dt.timedelta(hours=10)
#: how stale `last_seen_at` may get before a request writes it again (saves a write per page view)
TOUCH_EVERY = dt.timedelta(seconds=30)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StaffContext:
    """Who is asking and for which office; what every console page works with."""

    staff_id: int
    username: str
    role: str
    office_id: int
    office_code: str
    office_name: str
    csrf_token: str
    token_hash: str
    #: the office's time zone name (`central.office_profile.office_timezone`): its dates and clocks
    office_time_zone: str = DEFAULT_ZONE

    @property
    def zone(self) -> dt.tzinfo:
        return office_zone(self.office_code, self.office_time_zone)

    @property
    def is_supervisor(self) -> bool:
        return self.role in ("supervisor", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def csrf_matches(self, sent: str | None) -> bool:
        return tokens_match(self.csrf_token, sent)



def start_session(session: Session, account: StaffAccount, *, now: dt.datetime | None = None) -> str:
    """A new session for `account`, ending its others; returns the cookie value (shown once, stored only hashed)."""
    now = now or utcnow()
    session.execute(delete(StaffSession).where((StaffSession.last_seen_at < now - IDLE_LIMIT)
                                               | (StaffSession.created_at < now - ABSOLUTE_LIMIT)
                                               | (StaffSession.staff_id == account.id)))
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=_hash(token), staff_id=account.id, csrf_token=secrets.token_urlsafe(32),
                             office_id=account.office_id, created_at=now, last_seen_at=now))
    return token


def resume_session(session: Session, token: str | None, *, now: dt.datetime | None = None
                   ) -> StaffContext | None:
    """The context of a live session, its idle clock restarted; None when unknown, expired or disabled."""
    if not token or len(token) > 100:
        return None
    now = now or utcnow()
    row = session.get(StaffSession, _hash(token))
    if row is None:
        return None
    account = session.get(StaffAccount, row.staff_id)
    last_seen, created = as_utc(row.last_seen_at), as_utc(row.created_at)
    assert last_seen is not None and created is not None
    if (account is None or account.disabled_at is not None or now - last_seen > IDLE_LIMIT
            or now - created > ABSOLUTE_LIMIT):
        session.delete(row)
        return None
    if now - last_seen > TOUCH_EVERY:
        row.last_seen_at = now
    office = session.get(Office, row.office_id)
    assert office is not None
    return StaffContext(account.id, account.username, account.role, office.id, office.code, office.name,
                        row.csrf_token, row.token_hash, office_timezone(office))


def switch_office(session: Session, context: StaffContext, office: Office) -> None:
    """An admin works on another office from now on in this session."""
    row = session.get(StaffSession, context.token_hash)
    if row is not None:
        row.office_id = office.id


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _hash(token)))


def end_sessions_of(session: Session, staff_id: int) -> None:
    session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id))
