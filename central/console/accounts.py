"""Staff accounts: create, list, disable, reset a password (Argon2id), and the steps of a login.

A login reads the account, checks the password with no database lock held, then records the login;
how often anyone may try is `central.console.login_guard`'s to decide, before any hashing.
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
from central.models import AccessLogEntry, Office, StaffAccount, as_utc, utcnow
from central.offices import get_office

log = logging.getLogger("central.console")

ROLES = ("operator", "supervisor", "admin")
MIN_PASSWORD = 10
MAX_PASSWORD = 200
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


class OwnAccount(CentralError):
    """Staff may not disable the account they are logged in with (the console would lock its last admin out)."""


def disable_staff(session: Session, username: str, *, by_staff_id: int | None = None) -> StaffAccount:
    """The account can no longer log in; its open sessions end at once. `by_staff_id`: who asks (not themself)."""
    from central.console.sessions import end_sessions_of

    account = get_staff(session, username)
    if by_staff_id is not None and account.id == by_staff_id:
        raise OwnAccount("you cannot disable the account you are logged in with")
    if account.disabled_at is None:
        account.disabled_at = utcnow()
    end_sessions_of(session, account.id)
    return account


def reset_password(session: Session, username: str, password: str) -> StaffAccount:
    """A new password (and the account enabled again); its open sessions end."""
    from central.console.sessions import end_sessions_of

    account = get_staff(session, username)
    account.password_hash = _hasher.hash(check_password(password))
    account.disabled_at = None
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
class LoginCandidate:
    """What a login needs to know about the account a typed username names, read in a short transaction
    so that the slow password check runs with no database lock held."""

    account_id: int
    username: str
    office_id: int
    password_hash: str
    disabled: bool


def login_candidate(session: Session, typed_username: str) -> LoginCandidate | None:
    account = session.scalar(select(StaffAccount).where(StaffAccount.username == normalize_username(typed_username)))
    if account is None:
        return None
    return LoginCandidate(account.id, account.username, account.office_id, account.password_hash,
                          account.disabled_at is not None)


def password_matches(candidate: LoginCandidate | None, password: str) -> bool:
    """The Argon2id check (about 0.2 s and 64 MiB): a missing or disabled account costs the same time."""
    try:
        _hasher.verify(candidate.password_hash if candidate else _DUMMY_HASH, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return False
    return candidate is not None and not candidate.disabled


def rehashed(candidate: LoginCandidate, password: str) -> str | None:
    """A new hash when the stored one uses older parameters (computed outside any transaction)."""
    return _hasher.hash(password) if _hasher.check_needs_rehash(candidate.password_hash) else None


def record_login(session: Session, candidate: LoginCandidate, *, client: str = "",
                 new_hash: str | None = None) -> StaffAccount | None:
    """The account, logged in (None if it was disabled or changed since the check)."""
    account = session.get(StaffAccount, candidate.account_id)
    if account is None or account.disabled_at is not None or account.password_hash != candidate.password_hash:
        return None
    if new_hash:
        account.password_hash = new_hash
    _audit(session, account.username, account.office_id, "login", client)
    return account


def record_lockout(session: Session, candidate: LoginCandidate, *, client: str, until: dt.datetime) -> None:
    """One access-log row when a known account's (address, username) pair gets locked, never one per attempt."""
    log.warning("username %r locked for %s until %s", candidate.username, client, until.isoformat())
    _audit(session, candidate.username, candidate.office_id, "login.locked", f"{client} until {until.isoformat()}")


def _audit(session: Session, username: str, office_id: int | None, action: str, detail: str = "") -> None:
    session.add(AccessLogEntry(at=utcnow(), username=username[:60], office_id=office_id, action=action,
                               detail=detail[:300]))
