"""Central's tables (SQLAlchemy 2): offices and their keys and catalogs, terminals, applications,
their status history (whose ids are the terminals' cursor), audit entries, enrollment codes, nonces.

Times are stored in UTC; SQLite hands them back naive, so read them through `as_utc`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite only auto-increments INTEGER PRIMARY KEY


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: DateTime(timezone=True)}


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]


class OfficeKey(Base):
    """An office's X25519 keypair; retired ones are kept so older sealed data still opens."""

    __tablename__ = "office_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    public_key: Mapped[str] = mapped_column(String(64))
    private_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    retired_at: Mapped[dt.datetime | None]


class OfficeCatalog(Base):
    """A catalog document an office has published; the newest is the one in force."""

    __tablename__ = "office_catalogs"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    version: Mapped[str] = mapped_column(String(40))
    etag: Mapped[str] = mapped_column(String(80))
    document: Mapped[str] = mapped_column(Text)
    installed_at: Mapped[dt.datetime]


class EnrollmentCode(Base):
    __tablename__ = "enrollment_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    terminal_id: Mapped[str | None] = mapped_column(String(36))
    #: a provisioning file names its terminal before it ever talks to central: enrollment keeps that code
    reserved_terminal_code: Mapped[str | None] = mapped_column(String(4), unique=True)


class Terminal(Base):
    __tablename__ = "terminals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    verify_key: Mapped[str] = mapped_column(String(64))
    enrolled_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    last_seen_at: Mapped[dt.datetime | None]
    queue_json: Mapped[str | None] = mapped_column(Text)
    oldest_unsynced_age_s: Mapped[float | None] = mapped_column(Float)
    app_version: Mapped[str | None] = mapped_column(String(40))
    catalog_version: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(String(500))


class Application(Base):
    """One application, exactly once: its terminal-made UUID is the primary key. Personal data stays
    sealed at rest; `office_key_id` names the key that opened it on arrival."""

    __tablename__ = "applications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    terminal_id: Mapped[str] = mapped_column(ForeignKey("terminals.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    service_code: Mapped[str] = mapped_column(String(20))
    catalog_version: Mapped[str] = mapped_column(String(40))
    filed_at: Mapped[dt.datetime]
    received_at: Mapped[dt.datetime]
    flags: Mapped[str] = mapped_column(Text, default="")
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    office_key_id: Mapped[int] = mapped_column(ForeignKey("office_keys.id"))
    status: Mapped[str] = mapped_column(String(20))
    status_at: Mapped[dt.datetime]


class StatusChange(Base):
    """Each status an application took; the id is the cursor a terminal passes back as `since`."""

    __tablename__ = "status_changes"
    __table_args__ = (Index("ix_status_changes_terminal_cursor", "terminal_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"))
    terminal_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(40), default="central")


class AuditEntry(Base):
    """A terminal's audit log entry, stored once per (terminal, its own entry id)."""

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("terminal_id", "entry_id", name="uq_audit_terminal_entry"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    terminal_id: Mapped[str] = mapped_column(ForeignKey("terminals.id"))
    entry_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(80))
    detail: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[dt.datetime]


class SeenNonce(Base):
    """Nonces of signed requests inside the clock-skew window, to refuse replays."""

    __tablename__ = "seen_nonces"

    terminal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(index=True)


# -- issue 14: the citizen's side (office time zones, the SKM survey) ---------------------------


class OfficeZone(Base):
    """An office's time zone when staff set it; without a row the office's region code decides."""

    __tablename__ = "office_zones"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(40))


class SkmResponse(Base):
    """One anonymous satisfaction survey (SKM): office, day, service, scores. Nothing links it to a
    citizen or an application: no terminal, no time of day, no arrival time; its id is random."""

    __tablename__ = "skm_responses"
    __table_args__ = (Index("ix_skm_office_day", "office_id", "day"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    day: Mapped[dt.date]
    service_code: Mapped[str] = mapped_column(String(20))
    overall: Mapped[int | None] = mapped_column(Integer)
    e1: Mapped[int | None] = mapped_column(Integer)
    e2: Mapped[int | None] = mapped_column(Integer)
    e3: Mapped[int | None] = mapped_column(Integer)
    e4: Mapped[int | None] = mapped_column(Integer)
    e5: Mapped[int | None] = mapped_column(Integer)
    e6: Mapped[int | None] = mapped_column(Integer)
    e7: Mapped[int | None] = mapped_column(Integer)
    e8: Mapped[int | None] = mapped_column(Integer)
    e9: Mapped[int | None] = mapped_column(Integer)
