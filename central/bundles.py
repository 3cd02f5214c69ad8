"""Importing a sneakernet bundle (a terminal's signed USB export) with the online upload's rules.

The bundle is checked against the enrolled key of the terminal it names (by id, or by code when it
was exported before the terminal enrolled; a file-provisioned terminal that never reached central is
enrolled from the bundle's proof of its one-time code), then its applications go
through `central.ingest.ingest` in batches of the online size, one transaction each: importing the
same bundle twice, or syncing the same applications online later, answers `duplicate`.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.db import Database
from central.errors import CentralError
from central.ingest import ingest
from central.models import EnrollmentCode, Terminal, as_utc, utcnow
from central.values import canonical_key, tokens_match
from sync.bundle import BundleError, BundleHeader, enrollment_proof, open_bundle, read_bundle
from sync.protocol import MAX_BATCH_COUNT, UploadBatch


@dataclass
class ImportReport:
    """What an import did: outcome counts, the refusals with their reasons, audit entries and survey
    answers stored."""

    terminal_code: str
    outcomes: Counter[str] = field(default_factory=Counter)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (application id, reason)
    audit_stored: int = 0
    survey_stored: int = 0


def _bundle_terminal(session: Session, header: BundleHeader, data: bytes) -> Terminal:
    """The enrolled terminal that made the bundle: by id, else by code (a bundle exported before the
    terminal enrolled names only its code), else enrolled now from the bundle's proof of its code."""
    terminal = session.get(Terminal, header.terminal_id) if header.terminal_id else None
    if terminal is None:
        terminal = session.scalar(select(Terminal).where(Terminal.code == header.terminal_code))
    if terminal is None and header.enrollment_proof and header.verify_key:
        open_bundle(data, header.verify_key)  # signed by the key it asks to enroll, before anything is stored
        terminal = _enroll_from_bundle(session, header)
    if terminal is None or (header.terminal_id and header.terminal_id not in (terminal.id, terminal.code)):
        raise CentralError(f"the bundle is from terminal {header.terminal_code}, which is not enrolled here")
    return terminal


def _enroll_from_bundle(session: Session, header: BundleHeader) -> Terminal | None:
    """Enrolls a file-provisioned terminal whose bundle proves it holds its file's one-time code."""
    entry = session.scalar(select(EnrollmentCode).where(EnrollmentCode.reserved_terminal_code == header.terminal_code))
    if entry is None or not tokens_match(enrollment_proof(entry.code_hash, header.verify_key or ""),
                                         header.enrollment_proof):
        raise CentralError(f"the bundle of terminal {header.terminal_code} does not prove its provisioning "
                           "file's enrollment code: it was not made by that terminal")
    if entry.used_at is not None:
        return None  # enrolled since, with another key: the bundle is not that terminal's
    if as_utc(entry.expires_at) < utcnow():
        raise CentralError(f"the provisioning file of terminal {header.terminal_code} has expired: make a new one "
                           "and re-provision the terminal (its bundle stays importable once it enrolls)")
    verify_key = canonical_key(header.verify_key or "")
    if verify_key is None:
        raise CentralError(f"the bundle of terminal {header.terminal_code} carries a key that is not a public key")
    if session.scalar(select(Terminal.id).where(Terminal.verify_key == verify_key)):
        raise CentralError("the bundle's terminal key is enrolled already as another terminal")
    terminal = Terminal(id=str(uuid.uuid4()), code=header.terminal_code, office_id=entry.office_id,
                        verify_key=verify_key, enrolled_at=utcnow(), app_version="bundle")
    entry.used_at, entry.terminal_id = utcnow(), terminal.id
    session.add(terminal)
    session.flush()
    return terminal


def import_bundle(db: Database, data: bytes, *, allow_revoked: bool = False) -> ImportReport:
    """Verifies and ingests a bundle file's bytes; raises `CentralError` if it cannot be trusted."""
    try:
        header, _, _ = read_bundle(data)
        with db.transaction() as session:
            terminal = _bundle_terminal(session, header, data)
            if terminal.revoked_at is not None and not allow_revoked:
                raise CentralError(f"terminal {terminal.code} is revoked: check the bundle's origin, then import "
                                   "with --allow-revoked")
            _, contents = open_bundle(data, terminal.verify_key)
            terminal_id = terminal.id
    except BundleError as e:
        raise CentralError(str(e)) from None
    report = ImportReport(header.terminal_code)
    apps, audit, survey = contents.applications, contents.audit, contents.survey
    for start in range(0, max(len(apps), len(audit), len(survey)), MAX_BATCH_COUNT):
        end = start + MAX_BATCH_COUNT
        batch = UploadBatch(applications=apps[start:end], audit=audit[start:end], survey=survey[start:end])
        with db.transaction() as session:
            terminal = session.get(Terminal, terminal_id)
            assert terminal is not None
            answer = ingest(session, terminal, batch)
        report.outcomes.update(r.outcome for r in answer.results)
        report.rejected += [(r.id, r.reason or "") for r in answer.results if r.outcome == "rejected"]
        report.audit_stored += len(answer.audit_stored)
        report.survey_stored += len(answer.survey_stored)
    return report
