"""One sync round: heartbeat, drain the outbox in batches, pull status changes and the catalog.

Exactly-once rests on two facts: central treats the application UUID as an idempotency key, and
the terminal marks an application `synced` only after central answered `accepted` or `duplicate`
for it. A batch that is lost anywhere in between is simply sent again later.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from pydantic import ValidationError

from kiosk import __version__
from kiosk.catalog.loader import install_catalog_bytes
from kiosk.clock import utcnow
from kiosk.crypto import b64encode, office_public_key
from kiosk.errors import CatalogError, LoketError
from kiosk.store import Outgoing
from kiosk.terminal import Terminal
from sync.backoff import Backoff
from sync.client import CentralClient
from sync.errors import BadAnswer, RequestRefused, ServerBusy, SyncError, TerminalRevoked
from sync.protocol import MAX_BATCH_COUNT, ApplicationUpload, AuditUpload, Heartbeat, UpdateOffer, UploadBatch
from sync.report import SyncReport
from sync.survey import send_surveys
from sync.updates import UpdateLink, fetch_piece, wanted

MAX_STATUS_PAGES = 50
WHOLE_BATCH_REFUSALS = (400, 413, 422)

Item = tuple[Outgoing, ApplicationUpload]


def revoked_reason(terminal: Terminal) -> str | None:
    """Why central revoked this terminal, if it did (and it was not enrolled again since)."""
    identity = terminal.identity
    raw = terminal.store.values.revoked
    if not raw or identity is None:
        return None
    try:
        record = json.loads(raw)
    except ValueError:
        record = {"terminal_id": identity.terminal_id, "at": "an unknown time", "reason": raw[:200]}
    if record.get("terminal_id") != identity.terminal_id:
        return None
    return f"central revoked this terminal at {record['at']} ({record['reason']}); enroll it again with " \
           "`loket provision --server URL --code CODE --force`"


def upload_of(item: Outgoing) -> ApplicationUpload:
    return ApplicationUpload(
        id=item.id, reference=item.reference, service_code=item.service_code,
        catalog_version=item.catalog_version, created_at=item.created_at, flags=list(item.flags),
        sealed=b64encode(item.sealed),
    )


def audit_upload_of(row: dict) -> AuditUpload:
    return AuditUpload(id=row["id"], at=row["at"], actor=(row["actor"] or "system")[:40],
                       action=row["action"][:80], detail=(row["detail"] or "")[:2000])



def check_public_url(url: str) -> str:
    """An office's public address as a phone would open it (http or https, a host, no query), or ValueError.

    Plain http is allowed here, unlike for sync: the address carries no secret, only what a receipt prints."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"{url[:100]!r} is not an http(s)://host[/path] address")
    return url.strip().rstrip("/")

class SyncRound:
    """Runs one round for a terminal with a client; the caller owns both (and their thread)."""

    def __init__(
        self, terminal: Terminal, client: CentralClient, *, backoff: Backoff, batch_size: int = MAX_BATCH_COUNT,
        should_stop: Callable[[], bool] = lambda: False, now: Callable[[], dt.datetime] = utcnow,
        updates: UpdateLink | None = None,
    ) -> None:
        self.terminal = terminal
        self.store = terminal.store
        self.client = client
        self.backoff = backoff
        self.batch_size = max(1, min(batch_size, MAX_BATCH_COUNT))
        self.should_stop = should_stop
        self.now = now
        self.updates = updates
        self.offer: UpdateOffer | None = None

    def run(self, report: SyncReport, *, force: bool = False, drain: bool = True, pulls: bool = True) -> None:
        """Fills `report`; a failure ends the round early with its reason in `report.errors`."""
        try:
            self.heartbeat(report)
            if drain:
                self.drain(report, force=force)
                send_surveys(self.store, self.client, report, batch_size=self.batch_size)
            if pulls:
                self.pull_status(report)
                self.pull_catalog(report)
            if self.updates is not None and self.offer is not None and wanted(self.updates, self.offer):
                report.update = fetch_piece(self.client, self.updates, self.offer)
        except TerminalRevoked as e:
            report.revoked = report.answered = True
            report.errors.append(str(e))
            identity = self.terminal.identity
            record = {"terminal_id": identity.terminal_id if identity else "", "at": self.now().isoformat(),
                      "reason": str(e)}
            self.store.values.revoked = json.dumps(record)
            self.store.record_audit("sync.revoked", str(e))
        except SyncError as e:
            report.errors.append(str(e))
            report.retry_after = e.retry_after
            report.answered = isinstance(e, RequestRefused | ServerBusy | BadAnswer)
        report.answered = report.answered or report.reachable

    # -- heartbeat ---------------------------------------------------------------------------

    def heartbeat(self, report: SyncReport) -> None:
        store = self.store
        try:
            catalog_version: str | None = self.terminal.catalog.version
        except LoketError:
            catalog_version = None
        last_error = store.values.last_sync_error or None
        takes_printer = store.values.central_takes_printer
        takes_update = self.updates is not None and store.values.central_takes_update
        beat = Heartbeat(
            queue=store.counts(), oldest_unsynced_age_s=store.oldest_unsynced_age_s(),
            app_version=self.updates.running if self.updates else __version__, catalog_version=catalog_version,
            last_error=last_error[:500] if last_error else None,
            printer=self._printer_state() if takes_printer else None,
            update=self.updates.report() if takes_update else None,
        )
        offset = store.values.central_clock_offset_s  # the last round's; the client reports its own once it has one
        try:
            answer = (self.client.heartbeat(beat, clock_offset_s=offset, with_update=True) if self.updates
                      else self.client.heartbeat(beat, clock_offset_s=offset))
        except RequestRefused as e:
            if not takes_printer or e.status not in WHOLE_BATCH_REFUSALS:
                raise
            # central was put back to a version that does not know `printer`: once more without it
            store.values.central_takes_printer = False
            answer = self.client.heartbeat(beat.model_copy(update={"printer": None}), clock_offset_s=offset)
        report.reachable = True
        if bool(answer.sms) != store.values.office_sends_sms:
            store.values.office_sends_sms = bool(answer.sms)
        if self.updates is not None:
            self.offer = answer.update_offer
            if bool(answer.updates) != takes_update:
                store.values.central_takes_update = bool(answer.updates)
        if bool(answer.printer) != takes_printer:
            store.values.central_takes_printer = bool(answer.printer)
            state = self._printer_state() if answer.printer else None
            if state is not None:  # central just said it takes the state: tell it now, not a round later
                answer = self.client.heartbeat(beat.model_copy(update={"printer": state}),
                                               clock_offset_s=offset)
        self._resend_after_restore(answer.resend_since)
        if answer.public_url is not None and answer.public_url != (store.values.office_public_url or ""):
            self._adopt_public_url(answer.public_url, report)
        identity = store.identity()
        if identity is not None and answer.office_key != identity.office_key:
            try:
                office_public_key(answer.office_key)
            except LoketError as e:
                report.errors.append(f"central sent an unusable office key, keeping the old one: {e}")
                return
            store.save_identity(replace(identity, office_key=answer.office_key))
            store.record_audit("sync.office_key_rotated", f"new office key {answer.office_key[:12]}…")
            report.office_key_rotated = True

    def _resend_after_restore(self, since: dt.datetime | None) -> None:
        """Central was restored from a backup: once per restore, everything it acknowledged since `since`
        goes back in the queue, and this round's drain sends it (duplicates cost nothing)."""
        if since is None or self.store.values.resent_since == since.isoformat():
            return
        count = self.store.requeue_synced_since(since)
        self.store.values.resent_since = since.isoformat()
        self.store.record_audit("sync.resend_after_restore",
                                f"central was restored: {count} applications acknowledged since {since:%Y-%m-%d %H:%M} "
                                "UTC queued again")

    def _adopt_public_url(self, url: str, report: SyncReport) -> None:
        """Keeps the office's public address for the receipt's QR; one central cannot read is left out."""
        if url:
            try:
                url = check_public_url(url)
            except ValueError as e:
                report.errors.append(f"central sent an unusable public address, keeping the old one: {e}")
                return
        self.store.set_office_public_url(url)

    def _printer_state(self) -> str | None:
        """The printer's last known state, as printing recorded it; never a probe, never an error."""
        try:
            state = self.store.values.printer_state
        except Exception:  # noqa: BLE001 - the heartbeat goes without it
            return None
        return state[:200] if state else None

    # -- the outbox --------------------------------------------------------------------------

    def drain(self, report: SyncReport, *, force: bool = False) -> None:
        """Sends due applications (and unsent audit entries) batch by batch until none is left."""
        if force:
            self.store.retry_now()
        audit_pending = True
        while not self.should_stop():
            batch = self.store.claim(self.batch_size)
            audit = self.store.audit_entries(unsynced_only=True, limit=MAX_BATCH_COUNT) if audit_pending else []
            audit_pending = len(audit) == MAX_BATCH_COUNT
            if not batch and not audit:
                return
            items: list[Item] = []
            for outgoing in batch:
                try:
                    items.append((outgoing, upload_of(outgoing)))
                except ValidationError as e:
                    self._reject(outgoing, f"not sendable (the terminal's own check): {e.errors()[0]['msg']}", report)
            self._upload(items, [audit_upload_of(row) for row in audit], report)

    def _upload(self, items: Sequence[Item], audit: Sequence[AuditUpload], report: SyncReport) -> None:
        if not items and not audit:
            return
        try:
            answer = self.client.upload(UploadBatch(applications=[u for _, u in items], audit=list(audit)))
        except TerminalRevoked:
            self._retry_later(items, "central revoked this terminal", report, at_once=True)
            raise
        except SyncError as e:
            if getattr(e, "status", None) not in WHOLE_BATCH_REFUSALS:
                self._retry_later(items, str(e), report, retry_after=e.retry_after)
                raise
            report.reachable = True
            self._isolate(items, audit, e, report)
            return
        report.reachable = True
        by_id = {result.id: result for result in answer.results}
        synced: list[str] = []
        unanswered: list[Item] = []
        for item in items:
            result = by_id.get(item[0].id)
            if result is None:
                unanswered.append(item)
            elif result.outcome == "rejected":
                self._reject(item[0], result.reason or "central gave no reason", report)
            else:
                synced.append(item[0].id)
                report.accepted += result.outcome == "accepted"
                report.duplicate += result.outcome == "duplicate"
        report.sent += len(items) - len(unanswered)
        self.store.mark_synced(synced)
        if unanswered:
            self._retry_later(unanswered, "central's answer did not mention this application", report)
        stored = [i for i in answer.audit_stored if i in {entry.id for entry in audit}]
        self.store.mark_audit_synced(stored)
        report.audit_sent += len(stored)

    def _isolate(self, items: Sequence[Item], audit: Sequence[AuditUpload], refusal: SyncError,
                 report: SyncReport) -> None:
        """Central refused a whole batch: split it until the one it cannot take stands alone."""
        if items and audit:
            self._upload(items, [], report)
            self._upload([], audit, report)
        elif len(items) > 1:
            middle = len(items) // 2
            self._upload(items[:middle], [], report)
            self._upload(items[middle:], [], report)
        elif items:
            self._reject(items[0][0], f"central refused it: {refusal}", report)
        elif len(audit) > 1:
            middle = len(audit) // 2
            self._upload([], audit[:middle], report)
            self._upload([], audit[middle:], report)
        else:
            # an audit line central cannot take must not block the others; it stays in the local log
            self.store.mark_audit_synced([audit[0].id])
            report.errors.append(f"audit entry {audit[0].id} ({audit[0].action}) refused by central: {refusal}")

    def _reject(self, outgoing: Outgoing, reason: str, report: SyncReport) -> None:
        self.store.mark_rejected(outgoing.id, reason)
        report.rejected.append((outgoing.reference, reason))

    def _retry_later(self, items: Sequence[Item], reason: str, report: SyncReport, *,
                     retry_after: float | None = None, at_once: bool = False) -> None:
        if not items:
            return
        attempt = max(outgoing.attempts for outgoing, _ in items) + 1
        wait = 0.0 if at_once else self.backoff.delay(attempt, retry_after)
        self.store.mark_retry([o.id for o, _ in items], reason, self.now() + dt.timedelta(seconds=wait))
        report.retried += len(items)

    # -- pulls -------------------------------------------------------------------------------

    def pull_status(self, report: SyncReport) -> None:
        """Status changes central made to our applications since the last cursor."""
        cursor = self.store.values.status_cursor
        for _page in range(MAX_STATUS_PAGES):
            page = self.client.status_changes(cursor)
            if page.changes:
                report.status_changes += self.store.set_central_statuses(
                    (change.application_id, change.status, change.at, change.reason) for change in page.changes)
            if page.cursor != cursor:
                self.store.values.status_cursor = page.cursor
            if not page.changes or page.cursor == cursor:
                return
            cursor = page.cursor

    def pull_catalog(self, report: SyncReport) -> None:
        """Installs a new catalog from central; one that fails validation is never applied."""
        store = self.store
        etag = store.values.catalog_etag or None
        if store.values.catalog_error and store.values.catalog_refused_by != __version__:
            etag = None  # refused by another (older) Loket: this one may take it, so fetch it whole
        document = self.client.fetch_catalog(etag)
        if document is None:
            return
        try:
            before: str | None = self.terminal.catalog.version
        except LoketError:
            before = None
        try:
            catalog = install_catalog_bytes(document.body, self.terminal.paths.catalog_file)
        except (CatalogError, OSError) as e:
            problem = f"the catalog from central was not applied (keeping {before or 'the default'}): {e}"
            report.errors.append(problem)
            store.values.catalog_error = problem
            store.values.catalog_refused_by = __version__
            store.record_audit("sync.catalog_refused", problem[:2000])
        else:
            self.terminal.reload_catalog()
            store.values.catalog_error = None
            store.values.catalog_refused_by = None
            if catalog.version != before:
                report.catalog_updated = catalog.version
                store.record_audit("sync.catalog_updated", f"{before} -> {catalog.version}")
        if document.etag:
            store.values.catalog_etag = document.etag
