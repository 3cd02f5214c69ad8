"""First-boot provisioning, one function per step: what the setup screen calls, with no Kivy in sight.

The order a staff member follows: the server address → the enrollment code (central answers with
the office, which staff confirm) → the printer and a test print → the maintenance PIN → the idle
timeout → the default language → `finish`. Each step checks its input, saves it and raises a
`LoketError` whose message says what to do. Re-provisioning a terminal that still holds
applications existing nowhere else (not synced, not exported) is refused.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import LoketError
from kiosk.maintenance import check_new_pin, hash_pin
from kiosk.settings import LANGUAGES, PAPER_SIZES, Settings
from kiosk.store import TerminalIdentity
from kiosk.store.exports import unsynced_not_exported
from kiosk.store.recovery import StrandedApplications, refuse_if_stranded
from kiosk.terminal import Terminal
from loket.provisioning_file import find_provisioning_files, provision_from_file
from printing import PrintJob, print_test_receipt
from sync.client import check_server_url
from sync.enrollment import enroll_terminal

#: the idle timeouts offered on the screen (seconds); the settings accept 15 to 3600
IDLE_TIMEOUT_CHOICES = (30, 60, 90, 120, 180, 300)
#: audit actor for the steps: provisioning is done by office staff
STAFF = "staff"
#: where USB sticks appear on a Debian/Ubuntu kiosk (udisks, and a plain `mount` under /mnt)
USB_ROOTS = (Path("/media"), Path("/run/media"), Path("/mnt"))


class ProvisioningError(LoketError):
    """A provisioning step cannot go on; the message says what to fix."""


class ReprovisionRefused(ProvisioningError):
    """Applications on this terminal exist nowhere else yet: sync or export them first."""


# -- the server and the enrollment code ----------------------------------------------------------

def server_url(host: str, *, secure: bool = True, port: str = "") -> str:
    """The central server's URL from what staff typed: a host (or a whole URL), https or not, a port.

    Plain http is only accepted to this machine (the sync client's rule); raises `LoketError` otherwise.
    """
    typed = (host or "").strip()
    if not typed:
        raise ProvisioningError("type the central server's address, e.g. loket.bandung.go.id")
    if "://" not in typed:
        name, slash, path = typed.partition("/")
        port = (port or "").strip()
        if port:
            if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
                raise ProvisioningError(f"port {port!r} must be a number from 1 to 65535 (or left empty)")
            name = f"{name}:{int(port)}"
        typed = f"{'https' if secure else 'http'}://{name}{slash}{path}"
    try:
        return check_server_url(typed)
    except ValueError as e:  # urllib's own refusals of odd hosts and ports
        raise ProvisioningError(f"{typed!r} is not a server address: {e}") from None


def check_can_reprovision(terminal: Terminal) -> None:
    """Raises `ReprovisionRefused` while unsynced applications exist that were never exported, here or in a
    queue moved aside as corrupt."""
    try:
        refuse_if_stranded(terminal.store)
    except StrandedApplications as e:
        raise ReprovisionRefused(str(e)) from None
    if terminal.identity is None:
        return
    waiting = unsynced_not_exported(terminal.store)
    if waiting:
        raise ReprovisionRefused(
            f"{waiting} application(s) on this terminal are not yet sent to central nor exported: "
            "sync now, or export the queue to a USB stick, before provisioning again")


def usb_folders(roots: tuple[Path, ...] = USB_ROOTS) -> list[Path]:
    """Mounted sticks: the folders one or two levels under /media, /run/media and /mnt (user/label)."""
    found: list[Path] = []
    for root in roots:
        try:
            for entry in sorted(root.iterdir()):
                if not entry.is_dir():
                    continue
                inner = sorted(p for p in entry.iterdir() if p.is_dir()) if root.name != "mnt" else []
                found += inner if inner and not os.path.ismount(entry) else [entry]
        except OSError:
            continue
    return found


def provisioning_files(roots: tuple[Path, ...] = USB_ROOTS) -> list[Path]:
    """The provisioning files at the top of every mounted USB stick, newest first on each."""
    return [path for folder in usb_folders(roots) for path in find_provisioning_files(folder)]


def load_file(terminal: Terminal, path: Path) -> TerminalIdentity:
    """Provisions from a file central wrote (no network needed); central enrolls the terminal once it answers."""
    check_can_reprovision(terminal)
    identity = provision_from_file(terminal, path)
    terminal.store.values.setup_unfinished = True
    return identity


def enroll(terminal: Terminal, url: str, code: str) -> TerminalIdentity:
    """Trades the one-time `code` with central for the terminal's identity; the office comes back with it."""
    if not re.sub(r"[\s-]", "", code or ""):
        raise ProvisioningError("type the enrollment code central gave you, e.g. 7K2M-QX4P-9RTB")
    check_can_reprovision(terminal)
    identity = enroll_terminal(terminal, url, code)
    terminal.store.values.setup_unfinished = True
    return identity


def needs_setup(terminal: Terminal) -> bool:
    """True until the terminal has an office and the setup begun on its screen was finished."""
    return terminal.identity is None or terminal.store.values.setup_unfinished


# -- the printer -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PrinterChoice:
    """One printer staff can pick: a backend and where it prints (a folder, a CUPS queue, a device)."""

    backend: str
    target: str
    label: str

    @property
    def key(self) -> str:
        return f"{self.backend}:{self.target}"


def cups_queues(timeout_s: float = 5.0) -> list[str]:
    """The CUPS queues this terminal knows (`lpstat -e`); empty without CUPS or with its scheduler down."""
    if shutil.which("lpstat") is None:
        return []
    try:
        result = subprocess.run(["lpstat", "-e"], capture_output=True, text=True, timeout=timeout_s, check=False,
                                env={"LANG": "C", "LC_ALL": "C", "PATH": "/usr/bin:/bin"})
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.strip() for line in result.stdout.splitlines() if line.strip()] if result.returncode == 0 else []


def printer_choices(terminal: Terminal, *, with_cups: bool = True) -> list[PrinterChoice]:
    """The PDF folder first (always there), then each CUPS queue, then the ESC/POS printer if one is set."""
    settings = terminal.settings
    folder = settings.printer_pdf_dir or str(terminal.paths.receipts)
    choices = [PrinterChoice("pdf", folder, f"PDF folder {folder}")]
    if with_cups:
        choices += [PrinterChoice("cups", queue, f"CUPS printer {queue}") for queue in cups_queues()]
    if settings.printer_escpos_url:
        choices.append(PrinterChoice("escpos", settings.printer_escpos_url,
                                     f"Receipt printer {settings.printer_escpos_url}"))
    return choices


def current_printer(settings: Settings, terminal: Terminal) -> PrinterChoice:
    backend = settings.printer_backend
    target = {"pdf": settings.printer_pdf_dir or str(terminal.paths.receipts), "cups": settings.printer_cups_queue,
              "escpos": settings.printer_escpos_url}[backend]
    return PrinterChoice(backend, target, target)


def choose_printer(terminal: Terminal, choice: PrinterChoice, paper: str | None = None, *,
                   actor: str = STAFF) -> Settings:
    """Saves the printer (and paper size); the next receipt goes there."""
    paper = paper or terminal.settings.printer_paper
    if paper not in PAPER_SIZES:
        raise ProvisioningError(f"paper {paper!r} is not one of {', '.join(PAPER_SIZES)}")
    changes: dict[str, str] = {"printer_backend": choice.backend, "printer_paper": paper}
    if choice.backend == "pdf":
        folder = Path(choice.target).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ProvisioningError(f"cannot use the PDF folder {folder}: {e.strerror or e}") from None
        changes["printer_pdf_dir"] = str(folder)
    elif choice.backend == "cups":
        changes["printer_cups_queue"] = choice.target
    else:
        changes["printer_escpos_url"] = choice.target
    settings = terminal.update_settings(**changes)
    terminal.store.record_audit("printer.chosen", f"{choice.backend} {choice.target} ({paper})", actor=actor)
    return settings


def print_test_page(terminal: Terminal, *, actor: str = STAFF) -> PrintJob:
    """Prints the marked test page on the chosen printer; raises `PrinterError` saying why it did not."""
    return print_test_receipt(terminal, terminal.settings.language, actor=actor)


# -- the PIN, the idle timeout, the language -------------------------------------------------------

def set_pin(terminal: Terminal, pin: str, repeated: str, *, actor: str = STAFF) -> None:
    """Saves the maintenance PIN as a slow salted hash, once typed twice the same."""
    check_new_pin(pin)
    if pin != repeated:
        raise ProvisioningError("the two PINs differ: type the same PIN twice")
    terminal.update_settings(maintenance_pin_hash=hash_pin(pin))
    terminal.store.record_audit("maintenance.pin_set", "", actor=actor)


def set_idle_timeout(terminal: Terminal, seconds: int, *, actor: str = STAFF) -> Settings:
    """How long a citizen's unfinished form stays before the screen returns to Welcome."""
    settings = terminal.update_settings(idle_timeout_s=seconds)
    terminal.store.record_audit("settings.idle_timeout", f"{seconds} s", actor=actor)
    return settings


def set_language(terminal: Terminal, language: str, *, actor: str = STAFF) -> Settings:
    if language not in LANGUAGES:
        raise ProvisioningError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    settings = terminal.update_settings(language=language)
    terminal.store.record_audit("settings.language", language, actor=actor)
    return settings


def finish(terminal: Terminal) -> TerminalIdentity:
    """The last step: the terminal has its office and a maintenance PIN, so it may serve citizens."""
    identity = terminal.identity
    if identity is None:
        raise ProvisioningError("this terminal has no office yet: enroll it with the code from central first")
    if not terminal.settings.maintenance_pin_hash:
        raise ProvisioningError("set the maintenance PIN first: without it nobody can open maintenance")
    terminal.store.values.setup_unfinished = False
    terminal.store.record_audit("provisioning.finished", f"{identity.terminal_code} for {identity.office_code}, "
                                f"printer {terminal.settings.printer_backend}", actor=STAFF)
    return identity


__all__ = [
    "IDLE_TIMEOUT_CHOICES", "USB_ROOTS", "PrinterChoice", "ProvisioningError", "ReprovisionRefused",
    "check_can_reprovision", "choose_printer", "cups_queues", "current_printer", "enroll", "finish", "load_file",
    "needs_setup", "print_test_page", "printer_choices", "provisioning_files", "server_url", "set_idle_timeout",
    "set_language", "set_pin", "usb_folders",
]
