"""Where a terminal keeps its files, and the settings a technician can change.

One data directory per terminal (platformdirs' user data dir, or `LOKET_HOME`), holding the queue
database, `settings.toml`, the catalog in force, receipts, exports and logs. A bad value in the
settings file never stops the kiosk: the key falls back to its default and the problem, naming the
key, is kept in `Settings.problems` for `loket doctor` and the maintenance screen.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from kiosk.errors import SettingsError
from kiosk.files import PRIVATE_DIR, make_private, write_atomically
from kiosk.office_hours import DEFAULT_OFFICE_HOURS, check_office_hours
from kiosk.timezones import check_zone

PRINTER_BACKENDS = ("pdf", "cups", "escpos")
PAPER_SIZES = ("58mm", "80mm", "a4")
LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class Paths:
    """The files of one terminal, all under one home directory."""

    home: Path

    @property
    def database(self) -> Path:
        return self.home / "queue.db"

    @property
    def settings_file(self) -> Path:
        return self.home / "settings.toml"

    @property
    def catalog_file(self) -> Path:
        return self.home / "catalog.json"

    @property
    def receipts(self) -> Path:
        return self.home / "receipts"

    @property
    def exports(self) -> Path:
        return self.home / "exports"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    def private_files(self) -> tuple[Path, ...]:
        """The files holding what no other user may read: queue (with the signing key), settings, catalog."""
        db = self.database
        return (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"), self.settings_file,
                self.catalog_file)

    def ensure(self) -> Paths:
        """Creates the folders (0700); takes other users' access away from what an older version left."""
        for folder in (self.home, self.receipts, self.exports, self.logs):
            folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        self.make_private()
        return self

    def make_private(self) -> None:
        for path in (self.home, self.receipts, self.exports, self.logs, *self.private_files()):
            try:
                make_private(path)
            except OSError:  # a read-only or foreign-owned home: opening it says so clearly elsewhere
                continue


def default_home(environ: Mapping[str, str] | None = None) -> Path:
    """`LOKET_HOME` when set, else the platform's per-user data directory for Loket."""
    environ = os.environ if environ is None else environ
    if environ.get("LOKET_HOME"):
        return Path(environ["LOKET_HOME"]).expanduser()
    return Path(platformdirs.user_data_dir("loket", appauthor=False))


def _one_of(options: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return value

    return check


def _int_between(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value

    return check


def _float_between(low: float, high: float) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise ValueError(f"must be a number from {low} to {high}")
        return float(value)

    return check


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value


def _zone(value: Any) -> str:
    value = _text(value)
    return check_zone(value) if value else ""


def _url(value: Any) -> str:
    value = _text(value)
    if value and not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value.rstrip("/")


@dataclass(frozen=True)
class Settings:
    """Everything a technician may set. Read with `load_settings`, write with `save_settings`."""

    language: str = "id"
    idle_timeout_s: int = 60
    idle_warning_s: int = 10
    kiosk_mode: bool = True
    text_scale: float = 1.0
    high_contrast: bool = False
    printer_backend: str = "pdf"
    printer_paper: str = "80mm"
    printer_pdf_dir: str = ""
    printer_cups_queue: str = ""
    printer_escpos_url: str = ""
    server_url: str = ""
    ca_bundle: str = ""
    sync_interval_s: int = 30
    #: the office's time zone (Asia/Jakarta, Asia/Makassar, Asia/Jayapura); empty: from its region code
    timezone: str = ""
    #: the office's opening hours on its own clock (`Mon-Fri 08:00-16:00; Sat 08:00-12:00`): outside them an
    #: update may switch releases without waiting for Welcome (see docs/updates.md)
    office_hours: str = DEFAULT_OFFICE_HOURS
    maintenance_pin_hash: str = ""
    #: once central accepted an application: days until its sealed answers leave the terminal, then its metadata
    answers_retention_days: int = 7
    metadata_retention_days: int = 180
    problems: tuple[str, ...] = field(default=(), compare=False)

    def updated(self, **changes: Any) -> Settings:
        """A copy with `changes` applied; a bad value raises `SettingsError` naming its key."""
        for key, value in changes.items():
            if key not in _CHECKS:
                raise SettingsError(f"unknown setting {key!r}")
            try:
                changes[key] = _CHECKS[key](value)
            except ValueError as e:
                raise SettingsError(f"setting {key!r} {e} (got {value!r})") from None
        return replace(self, **changes)


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "language": _one_of(LANGUAGES),
    "idle_timeout_s": _int_between(15, 3600),
    "idle_warning_s": _int_between(3, 120),
    "kiosk_mode": _boolean,
    "text_scale": _float_between(0.8, 2.0),
    "high_contrast": _boolean,
    "printer_backend": _one_of(PRINTER_BACKENDS),
    "printer_paper": _one_of(PAPER_SIZES),
    "printer_pdf_dir": _text,
    "printer_cups_queue": _text,
    "printer_escpos_url": _text,
    "server_url": _url,
    "ca_bundle": _text,
    "sync_interval_s": _int_between(5, 86400),
    "timezone": _zone,
    "office_hours": check_office_hours,
    "maintenance_pin_hash": _text,
    "answers_retention_days": _int_between(1, 3650),
    "metadata_retention_days": _int_between(1, 3650),
}


def load_settings(path: Path) -> Settings:
    """Reads `path`; a missing file gives the defaults, and no bad value ever raises.

    Each unusable key keeps its default and adds a line naming the key to `problems`.
    """
    if not path.exists():
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as e:
        return Settings(problems=(f"{path.name} cannot be read, using defaults: {e}",))
    good: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        if key not in _CHECKS:
            problems.append(f"unknown setting {key!r} ignored")
            continue
        try:
            good[key] = _CHECKS[key](value)
        except ValueError as e:
            problems.append(f"setting {key!r} {e} (got {value!r}); using the default")
    return Settings(**good, problems=tuple(problems))


def save_settings(path: Path, settings: Settings) -> None:
    """Writes the settings atomically (a power cut leaves the old file or the new, never half)."""
    data = {f.name: getattr(settings, f.name) for f in fields(settings) if f.name != "problems"}
    write_atomically(path, tomli_w.dumps(data).encode("utf-8"))
