"""The background sync worker: a daemon thread that drains the outbox and keeps in touch with central.

The runtime calls `start()`, `wake()` after each submission, `submit()` for a round someone waits
for ("sync now", a citizen's status look-up, the dashboard's probe of central), and `stop()` on exit;
it reads `last_report`. None of these block: every round runs on the worker's own thread with its own
`Terminal` (SQLite connections are per thread), so there is one worker, and one round at a time. A
worker that was never `start()`ed runs the rounds submitted to it and then ends its thread.
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
from concurrent.futures import Future
from dataclasses import dataclass
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
#: how long a probe of central waits: the dashboard must answer quickly even when the link is bad
PROBE_TIMEOUTS = Timeouts(connect_s=3.0, read_s=5.0)


@dataclass(frozen=True)
class RoundRequest:
    """A round someone waits for: `force` sends applications still backing off, `drain=False` pulls
    only, `pulls=False` skips the pulls, `probe` only asks central (one signed heartbeat)."""

    force: bool = False
    drain: bool = True
    pulls: bool = True
    probe: bool = False


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
        self._thread_lock = threading.Lock()
        self._background = False  # start() was called: keep going between submitted rounds
        self._requests: list[tuple[Future[SyncReport], RoundRequest]] = []
        self._next_round = 0.0  # monotonic time of the next background round

    # -- what the UI calls (never blocks) ------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Runs rounds in the background from now on (a thread already running submitted rounds stays on)."""
        self._background = True
        self._ensure_thread()

    def _ensure_thread(self) -> None:
        with self._thread_lock:
            if self.running:
                return
            self._stopping.clear()
            self._thread = threading.Thread(target=self._loop, name="loket-sync", daemon=True)
            self._thread.start()

    def submit(self, request: RoundRequest = RoundRequest()) -> Future[SyncReport]:
        """A round on the worker's thread as soon as the one running (if any) ends; its report in the future.

        Requests that arrive while a round runs share the next round."""
        future: Future[SyncReport] = Future()
        with self._thread_lock:
            self._requests.append((future, request))
        self._ensure_thread()
        self._wake.set()
        return future

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
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        stopped = not self.running
        if stopped:
            self._close_terminal()
            self._background = False
            for future, _request in self._take_requests():
                future.set_exception(SyncError("sync stopped before this round ran"))
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
                                  should_stop=self._stopping.is_set, now=terminal.now,
                                  updates=self.updates).run(
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

    def _take_requests(self) -> list[tuple[Future[SyncReport], RoundRequest]]:
        with self._thread_lock:
            taken, self._requests = self._requests, []
        return [(f, r) for f, r in taken if f.set_running_or_notify_cancel()]

    def _done_for_now(self) -> bool:
        """A worker that was never started ends once nobody waits for a round (decided under the lock
        `submit` takes, so a request is never left to a thread that is ending)."""
        with self._thread_lock:
            if self._background or self._requests:
                return False
            self._thread = None
            return True

    def _serve(self, requests: list[tuple[Future[SyncReport], RoundRequest]]) -> SyncReport | None:
        """The submitted rounds: probes each on their own, the others as one round that does what all ask."""
        report = None
        rounds = [(f, r) for f, r in requests if not r.probe]
        probes = [f for f, r in requests if r.probe]
        if probes:
            try:
                self._settle_all(probes, self._probe)
            except Exception:  # handed to whoever waits for the probe; the rounds still run
                log.exception("probe of central failed")
        if rounds:
            asked = [r for _f, r in rounds]
            force, drain, pulls = any(r.force for r in asked), any(r.drain for r in asked), any(r.pulls for r in asked)
            report = self._settle_all([f for f, _r in rounds],
                                      lambda: self._round(force=force, drain=drain, pulls=pulls))
        return report

    @staticmethod
    def _settle_all(futures: list[Future[SyncReport]], run: Callable[[], SyncReport]) -> SyncReport:
        try:
            report = run()
        except BaseException as e:
            for future in futures:
                future.set_exception(e)
            raise
        for future in futures:
            future.set_result(report)
        return report

    def _probe(self) -> SyncReport:
        """One signed heartbeat with short timeouts: "reachable" means central answers and accepts us."""
        report = SyncReport(started_at=utcnow())
        terminal = self._terminal()
        terminal.refresh()
        if problem := terminal.sync_problem():
            report.errors.append(problem)
        else:
            identity = terminal.identity
            try:
                with CentralClient(terminal.server_url, terminal_id=identity.terminal_id,
                                   signing_key=identity.signing_key, ca_bundle=terminal.settings.ca_bundle,
                                   timeouts=PROBE_TIMEOUTS) as client:
                    SyncRound(terminal, client, backoff=self.backoff).heartbeat(report)
            except SyncError as e:
                report.errors.append(str(e))
        report.finished_at = utcnow()
        if self.on_report is not None:  # a heartbeat may have brought a rotated office key
            self.on_report(report)
        return report

    def _loop(self) -> None:
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                requests = self._take_requests()
                if not requests and self._done_for_now():
                    return
                try:
                    report = self._serve(requests) if requests else self._round()
                    if report is not None:  # (probes alone leave the background rounds' pace alone)
                        if report.revoked:
                            log.warning("sync stopped: %s", "; ".join(report.errors))
                            return
                        self._next_round = time.monotonic() + self._next_wait(report)
                except Exception as e:  # a bug or a broken disk must not kill the worker silently
                    log.exception("sync round failed")
                    self.last_report = SyncReport(started_at=utcnow(), finished_at=utcnow(),
                                                  errors=[f"internal error in the sync worker: {e!r}"])
                    self.consecutive_failures += 1
                    self._next_round = time.monotonic() + self.backoff.delay(self.consecutive_failures)
                if self._background:
                    self._sleep(max(0.0, self._next_round - time.monotonic()))
        finally:
            with self._thread_lock:
                if self._thread is threading.current_thread():
                    self._thread = None
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
                # woken by a new submission, but not before central's Retry-After has passed (unless
                # someone waits for a round: a technician's "sync now" goes at once, as it always did)
                hold = self._not_before - time.monotonic()
                if hold <= 0 or self._requests:
                    return
                self._wake.clear()
                deadline = time.monotonic() + hold
