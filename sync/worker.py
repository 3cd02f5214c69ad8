"""The background sync worker: a daemon thread that drains the outbox and keeps in touch with central.

The Kivy app calls `start()`, `wake()` after each submission, `refresh_status()` when a citizen
looks an application up, and `stop()` on exit; it reads `last_report`. None of these block: the
rounds run on the worker's own thread with its own `Terminal` (SQLite connections are per thread).
Between rounds it sleeps until the next application is due, the sync interval passes, or it is
woken; after a failed round it backs off (full jitter, capped) and never comes back sooner than a
`Retry-After` asked. A revoked terminal stops for good, with the reason recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.clock import iso, utcnow
from kiosk.store.retention import run_if_due
from kiosk.terminal import Terminal
from sync.backoff import DEFAULT_BACKOFF, Backoff
from sync.client import DEFAULT_TIMEOUTS, CentralClient, Timeouts
from sync.enrollment import complete_pending_enrollment
from sync.errors import BadAnswer, RequestRefused, ServerBusy, SyncError
from sync.protocol import MAX_BATCH_COUNT
from sync.report import SyncReport
from sync.round import SyncRound, revoked_reason
from sync.updates import UpdateLink

log = logging.getLogger("loket.sync")


def remember_central_clock(terminal: Terminal, client: CentralClient) -> None:
    """Central's clock at its last answer and its offset from ours: the terminal's `TrustedClock` uses them."""
    if client.central_time is not None:
        terminal.store.values.central_clock_offset_s = client.central_offset_s
        terminal.store.values.central_answered_at = client.central_time


class SyncWorker:
    """Syncs the terminal whose data lives in `home`. One worker per terminal process."""

    def __init__(
        self,
        home: Path,
        *,
        batch_size: int = MAX_BATCH_COUNT,
        backoff: Backoff = DEFAULT_BACKOFF,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        interval_s: float | None = None,
        on_report: Callable[[SyncReport], None] | None = None,
        updates: UpdateLink | None = None,
    ) -> None:
        """`on_report` is called on the worker's thread after each round (e.g. to schedule a UI update)."""
        self.home = Path(home)
        self.on_report = on_report
        self.updates = updates
        self.batch_size = batch_size
        self.backoff = backoff
        self.timeouts = timeouts
        self.interval_s = interval_s
        self.last_report: SyncReport | None = None
        self.consecutive_failures = 0
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._local = threading.local()
        self._round_lock = threading.Lock()
        self._not_before = 0.0  # monotonic time before which central asked us not to come back

    # -- what the UI calls (never blocks) ------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="loket-sync", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Something new to send (or the link came back): run a round soon."""
        self._wake.set()

    def refresh_status(self) -> SyncReport | None:
        """Pulls status changes now: on the worker thread when it runs (returns None), else here."""
        if self.running:
            self.wake()
            return None
        return self._round(drain=False)

    def stop(self, timeout: float = 10.0) -> bool:
        """Asks the thread to finish its current batch and stop; True when it has stopped."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        stopped = not self.running
        if stopped:
            self._close_terminal()
        return stopped

    # -- rounds ------------------------------------------------------------------------------

    def run_once(self, *, force: bool = False, pulls: bool = True) -> SyncReport:
        """One full round on the calling thread; `force` sends even applications still backing off,
        `pulls=False` skips the status and catalog pulls (heartbeat and upload only)."""
        return self._round(force=force, pulls=pulls)

    def _terminal(self) -> Terminal:
        terminal = getattr(self._local, "terminal", None)
        if terminal is None:
            terminal = self._local.terminal = Terminal(self.home)
        return terminal

    def _close_terminal(self) -> None:
        terminal = getattr(self._local, "terminal", None)
        if terminal is not None:
            terminal.close()
            self._local.terminal = None

    def _round(self, *, force: bool = False, drain: bool = True, pulls: bool = True) -> SyncReport:
        with self._round_lock:
            report = SyncReport(started_at=utcnow())
            terminal = self._terminal()
            terminal.refresh()  # a technician (or `loket provision`) may have changed it from another process
            server_url = terminal.server_url
            if problem := terminal.sync_problem():
                report.errors.append(problem)
            elif reason := revoked_reason(terminal):
                report.revoked = True
                report.errors.append(reason)
            elif not self._enrolled(terminal, server_url, report):
                pass
            else:
                identity = terminal.identity
                try:
                    client = CentralClient(server_url, terminal_id=identity.terminal_id,
                                           signing_key=identity.signing_key, ca_bundle=terminal.settings.ca_bundle,
                                           timeouts=self.timeouts,
                                           clock_offset_s=terminal.store.values.central_clock_offset_s or 0.0)
                except SyncError as e:
                    report.errors.append(str(e))
                else:
                    with client:
                        SyncRound(terminal, client, backoff=self.backoff, batch_size=self.batch_size,
                                  should_stop=self._stopping.is_set, updates=self.updates).run(
                            report, force=force, drain=drain, pulls=pulls)
                    remember_central_clock(terminal, client)
            report.remaining = terminal.store.unsynced_count()
            report.finished_at = utcnow()
            self._record(terminal, report)
            self.last_report = report
            if self.on_report is not None:
                self.on_report(report)
            return report

    def _enrolled(self, terminal: Terminal, server_url: str, report: SyncReport) -> bool:
        """Finishes an enrollment a provisioning file left pending; False (with the reason) if it cannot yet."""
        try:
            done = complete_pending_enrollment(terminal, server_url, timeouts=self.timeouts)
        except SyncError as e:
            report.errors.append(f"enrollment from the provisioning file is still pending: {e}")
            report.answered = isinstance(e, RequestRefused | ServerBusy | BadAnswer)
            return False
        if done is not None:
            report.reachable = True
        return True

    @staticmethod
    def _record(terminal: Terminal, report: SyncReport) -> None:
        values = terminal.store.values
        values.last_sync_attempt = iso(report.started_at)
        values.last_sync_error = "; ".join(report.errors)[:2000]
        if report.ok:
            values.last_sync_success = iso(report.finished_at or report.started_at)
        run_if_due(terminal.store, terminal.settings)  # accepted applications age out of the terminal
        (log.warning if report.errors else log.info)("sync round: %s", report.summary())

    # -- the thread --------------------------------------------------------------------------

    def _loop(self) -> None:
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    report = self._round()
                    if report.revoked:
                        log.warning("sync stopped: %s", "; ".join(report.errors))
                        return
                    wait = self._next_wait(report)
                except Exception as e:  # a bug or a broken disk must not kill the worker silently
                    log.exception("sync round failed")
                    self.last_report = SyncReport(started_at=utcnow(), finished_at=utcnow(),
                                                  errors=[f"internal error in the sync worker: {e!r}"])
                    self.consecutive_failures += 1
                    wait = self.backoff.delay(self.consecutive_failures)
                self._sleep(wait)
        finally:
            self._close_terminal()

    def _next_wait(self, report: SyncReport) -> float:
        """Seconds until the next round, unless woken sooner."""
        now = time.monotonic()
        if report.retry_after is not None:
            self._not_before = now + report.retry_after
        if not report.reachable:
            self.consecutive_failures += 1
            return self.backoff.delay(self.consecutive_failures, report.retry_after)
        self.consecutive_failures = 0
        terminal = self._terminal()
        wait = float(self.interval_s if self.interval_s is not None else terminal.settings.sync_interval_s)
        due = terminal.store.next_attempt_due()
        if due is not None:
            wait = min(wait, max(0.0, (due - dt.datetime.now(dt.UTC)).total_seconds()))
        return wait

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if self._wake.wait(remaining) and not self._stopping.is_set():
                # woken by a new submission, but not before central's Retry-After has passed
                hold = self._not_before - time.monotonic()
                if hold <= 0:
                    return
                self._wake.clear()
                deadline = time.monotonic() + hold
