"""Staff accounts: create, list, disable, reset a password (Argon2id), and check a login with throttling.

Five wrong passwords for a username (whether it exists or not) lock it for a minute, then twice as
long at every further lockout; while locked even the right password is refused.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.errors import CentralError, NotFound
from central.models import AccessLogEntry, LoginThrottle, Office, StaffAccount, as_utc, utcnow
from central.offices import get_office

log = logging.getLogger("central.console")

ROLES = ("operator", "supervisor", "admin")
MIN_PASSWORD = 10
MAX_PASSWORD = 200
FAILURES_BEFORE_LOCK = 5
FIRST_LOCK = dt.timedelta(minutes=1)
LONGEST_LOCK = dt.timedelta(hours=24)
DEMO_USERNAME = "demo"
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,59}")
_hasher = PasswordHasher()  # argon2-cffi's default type is Argon2id
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def normalize_username(typed: str) -> str:
    return typed.strip().lower()


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise CentralError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise CentralError(f"the password is too long: use at most {MAX_PASSWORD} characters")
    return password


def add_staff(session: Session, office_code: str, username: str, role: str, password: str) -> StaffAccount:
    """A new account of `office_code` with `role`; the password is stored only as an Argon2id hash."""
    username = normalize_username(username)
    if not _USERNAME.fullmatch(username):
        raise CentralError(f"username {username!r}: use 3-60 lowercase letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise CentralError(f"role {role!r}: use one of {', '.join(ROLES)}")
    office = get_office(session, office_code)
    if session.scalar(select(StaffAccount).where(StaffAccount.username == username)) is not None:
        raise CentralError(f"staff account {username!r} exists already")
    account = StaffAccount(username=username, office_id=office.id, role=role,
                           password_hash=_hasher.hash(check_password(password)), created_at=utcnow())
    session.add(account)
    session.flush()
    return account


def get_staff(session: Session, username: str) -> StaffAccount:
    account = session.scalar(select(StaffAccount).where(StaffAccount.username == normalize_username(username)))
    if account is None:
        raise NotFound(f"no staff account {username!r}")
    return account


@dataclass(frozen=True)
class StaffRow:
    username: str
    office: str
    role: str
    created_at: str
    disabled: bool


def list_staff(session: Session) -> list[StaffRow]:
    rows = session.execute(select(StaffAccount, Office.code).join(Office, Office.id == StaffAccount.office_id)
                           .order_by(StaffAccount.username))
    return [StaffRow(a.username, code, a.role, as_utc(a.created_at).isoformat(),  # type: ignore[union-attr]
                     a.disabled_at is not None) for a, code in rows]


def disable_staff(session: Session, username: str) -> StaffAccount:
    """The account can no longer log in; its open sessions end at once."""
    from central.console.sessions import end_sessions_of

    account = get_staff(session, username)
    if account.disabled_at is None:
        account.disabled_at = utcnow()
    end_sessions_of(session, account.id)
    return account


def reset_password(session: Session, username: str, password: str) -> StaffAccount:
    """A new password (and the account enabled again, unlocked); its open sessions end."""
    from central.console.sessions import end_sessions_of

    account = get_staff(session, username)
    account.password_hash = _hasher.hash(check_password(password))
    account.disabled_at = None
    throttle = session.get(LoginThrottle, account.username)
    if throttle is not None:
        session.delete(throttle)
    end_sessions_of(session, account.id)
    return account


def ensure_demo_staff(session: Session, office_code: str) -> tuple[str, str]:
    """The demo's supervisor account for `office_code`, with a fresh random password: (username, password)."""
    password = secrets.token_urlsafe(9)
    try:
        reset_password(session, DEMO_USERNAME, password)
    except NotFound:
        add_staff(session, office_code, DEMO_USERNAME, "supervisor", password)
    return DEMO_USERNAME, password


@dataclass(frozen=True)
class LoginOutcome:
    """The account when the login worked; else why not ("wrong" or "locked") and until when it is locked.

    Returned, not raised, so the caller's transaction commits the failure count."""

    account: StaffAccount | None
    refused: str = ""
    locked_until: dt.datetime | None = None


def _audit(session: Session, username: str, office_id: int | None, action: str, detail: str = "") -> None:
    session.add(AccessLogEntry(at=utcnow(), username=username[:60], office_id=office_id, action=action,
                               detail=detail[:300]))


def authenticate(session: Session, typed_username: str, password: str, *, client: str = "",
                 now: dt.datetime | None = None) -> LoginOutcome:
    """Checks a login; a right password for a locked username is refused too."""
    now = now or utcnow()
    username = normalize_username(typed_username)[:60]
    throttle = session.get(LoginThrottle, username) or LoginThrottle(username=username, failures=0, lockouts=0)
    account = session.scalar(select(StaffAccount).where(StaffAccount.username == username))
    office_id = account.office_id if account else None
    locked_until = as_utc(throttle.locked_until)
    if locked_until is not None and locked_until > now:
        log.warning("login refused for %r from %s: locked until %s", username, client, locked_until.isoformat())
        _audit(session, username, office_id, "login.refused_locked", client)
        return LoginOutcome(None, "locked", locked_until)
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password[:MAX_PASSWORD])
        right = account is not None and account.disabled_at is None
    except (VerificationError, InvalidHashError):
        right = False
    if right:
        assert account is not None
        if throttle in session:
            session.delete(throttle)
        if _hasher.check_needs_rehash(account.password_hash):
            account.password_hash = _hasher.hash(password)
        _audit(session, username, office_id, "login", client)
        return LoginOutcome(account)
    throttle.failures += 1
    if throttle not in session:
        session.add(throttle)
    log.warning("failed login for %r from %s (%d in a row)", username, client, throttle.failures)
    _audit(session, username, office_id, "login.failed", client)
    if throttle.failures >= FAILURES_BEFORE_LOCK:
        throttle.lockouts += 1
        throttle.failures = 0
        throttle.locked_until = now + min(FIRST_LOCK * 2 ** (throttle.lockouts - 1), LONGEST_LOCK)
        log.warning("username %r locked until %s", username, throttle.locked_until.isoformat())
        _audit(session, username, office_id, "login.locked", f"until {throttle.locked_until.isoformat()}")
        return LoginOutcome(None, "locked", throttle.locked_until)
    return LoginOutcome(None, "wrong")
