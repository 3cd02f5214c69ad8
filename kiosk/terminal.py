"""One terminal as the rest of the program sees it: its files, settings, queue and catalog.

A `Terminal` belongs to one thread: it opens its store (an SQLite connection) lazily, on the thread
that first uses it, and no other thread may use it. The terminal program (`loket.runtime`) gives each
thread its own; `refresh()` re-reads what another thread or process saved meanwhile.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.catalog import Catalog, catalog_in_force
from kiosk.clock import iso, utcnow
from kiosk.crypto import new_terminal_keys, office_public_key
from kiosk.errors import DataDirError, LoketError, SettingsError
from kiosk.reference import normalize_terminal_code
from kiosk.settings import Paths, Settings, default_home, load_settings, save_settings
from kiosk.store import Store, TerminalIdentity
from kiosk.store.recovery import after_open
from kiosk.store.retention import run_if_due
from kiosk.timezones import office_zone


class Terminal:
    def __init__(self, home: Path | None = None) -> None:
        self.paths = Paths(home or default_home())
        try:
            self.paths.ensure()
        except OSError as e:
            raise DataDirError(f"the data directory {self.paths.home} cannot be used ({e.strerror or e}): "
                               "mount it read-write or fix its owner, then start Loket again") from None
        self.settings: Settings = load_settings(self.paths.settings_file)
        self._store: Store | None = None
        self._catalog: Catalog | None = None
        self._catalog_stamp: tuple[int, int, int] | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            store = Store.open(self.paths.database)
            self.paths.make_private()  # SQLite made the files with the process's umask
            after_open(store)
            run_if_due(store, self.settings)
            self._store = store
        return self._store

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog_stamp = _stamp(self.paths.catalog_file)
            self._catalog = catalog_in_force(self.paths.catalog_file)
        return self._catalog

    def reload_catalog(self) -> Catalog:
        self._catalog = None
        return self.catalog

    def refresh(self) -> None:
        """Re-reads what another thread or process may have saved since: the settings, the identity
        (the store caches it) and, on its next use, the catalog if its file changed."""
        self.settings = load_settings(self.paths.settings_file)
        if self._store is not None:
            self._store.reload_identity()
        if self._catalog is not None and _stamp(self.paths.catalog_file) != self._catalog_stamp:
            self._catalog = None

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def update_settings(self, **changes: Any) -> Settings:
        """Checks and saves changed settings; raises `SettingsError` naming a bad key."""
        updated = self.settings.updated(**changes)
        try:
            save_settings(self.paths.settings_file, updated)
        except OSError as e:
            raise DataDirError(f"the settings cannot be saved in {self.paths.home} ({e.strerror or e}): "
                               "nothing was changed; mount the data directory read-write or fix its owner") from None
        self.settings = updated
        return self.settings

    @property
    def identity(self) -> TerminalIdentity | None:
        return self.store.identity()

    @property
    def zone(self) -> dt.tzinfo:
        """The office's time zone for everything a citizen reads: never the machine's own zone."""
        identity = self.identity
        return office_zone(identity.office_code if identity else "", self.settings.timezone)

    @property
    def office_sends_sms(self) -> bool:
        """Whether the office sends text messages (central said so in its last heartbeat answer)."""
        return self.store.values.office_sends_sms

    @property
    def server_url(self) -> str:
        """The central server this terminal syncs with: the setting, else the one it enrolled with ("" if none)."""
        identity = self.identity
        return self.settings.server_url or (identity.server_url if identity else "")

    @property
    def receipt_url(self) -> str:
        """Where the receipt's QR sends a phone: the office's public address (the one its letters use,
        learnt from central), else the central this terminal enrolled with ("" if neither)."""
        identity = self.identity
        return self.store.office_public_url() or (identity.server_url if identity else "")

    def sync_problem(self) -> str | None:
        """Why this terminal cannot sync (None when it can): the one rule is an office and a central server."""
        if self.identity is None:
            return "this terminal is not provisioned: run `loket provision --server URL --code CODE`"
        if not self.server_url:
            return "no central server is set: enroll with `loket provision --server URL --code CODE` or set server_url"
        return None

    def provision_offline(
        self, *, terminal_code: str, office_code: str, office_name: str, office_key: str,
        server_url: str = "", terminal_id: str = "", keys: tuple[str, str] | None = None,
    ) -> TerminalIdentity:
        """Gives the terminal its office, and itself a fresh Ed25519 key unless `keys` are given."""
        try:
            code = normalize_terminal_code(terminal_code)
        except ValueError as e:
            raise LoketError(f"terminal code {terminal_code!r}: {e}") from None
        if not office_code.strip() or not office_name.strip():
            raise LoketError("the office code and office name must not be empty")
        try:
            office_public_key(office_key)
        except LoketError as e:
            raise LoketError(f"--office-key: {e} (base64 of the raw 32-byte X25519 public key)") from None
        signing, verifying = keys or (lambda k: (k.signing_key, k.verify_key))(new_terminal_keys())
        identity = TerminalIdentity(
            terminal_code=code, office_code=office_code.strip(), office_name=office_name.strip(),
            office_key=office_key.strip(), signing_key=signing, verify_key=verifying,
            server_url=server_url, terminal_id=terminal_id or code, provisioned_at=iso(utcnow()),
        )
        self._remember_previous_key(code)
        self.store.save_identity(identity)
        self.store.record_audit("terminal.provisioned", f"{code} for office {identity.office_code}",
                                actor="staff")
        return identity

    def _remember_previous_key(self, new_code: str) -> None:
        """Keeps a replaced identity's public key, so receipts printed before re-provisioning still verify."""
        previous = self.identity
        if previous is None or previous.terminal_code == new_code:
            return
        values = self.store.values
        values.known_receipt_keys = {**values.known_receipt_keys, previous.terminal_code: previous.verify_key}

    def now(self) -> dt.datetime:
        """The time as this terminal knows it: never before its floor, corrected by central's clock (kiosk.clock)."""
        return self.store.clock().now()

    def status(self, now: dt.datetime | None = None) -> dict[str, Any]:
        """The figures `loket status` prints and the maintenance screen shows."""
        identity = self.identity
        store = self.store
        try:
            catalog_version: str | None = self.catalog.version
        except LoketError:
            catalog_version = None
        return {
            "release": __version__,
            "terminal": identity.terminal_code if identity else None,
            "office": identity.office_code if identity else None,
            "provisioned": identity is not None,
            "queue": store.counts(),
            "oldest_unsynced_age_s": store.oldest_unsynced_age_s(now),
            "catalog_version": catalog_version,
            "db_bytes": store.db_bytes(),
            "disk_free_bytes": shutil.disk_usage(self.paths.home).free,
            "last_sync": store.values.last_sync_attempt,
            "last_sync_error": store.values.last_sync_error,
            "clock_wrong_by_s": round(store.clock().wrong_by_s(), 1),
            "settings_problems": list(self.settings.problems),
        }


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """Changes whenever the file is replaced or rewritten (catalogs are installed by atomic rename)."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_mtime_ns, found.st_size


__all__ = ["Terminal", "SettingsError"]
