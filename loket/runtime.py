"""The terminal program's runtime: what `loket run` (the screens) and the `loket` commands share.

One `Runtime` per process owns what would otherwise be scattered:

- one `Terminal` per thread (`runtime.terminal`): SQLite connections never cross threads, so each
  thread gets its own terminal on first use; work off the UI thread runs on the runtime's own
  work threads (`in_background`), each with its terminal, refreshed before every job;
- the single rule for "is sync configured" (`sync_configured`): an identity and a central server;
- the one sync worker of the terminal (`worker`), started in one place (`_start_worker`) and wired
  to the refresh after a round; whatever needs a round now asks it (`sync_now`, `pull_status`,
  `probe`) and gets a future of the round's report, run on that worker's thread, never on a second
  worker;
- the one refresh routine (`refresh`): this thread's terminal re-reads its settings, identity and
  catalog (`Terminal.refresh`). After a sync round that reached central or brought a catalog, every
  thread's terminal does so on its next use; after work on another thread, the caller refreshes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from kiosk.settings import default_home
from kiosk.terminal import Terminal
from loket.synclock import SyncElsewhere, SyncLock
from loket.updates.link import update_link
from sync.report import SyncReport
from sync.worker import RoundRequest, SyncWorker

log = logging.getLogger("loket.runtime")
Result = TypeVar("Result")
#: threads for work off the UI thread (printing a receipt, a maintenance action): a hung printer
#: on one still leaves the other free
WORK_THREADS = 2
RELEASE_WAIT_S = 5.0


def sync_configured(terminal: Terminal) -> bool:
    """Whether the terminal can sync: it has an office (is provisioned) and a central server to reach
    (`Terminal.sync_problem`, which the sync worker reports when it cannot)."""
    return terminal.sync_problem() is None


class Runtime:
    """The terminal in `home` as one process uses it, from any of its threads."""

    def __init__(self, home: Path | None = None, *, terminal: Terminal | None = None) -> None:
        """`terminal`: an open terminal to adopt as the calling thread's (its home is the runtime's)."""
        self.home = Path(terminal.paths.home if terminal is not None else home or default_home())
        self.worker: SyncWorker | None = None
        #: one sync worker per terminal across processes (loket.synclock): held while `worker` runs
        self.sync_lock = SyncLock(self.home)
        #: called on the worker's thread after each round, after the refresh is arranged (e.g. the UI's redraw)
        self.round_listeners: list[Callable[[SyncReport], None]] = []
        self._local = threading.local()
        self._changes = 0  # counts sync rounds after which the terminals must re-read
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        if terminal is not None:
            self._adopt(terminal)

    # -- one Terminal per thread -----------------------------------------------------------------

    @property
    def terminal(self) -> Terminal:
        """The calling thread's terminal (opened on first use), refreshed if a sync round changed things."""
        terminal: Terminal | None = getattr(self._local, "terminal", None)
        if terminal is None:
            terminal = self._adopt(Terminal(self.home))
        elif self._local.seen != self._changes:
            self.refresh()
        return terminal

    def _adopt(self, terminal: Terminal) -> Terminal:
        self._local.terminal = terminal
        self._local.seen = self._changes
        return terminal

    def release(self) -> None:
        """Closes the calling thread's terminal, if it has one (a thread does this before it ends)."""
        terminal: Terminal | None = getattr(self._local, "terminal", None)
        if terminal is not None:
            terminal.close()
            self._local.terminal = None

    @contextmanager
    def thread_terminal(self) -> Iterator[Terminal]:
        """The calling thread's terminal for a while, closed afterwards (for a short-lived thread)."""
        try:
            yield self.terminal
        finally:
            self.release()

    # -- the one refresh ---------------------------------------------------------------------------

    def refresh(self) -> Terminal:
        """The calling thread's terminal re-reads what other threads or processes saved meanwhile."""
        terminal = getattr(self._local, "terminal", None)
        if terminal is None:
            return self.terminal
        self._local.seen = self._changes
        terminal.refresh()
        return terminal

    def _after_round(self, report: SyncReport) -> None:
        """On the worker's thread after each round: the identity (an enrollment finished, a rotated
        office key) or the catalog may have changed, so every thread's terminal re-reads on next use."""
        if report.reachable or report.catalog_updated:
            self._changes += 1
        for listener in list(self.round_listeners):
            listener(report)

    # -- sync ------------------------------------------------------------------------------------

    def sync_configured(self) -> bool:
        return sync_configured(self.terminal)

    def sync_worker(self, **options: Any) -> SyncWorker:
        """A sync worker for this terminal whose rounds refresh every thread's terminal; `options` go
        to `SyncWorker` (batch size, backoff, timeouts, interval). For a process of its own (`loket
        sync`); within the program, use the runtime's one worker (`start_sync`, `sync_now`, ...)."""
        options.setdefault("updates", update_link(self.terminal.paths.home))
        return SyncWorker(self.home, on_report=self._after_round, **options)

    def _the_worker(self, **options: Any) -> SyncWorker | None:
        """This process's one worker, made on first use; None while another process (`loket-sync.service`)
        holds the terminal's sync lock and so runs the terminal's one worker."""
        with self._pool_lock:
            if self.worker is None:
                if not self.sync_lock.try_acquire():
                    return None
                self.worker = self.sync_worker(**options)
                self.sync_lock.listen_for_wakes(self.wake_sync)
            return self.worker

    def _start_worker(self, worker: SyncWorker) -> None:
        """The one place the background worker starts (it holds the sync lock: `_the_worker`)."""
        worker.start()

    def start_sync(self, **options: Any) -> SyncWorker | None:
        """Starts the background worker (once) when sync is configured, or wakes it; None when not configured
        or when another process holds the sync lock (then that process is woken: e.g. right after
        provisioning, its next round enrolls). `options` apply when the worker is made."""
        if not self.sync_configured():
            return None
        worker = self._the_worker(**options)
        if worker is None:
            self.sync_lock.wake_holder()
            return None
        self._start_worker(worker)
        worker.wake()
        return worker

    def _round(self, request: RoundRequest) -> Future[SyncReport]:
        worker = self._the_worker()
        if worker is not None:
            return worker.submit(request)
        self.sync_lock.wake_holder()
        elsewhere: Future[SyncReport] = Future()
        elsewhere.set_exception(SyncElsewhere(self.sync_lock.holder_pid()))
        return elsewhere

    def sync_now(self) -> Future[SyncReport]:
        """A full round now on the one worker (applications backing off are sent too)."""
        return self._round(RoundRequest(force=True))

    def pull_status(self) -> Future[SyncReport]:
        """The office's latest statuses (and catalog) pulled now on the one worker; nothing is sent."""
        return self._round(RoundRequest(drain=False))

    def probe(self) -> Future[SyncReport]:
        """One signed heartbeat on the one worker: whether central answers and accepts this terminal."""
        return self._round(RoundRequest(probe=True))

    def wake_sync(self) -> None:
        """Something new to send: the running worker (here, or in the process holding the lock) starts a round soon."""
        if self.worker is not None:
            self.worker.wake()
        else:
            self.sync_lock.wake_holder()

    def stop_sync(self) -> None:
        with self._pool_lock:
            worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop()
        self.sync_lock.release()

    # -- work off the calling thread ---------------------------------------------------------------

    def in_background(self, work: Callable[[Terminal], Result]) -> Future[Result]:
        """Runs `work(terminal)` on a work thread with that thread's own terminal, refreshed first."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(WORK_THREADS, thread_name_prefix="loket-work")
            return self._pool.submit(lambda: work(self.refresh()))

    def close(self) -> None:
        """Stops sync and the work threads (each closes its terminal), then closes the calling thread's."""
        self.stop_sync()
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            done = threading.Barrier(WORK_THREADS + 1, timeout=RELEASE_WAIT_S)

            def release_and_wait() -> None:  # one on each work thread: none may take a second
                self.release()
                done.wait()

            for _ in range(WORK_THREADS):
                pool.submit(release_and_wait)
            try:
                done.wait()
            except threading.BrokenBarrierError:
                log.warning("a work thread is still busy (a hung printer?); its terminal closes with the process")
            pool.shutdown(wait=False)
        self.release()


__all__ = ["Runtime", "sync_configured"]
