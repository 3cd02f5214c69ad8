"""Central's tables (SQLAlchemy 2): offices and their keys and catalogs, terminals, applications,
their status history (whose ids are the terminals' cursor), audit entries, enrollment codes, nonces.

Times are stored in UTC; SQLite hands them back naive, so read them through `as_utc`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite only auto-increments INTEGER PRIMARY KEY


def _of_application(table: str) -> ForeignKeyConstraint:
    """`table`'s (office_id, application_id) -> applications (office_id, id) (migration 0019)."""
    return ForeignKeyConstraint(["office_id", "application_id"], ["applications.office_id", "applications.id"],
                                name=f"fk_{table}_office_application")


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
    #: the zone staff set for the office (Asia/Jakarta, Asia/Makassar, Asia/Jayapura); None: its province's.
    #: Read through `central.office_profile`, never alone
    time_zone: Mapped[str | None] = mapped_column(String(40))


class OfficeKey(Base):
    """An office's X25519 keypair; retired ones are kept so older sealed data still opens. The private
    half is stored only wrapped by the key-encryption key outside the database (central.keyring)."""

    __tablename__ = "office_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    public_key: Mapped[str] = mapped_column(String(64))
    #: the column that held the key in plain text before migration 0005; always empty now
    emptied_plain_key: Mapped[str] = mapped_column("private_key", String(64), default="")
    wrapped_private_key: Mapped[str | None] = mapped_column(String(200))
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
    #: the receipt printer's state as the terminal last reported it ("ok", "paper out", ...); None: not known
    printer_state: Mapped[str | None] = mapped_column(String(200))
    #: central's clock minus the terminal's system clock, as the terminal last measured it (heartbeat);
    #: years means a flat CMOS battery. None: not reported
    clock_offset_s: Mapped[float | None] = mapped_column(Float)
    #: where the kiosk's last update stands, as it reported it (docs/updates.md): state, release, why
    update_state: Mapped[str | None] = mapped_column(String(20))
    update_version: Mapped[str | None] = mapped_column(String(64))
    update_reason: Mapped[str | None] = mapped_column(String(500))


class Application(Base):
    """One application, exactly once: its terminal-made UUID is the primary key. Personal data stays
    sealed at rest; `office_key_id` names the key that opened it on arrival."""

    __tablename__ = "applications"
    # the office leads every unique key but the primary key's (migration 0019, docs/scale.md): a number
    # is unique in its office (its terminal's code makes it unique everywhere), and (office, id) is what
    # the tables about an application refer to
    __table_args__ = (UniqueConstraint("office_id", "reference", name="uq_applications_office_reference"),
                      UniqueConstraint("office_id", "id", name="uq_applications_office_id"),
                      Index("ix_applications_reference", "reference"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(32))
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
    #: the last working day for the office to finish it (catalog's service days); the console fills it
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    #: when its personal data was deleted at the citizen's request (issue 24): the skeleton stays
    personal_data_deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class StatusChange(Base):
    """Each status an application took; the id is the cursor a terminal passes back as `since`."""

    __tablename__ = "status_changes"
    __table_args__ = (Index("ix_status_changes_office_terminal_cursor", "office_id", "terminal_id", "id"),
                      _of_application("status_changes"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    #: the application's office, so the table leads with it like every table that grows (sharding)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    application_id: Mapped[str] = mapped_column(String(36))
    terminal_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(40), default="central")
    #: staff's note; for `declined` it is the reason, which the terminal shows the citizen
    note: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """A terminal's audit log entry, stored once per (terminal, its own entry id)."""

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("office_id", "terminal_id", "entry_id", name="uq_audit_office_terminal_entry"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
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


# --- the office's staff console (central/console/) ----------------------------------------------

class StaffAccount(Base):
    """Someone who logs in to the console; `office_id` scopes operators and supervisors."""

    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]
    disabled_at: Mapped[dt.datetime | None]


class StaffSession(Base):
    """A logged-in browser; only the SHA-256 of its cookie is stored, so a DB dump opens no session."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]


class AccessLogEntry(Base):
    """Who looked at which application's personal data (and other events staff must answer for)."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_office_at", "office_id", "at"),
                      UniqueConstraint("office_id", "chain_seq", name="uq_access_log_chain"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime]
    username: Mapped[str] = mapped_column(String(60))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    action: Mapped[str] = mapped_column(String(40))
    application_id: Mapped[str | None] = mapped_column(String(36))
    reference: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(300), default="")
    #: the entry's place in its office's hash chain (central.access_chain fills these three on flush)
    chain_seq: Mapped[int | None] = mapped_column(BigInteger)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))


class AccessLogChain(Base):
    """The head of one office's access-log chain (office 0: entries of no office), locked to add to it."""

    __tablename__ = "access_log_chains"

    office_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class HelpAcknowledgement(Base):
    """A citizen's "Minta Bantuan" (a `citizen.help_requested` audit entry) someone has answered."""

    __tablename__ = "help_acknowledgements"

    audit_entry_id: Mapped[int] = mapped_column(ForeignKey("audit_entries.id"), primary_key=True)
    username: Mapped[str] = mapped_column(String(60))
    at: Mapped[dt.datetime]


CONSOLE_INDEXES = (
    # service_code last: a filter by service is answered from the index, without reading rows
    Index("ix_applications_office_status_due", Application.office_id, Application.status, Application.due_on,
          Application.service_code),
    Index("ix_applications_office_filed", Application.office_id, Application.filed_at),
    Index("ix_audit_entries_action", AuditEntry.action, AuditEntry.id),
    Index("ix_status_changes_application", StatusChange.application_id, StatusChange.id),
)


# --- letters and public verification (issue 12) ------------------------------------------------------

class OfficeLetterSettings(Base):
    """What an office prints on its letters: letterhead, logo, signer, number format and the public URL
    its verification QR codes point to. One row per office; absent means defaults. (The office's time
    zone is the office's own: `Office.time_zone`, since migration 0016.)"""

    __tablename__ = "office_letter_settings"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    government: Mapped[str] = mapped_column(String(120), default="")
    district: Mapped[str] = mapped_column(String(120), default="")
    office_line: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(80), default="")
    place: Mapped[str] = mapped_column(String(80), default="")
    head_title: Mapped[str] = mapped_column(String(120), default="")
    signer_name: Mapped[str] = mapped_column(String(120), default="")
    signer_nip: Mapped[str] = mapped_column(String(40), default="")
    short_code: Mapped[str] = mapped_column(String(20), default="")
    number_format: Mapped[str] = mapped_column(String(120), default="")
    public_url: Mapped[str] = mapped_column(String(300), default="")
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime]


class LetterCounter(Base):
    """The last letter sequence an office used in a year; locked (FOR UPDATE) to take the next."""

    __tablename__ = "letter_counters"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


class IssuedLetter(Base):
    """A numbered letter, once per application: its content is sealed to the office key (a reprint
    opens it and prints the same letter); the public page shows only the masked name kept here.
    Each opening of personal data for a letter goes to the console's access log."""

    __tablename__ = "issued_letters"
    __table_args__ = (UniqueConstraint("office_id", "year", "sequence", name="uq_issued_letters_sequence"),
                      UniqueConstraint("office_id", "application_id", name="uq_issued_letters_office_application"),
                      _of_application("issued_letters"))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[str] = mapped_column(String(36))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    service_code: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(120))
    verify_code: Mapped[str] = mapped_column(String(40), unique=True)
    issued_on: Mapped[dt.date]
    issued_at: Mapped[dt.datetime]
    issued_by: Mapped[str] = mapped_column(String(80))
    content_hash: Mapped[str] = mapped_column(String(64))
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)
    office_key_id: Mapped[int] = mapped_column(ForeignKey("office_keys.id"))
    masked_name: Mapped[str] = mapped_column(String(120), default="")
    prints: Mapped[int] = mapped_column(Integer, default=1)
    last_printed_at: Mapped[dt.datetime]


class PublicName(Base):
    """The masked name (`S*** R*******`) the public verification page shows for an application."""

    __tablename__ = "public_names"

    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    masked_name: Mapped[str] = mapped_column(String(120))

# -- issue 14: the SKM survey's anonymous answers ------------------------------------------------


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


# -- issue 24: text messages when a letter is ready or declined ---------------------------------------


class OfficeSmsGateway(Base):
    """An office's SMS gateway: the spool of the gammu-smsd (files backend) its modem sends from, and the
    office's name as a message says it. No row: the office has no modem and the feature is off."""

    __tablename__ = "office_sms_gateways"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    spool_dir: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[dt.datetime]


class SmsMessage(Base):
    """One text message to a citizen who asked for it: which application and status it tells of, its
    words (office, reference, state: no personal data) and how far delivery got. The phone number is
    not stored here: it is opened from the sealed application (and logged) each time it is handed over."""

    __tablename__ = "sms_messages"
    __table_args__ = (Index("ix_sms_messages_state_due", "state", "next_attempt_at"),
                      Index("ix_sms_messages_office_created", "office_id", "created_at"),
                      _of_application("sms_messages"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    application_id: Mapped[str] = mapped_column(String(36), index=True)
    reference: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(160))
    #: queued (waiting for its turn or the gateway), handed (in the gateway's outbox), sent, failed (gave up)
    state: Mapped[str] = mapped_column(String(12), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]
    handed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))


# -- issue 25: restores from a backup -----------------------------------------------------------


class Backup(Base):
    """One `loket-central backup`, written into the database just before it is copied, so the copy
    knows when it was taken."""

    __tablename__ = "backups"

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Restore(Base):
    """One `loket-central restore`: when it ran and when its backup was taken. Terminals resend what
    central acknowledged since a little before the backup (`HeartbeatResponse.resend_since`)."""

    __tablename__ = "restores"

    id: Mapped[int] = mapped_column(primary_key=True)
    restored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    backup_taken_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Release(Base):
    """A signed release bundle central verified on upload and offers to the terminals its rollout names."""

    __tablename__ = "releases"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    manifest_json: Mapped[str] = mapped_column(Text)
    uploaded_at: Mapped[dt.datetime]
    #: the share of terminals (0-100, by a stable hash of terminal and release) offered it
    share: Mapped[int] = mapped_column(Integer, default=0)
    #: office codes, comma separated; empty: every office
    offices: Mapped[str] = mapped_column(Text, default="")


class ReleaseChunk(Base):
    """A bundle's bytes in 1 MiB pieces, so any worker serves any byte range without a shared disk."""

    __tablename__ = "release_chunks"

    version: Mapped[str] = mapped_column(ForeignKey("releases.version", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


# -- issue 24: the citizen's requests (correction, deletion, copy) ---------------------------------


class CitizenRequest(Base):
    """A citizen's request about one application's data, filed at a kiosk (its terminal-made UUID is the
    key, so a resend is a duplicate). Readable: its kind, the field a correction names, the dates and the
    outcome; the new value stays sealed (`sealed`, as it came). Due 72 hours after it was received."""

    __tablename__ = "citizen_requests"
    __table_args__ = (Index("ix_citizen_requests_office_state", "office_id", "state", "received_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    terminal_id: Mapped[str] = mapped_column(ForeignKey("terminals.id"))
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    field: Mapped[str] = mapped_column(String(40), default="")
    filed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    office_key_id: Mapped[int] = mapped_column(ForeignKey("office_keys.id"))
    #: received (waiting for staff), applied, refused, already_deleted
    state: Mapped[str] = mapped_column(String(16), default="received")
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(60))
    #: the office's words to the citizen (why refused; where to collect a copy)
    note: Mapped[str | None] = mapped_column(String(280))


class AccessLogSealed(Base):
    """Values an access-log entry keeps but must not show in a dump (a correction's old and new value):
    sealed to the office key; the entry's detail carries this blob's SHA-256, so the chain covers it."""

    __tablename__ = "access_log_sealed"

    entry_id: Mapped[int] = mapped_column(BigId, ForeignKey("access_log.id"), primary_key=True, autoincrement=False)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    office_key_id: Mapped[int] = mapped_column(ForeignKey("office_keys.id"))
# -- issue 24: the breach register and the record page's PIN verifier ---------------------------


class Breach(Base):
    """A personal-data incident a supervisor recorded (UU 27/2022 Pasal 46): when it was found, what data,
    how, what is being done, and which applications it touched (by time range, terminal and/or service).
    The citizens and the authority are due a notice within 72 hours of `found_at`."""

    __tablename__ = "breaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    found_at: Mapped[dt.datetime]
    what_data: Mapped[str] = mapped_column(Text)
    how: Mapped[str] = mapped_column(Text)
    actions: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[dt.datetime]
    #: how the affected applications were chosen (filed between, at this terminal, for this service)
    filed_from: Mapped[dt.datetime | None]
    filed_until: Mapped[dt.datetime | None]
    terminal_code: Mapped[str | None] = mapped_column(String(8))
    service_code: Mapped[str | None] = mapped_column(String(20))
    #: when the notification letters and the authority's report were first produced
    notified_at: Mapped[dt.datetime | None]
    reported_at: Mapped[dt.datetime | None]


class BreachApplication(Base):
    """One application an incident touched."""

    __tablename__ = "breach_applications"

    breach_id: Mapped[int] = mapped_column(ForeignKey("breaches.id", ondelete="CASCADE"), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), primary_key=True, index=True)


class RecordPin(Base):
    """What the record page on a phone checks a PIN against: HMAC(pepper, application id || PIN), the
    pepper derived from the office's private key that opened the application (stored only wrapped under
    the key file's key, so a dump alone cannot try the 10 000 PINs). Made at ingest from the PIN the kiosk
    sealed in; with the misses in a row and the cooldown they started (per application), and the citizen's
    phone number masked (`0812•••••890`) when they asked for a text message."""

    __tablename__ = "record_pins"

    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    verifier: Mapped[bytes] = mapped_column(LargeBinary(32))
    masked_phone: Mapped[str] = mapped_column(String(20), default="")
    misses: Mapped[int] = mapped_column(Integer, default=0)
    cooling_until: Mapped[dt.datetime | None]
