"""The maintenance dashboard without Kivy: the figures a technician reads, and the actions they take.

`read_dashboard()` gathers everything on one screen (who the terminal is, versions, the queue,
the last sync and its error, whether central answers, disk and printer). Each action is one
function that does the work through the kiosk core, sync or printing, and writes a
`maintenance.<action>` entry to the audit log (which syncs to central) whether it worked or not.
The sync actions and the probe of central take the `Runtime`: they ask its one worker for a round
and wait for its report, so no second worker ever runs beside the background one.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from kiosk import __version__
from kiosk.errors import LoketError
from kiosk.settings import Settings
from kiosk.store import SCHEMA_VERSION
from kiosk.store.exports import unsynced_not_exported
from kiosk.terminal import Terminal
from loket.export import Export, export_unsynced
from loket.provisioning import (  # noqa: F401  (USB_ROOTS, usb_folders: the dashboard's too)
    USB_ROOTS,
    PrinterChoice,
    check_can_reprovision,
    choose_printer,
    set_idle_timeout,
    usb_folders,
)
from loket.runtime import Runtime, sync_configured
from printing import PrintJob, print_test_receipt, reprint_receipt
from printing.backends import PrinterState, backend_for
from printing.errors import PrinterError
from printing.receipts import record_printer_state
from sync.report import SyncReport

TECHNICIAN = "technician"
LOG_FILE_NAME = "loket.log"
Result = TypeVar("Result")


@dataclass(frozen=True)
class Dashboard:
    """Everything the maintenance screen shows, read once."""

    terminal_code: str
    terminal_id: str
    office_code: str
    office_name: str
    server_url: str
    versions: dict[str, str]
    catalog_version: str | None
    queue: dict[str, int]
    unsynced: int
    unexported: int
    oldest_unsynced_age_s: float | None
    last_sync_attempt: str | None
    last_sync_error: str | None
    last_sync_success: str | None
    server_reachable: bool | None  # None: not checked (no server set)
    server_detail: str
    disk_free_bytes: int
    printer: PrinterState
    settings: Settings
    #: how far the system clock is behind the terminal's best time (kiosk.clock.TrustedClock)
    clock_wrong_by_s: float = 0.0
    problems: list[str] = field(default_factory=list)


def read_dashboard(runtime: Runtime, *, probe_server: bool = True, probe_printer: bool = True,
                   extra_versions: dict[str, str] | None = None) -> Dashboard:
    """The dashboard's figures (the calling thread's terminal); `probe_*` ask central (a signed
    heartbeat, on the runtime's worker) and the printer right now."""
    terminal = runtime.refresh()  # the sync worker may have enrolled or re-keyed it meanwhile
    store = terminal.store
    identity = terminal.identity
    status = terminal.status()
    url = terminal.server_url
    reachable, detail = probe_central(runtime) if probe_server else (None, "not checked")
    versions = {"loket": __version__, "database schema": str(SCHEMA_VERSION), "python": platform.python_version()}
    versions.update(extra_versions or {})
    return Dashboard(
        terminal_code=identity.terminal_code if identity else "",
        terminal_id=identity.terminal_id if identity else "",
        office_code=identity.office_code if identity else "",
        office_name=identity.office_name if identity else "",
        server_url=url,
        versions=versions,
        catalog_version=status["catalog_version"],
        queue=status["queue"],
        unsynced=store.unsynced_count(),
        unexported=unsynced_not_exported(store),
        oldest_unsynced_age_s=status["oldest_unsynced_age_s"],
        last_sync_attempt=status["last_sync"] or None,
        last_sync_error=status["last_sync_error"] or None,
        last_sync_success=store.values.last_sync_success or None,
        server_reachable=reachable,
        server_detail=detail,
        disk_free_bytes=status["disk_free_bytes"],
        printer=printer_state(terminal) if probe_printer else PrinterState(True, "not checked"),
        settings=terminal.settings,
        clock_wrong_by_s=status["clock_wrong_by_s"],
        problems=list(status["settings_problems"]),
    )


def probe_central(runtime: Runtime) -> tuple[bool | None, str]:
    """(reachable, what happened): one signed heartbeat, so "reachable" also means central accepts us."""
    terminal = runtime.terminal
    if not sync_configured(terminal):
        return None, "no central server is set (provisioned offline)"
    report = runtime.probe().result()
    if not report.reachable:
        return False, "; ".join(report.errors) or "central did not answer"
    return True, f"central at {terminal.server_url} answered"


def printer_state(terminal: Terminal) -> PrinterState:
    """Whether the chosen printer can print right now, in one line, without printing anything; the
    answer is also kept as the state the next heartbeat reports to central."""
    state = _probe_printer(terminal)
    record_printer_state(terminal, "ok" if state.ready else state.text)
    return state


def _probe_printer(terminal: Terminal) -> PrinterState:
    try:
        return backend_for(terminal.settings, terminal.paths.receipts).check()
    except PrinterError as e:  # an unknown backend in the settings
        return PrinterState(False, str(e))


# -- the log file --------------------------------------------------------------------------------

def log_file(terminal: Terminal) -> Path:
    return terminal.paths.logs / LOG_FILE_NAME


def start_log_file(terminal: Terminal, level: int = logging.INFO) -> Path:
    """Sends the `loket.*` loggers to `logs/loket.log` (rotated at 1 MB, 3 kept), once per process."""
    path = log_file(terminal)
    logger = logging.getLogger("loket")
    if not any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path for h in logger.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(min(logger.level or level, level))
    return path


def log_tail(terminal: Terminal, lines: int = 40) -> list[str]:
    """The last `lines` lines of the terminal's log file (empty when nothing was logged yet)."""
    path = log_file(terminal)
    try:
        with open(path, "rb") as source:
            source.seek(0, os.SEEK_END)
            source.seek(max(0, source.tell() - 200 * lines))
            text = source.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return []
    except OSError as e:
        raise LoketError(f"cannot read {path}: {e.strerror or e}") from None
    return text.splitlines()[-lines:]


# -- actions ---------------------------------------------------------------------------------------

def audited(terminal: Terminal, action: str, call: Callable[[], Result],
            describe: Callable[[Result], str] | None = lambda _r: "done") -> Result:
    """Runs one maintenance action and records `maintenance.<action>` with its outcome, failed or not.

    `describe=None`: the action writes its own entry when it succeeds (only a failure is added here).
    """
    try:
        result = call()
    except LoketError as e:
        terminal.store.record_audit(f"maintenance.{action}", f"failed: {e}"[:2000], actor=TECHNICIAN)
        raise
    if describe is not None:
        terminal.store.record_audit(f"maintenance.{action}", describe(result)[:2000], actor=TECHNICIAN)
    return result


def _one_round(runtime: Runtime, *, drain: bool) -> SyncReport:
    """A round on the runtime's one worker (after the one running, if any), waited for."""
    if runtime.terminal.identity is None:
        raise LoketError("this terminal is not provisioned: there is nothing to sync")
    return (runtime.sync_now() if drain else runtime.pull_status()).result()


def sync_now(runtime: Runtime) -> SyncReport:
    """One full round now (applications backing off are sent too); the report says what happened."""
    return audited(runtime.terminal, "sync_now", lambda: _one_round(runtime, drain=True), lambda r: r.summary())


def update_catalog_now(runtime: Runtime) -> SyncReport:
    """Pulls the catalog (and status changes) from central now; a bad catalog is never applied."""
    terminal = runtime.terminal

    def pull() -> SyncReport:
        report = _one_round(runtime, drain=False)
        runtime.refresh()
        return report

    def describe(report: SyncReport) -> str:
        if report.errors:
            return "; ".join(report.errors)
        return f"catalog updated to {report.catalog_updated}" if report.catalog_updated else \
            f"catalog unchanged ({terminal.catalog.version})"

    return audited(terminal, "update_catalog", pull, describe)


def printer_test(terminal: Terminal) -> PrintJob:
    return audited(terminal, "test_print", lambda: print_test_receipt(terminal, terminal.settings.language),
                   lambda job: job.description)


def reprint(terminal: Terminal, reference: str) -> PrintJob:
    return audited(terminal, "reprint", lambda: reprint_receipt(terminal, reference),
                   lambda job: f"{job.reference}: {job.description}")


def change_printer(terminal: Terminal, choice: PrinterChoice, paper: str | None = None) -> Settings:
    return audited(terminal, "change_printer",
                   lambda: choose_printer(terminal, choice, paper, actor=TECHNICIAN),
                   lambda s: f"{s.printer_backend} {choice.target} ({s.printer_paper})")


def change_idle_timeout(terminal: Terminal, seconds: int) -> Settings:
    return audited(terminal, "change_idle_timeout", lambda: set_idle_timeout(terminal, seconds, actor=TECHNICIAN),
                   lambda s: f"{s.idle_timeout_s} s")


def export_queue(terminal: Terminal, folder: Path) -> Export:
    """The signed bundle of unsynced applications in `folder` (a USB stick); they stay queued here too."""
    return audited(terminal, "exported", lambda: export_unsynced(terminal, folder), None)


def update_from_usb(terminal: Terminal, bundle: Path, keys_file: Path) -> str:
    """A release bundle from a stick, checked here and handed to the updater (loket/updates/usb.py)."""
    from loket.updates.usb import hand_to_updater

    return audited(terminal, "update_from_usb",
                   lambda: hand_to_updater(bundle, terminal.paths.home / "updates", keys_file), lambda r: r)


def begin_reprovision(terminal: Terminal) -> None:
    """Refused (and the refusal audited) while applications exist here only; else the setup screen follows."""
    audited(terminal, "reprovision", lambda: check_can_reprovision(terminal),
            lambda _r: "allowed: every application is synced or exported")


def exit_to_desktop(terminal: Terminal) -> None:
    audited(terminal, "exit_to_desktop", lambda: None)


def restart(terminal: Terminal) -> None:
    audited(terminal, "restart", lambda: None)


def view_log(terminal: Terminal, lines: int = 40) -> list[str]:
    return audited(terminal, "view_log", lambda: log_tail(terminal, lines), lambda got: f"{len(got)} lines")


def describe_age(seconds: float | None) -> str:
    """`3 h 12 min`, `45 s`, or `-` when nothing waits."""
    if seconds is None:
        return "-"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


def describe_bytes(count: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} TB"


__all__ = [
    "Dashboard", "PrinterState", "begin_reprovision", "change_idle_timeout", "change_printer", "describe_age",
    "describe_bytes", "exit_to_desktop", "export_queue", "log_tail", "printer_state", "probe_central",
    "printer_test", "read_dashboard", "reprint", "restart", "start_log_file", "sync_now", "update_catalog_now",
    "usb_folders", "view_log",
]
