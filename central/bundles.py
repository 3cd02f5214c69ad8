"""Importing a sneakernet bundle (a terminal's signed USB export) with the online upload's rules.

The bundle is checked against the enrolled key of the terminal it names, then its applications go
through `central.ingest.ingest` in batches of the online size, one transaction each: importing the
same bundle twice, or syncing the same applications online later, answers `duplicate`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from central.db import Database
from central.errors import CentralError
from central.ingest import ingest
from central.models import Terminal
from sync.bundle import BundleError, open_bundle, read_bundle
from sync.protocol import MAX_BATCH_COUNT, UploadBatch


@dataclass
class ImportReport:
    """What an import did: outcome counts, the refusals with their reasons, audit entries stored."""

    terminal_code: str
    outcomes: Counter[str] = field(default_factory=Counter)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (application id, reason)
    audit_stored: int = 0


def import_bundle(db: Database, data: bytes, *, allow_revoked: bool = False) -> ImportReport:
    """Verifies and ingests a bundle file's bytes; raises `CentralError` if it cannot be trusted."""
    try:
        header, _, _ = read_bundle(data)
        with db.transaction() as session:
            terminal = session.get(Terminal, header.terminal_id)
            if terminal is None or terminal.code != header.terminal_code:
                raise CentralError(f"the bundle is from terminal {header.terminal_code}, which is not enrolled here")
            if terminal.revoked_at is not None and not allow_revoked:
                raise CentralError(f"terminal {terminal.code} is revoked: check the bundle's origin, then import "
                                   "with --allow-revoked")
            _, contents = open_bundle(data, terminal.verify_key)
    except BundleError as e:
        raise CentralError(str(e)) from None
    report = ImportReport(header.terminal_code)
    apps, audit = contents.applications, contents.audit
    for start in range(0, max(len(apps), len(audit)), MAX_BATCH_COUNT):
        end = start + MAX_BATCH_COUNT
        batch = UploadBatch(applications=apps[start:end], audit=audit[start:end])
        with db.transaction() as session:
            terminal = session.get(Terminal, header.terminal_id)
            assert terminal is not None
            answer = ingest(session, terminal, batch)
        report.outcomes.update(r.outcome for r in answer.results)
        report.rejected += [(r.id, r.reason or "") for r in answer.results if r.outcome == "rejected"]
        report.audit_stored += len(answer.audit_stored)
    return report
