"""Where an update stands on a terminal, in files that survive a power cut.

- `<prefix>/update-state.json` (root writes it, everyone reads it): the applier's state — refused,
  installing, waiting, trial, good, rolled back — with the version and the reason; the sync
  service reports it to central in its heartbeat.
- `<data>/release-up.json` (the kiosk writes it): the release whose Welcome reached the screen after
  its store opened and migrated. The applier deletes it before a switch and waits for the new one.
- `<data>/journey.json` (the kiosk writes it): whether a citizen is mid-journey, so an update
  never switches under someone's hands.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from loket.release import Layout

STATE_FILE = "update-state.json"
UP_FILE = "release-up.json"
JOURNEY_FILE = "journey.json"
SPOOL_DIR = "updates"

#: states an applier leaves; "trial" means `current` points at a release that has not come up yet
STATES = ("idle", "refused", "installing", "waiting", "interrupted", "trial", "good", "rolled_back")


@dataclass(frozen=True)
class UpdatePaths:
    """The three places an update touches: releases (`prefix`), the data dir, the configuration."""

    prefix: Path = Path("/opt/loket")
    data: Path = Path("/var/lib/loket")
    config: Path = Path("/etc/loket")

    @property
    def layout(self) -> Layout:
        return Layout(self.prefix)

    @property
    def state_file(self) -> Path:
        return self.prefix / STATE_FILE

    @property
    def incoming(self) -> Path:
        return self.prefix / "incoming"

    @property
    def trusted_keys(self) -> Path:
        return self.config / "release-keys"

    @property
    def spool(self) -> Path:
        """Bundles downloaded or copied from a stick wait here for the applier (the kiosk user writes)."""
        return self.data / SPOOL_DIR

    @property
    def up_file(self) -> Path:
        return self.data / UP_FILE

    @property
    def journey_file(self) -> Path:
        return self.data / JOURNEY_FILE

    @property
    def queue(self) -> Path:
        return self.data / "queue.db"


@dataclass(frozen=True)
class UpdateState:
    state: str = "idle"
    version: str | None = None
    previous: str | None = None
    reason: str | None = None
    at: str = field(default_factory=lambda: now_iso())
    #: how many boots have tried the release on trial (a crash loop that reboots counts here)
    attempts: int = 0
    #: the release keys to trust once this release is kept (its signer and the next key it names)
    pin_keys: list[str] | None = None

    def line(self) -> str:
        text = {"good": "running", "rolled_back": "rolled back"}.get(self.state, self.state)
        parts = [text, self.version or ""]
        if self.previous and self.state in ("trial", "rolled_back"):
            parts.append(f"(previous {self.previous})")
        if self.reason:
            parts.append(f"- {self.reason}")
        return " ".join(p for p in parts if p)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _write(path: Path, data: dict, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "w", encoding="utf-8") as f:
        os.fchmod(f.fileno(), mode)
        f.write(json.dumps(data, indent=1) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_state(paths: UpdatePaths) -> UpdateState:
    data = _read(paths.state_file) or {}
    known = {k: v for k, v in data.items() if k in UpdateState.__dataclass_fields__}
    try:
        return UpdateState(**known)
    except TypeError:
        return UpdateState()


def write_state(paths: UpdatePaths, state: UpdateState) -> UpdateState:
    _write(paths.state_file, asdict(state), 0o644)  # no secret in it; the sync user reports it
    return state


def mark_up(data: Path, version: str) -> None:
    """The kiosk says: this release is on screen with its store open (called at its first Welcome)."""
    _write(Path(data) / UP_FILE, {"version": version, "pid": os.getpid(), "at": now_iso()}, 0o644)


def came_up(paths: UpdatePaths) -> str | None:
    """The version that last marked itself up, None when none has since the marker was cleared."""
    data = _read(paths.up_file)
    return str(data["version"]) if data and "version" in data else None


def mark_journey(data: Path, busy: bool) -> None:
    """The kiosk says whether a citizen is between Welcome and the end of their journey."""
    _write(Path(data) / JOURNEY_FILE, {"busy": busy, "pid": os.getpid(), "at": now_iso()}, 0o644)


def citizen_at_screen(paths: UpdatePaths) -> bool:
    """True while a running kiosk says a citizen is mid-journey (a dead kiosk holds no one)."""
    data = _read(paths.journey_file)
    if not data or not data.get("busy"):
        return False
    try:
        os.kill(int(data["pid"]), 0)
    except (ProcessLookupError, ValueError, KeyError, TypeError):
        return False
    except PermissionError:
        return True
    return True
