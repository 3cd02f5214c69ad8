"""`identity.json` beside the queue: what must outlive a queue database moved aside as corrupt.

It holds a copy of the terminal's identity (so a fresh queue still knows who it is and which office
it serves), the secret behind the receipts' status PINs, and the queue generation (how many queues
were moved aside, so a fresh queue never hands out a reference an earlier one printed). The file is
mode 0600 and replaced atomically; a missing file is simply empty.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.errors import StoreUnavailable

FILE_NAME = "identity.json"
_lock = threading.Lock()


def identity_path(database: Path) -> Path:
    return database.with_name(FILE_NAME)


def read(database: Path) -> dict[str, Any]:
    """The file's contents; {} when there is none yet."""
    path = identity_path(database)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise StoreUnavailable(f"{path} cannot be read ({e}); it was left untouched") from None
    return data if isinstance(data, dict) else {}


@contextmanager
def _locked(database: Path) -> Iterator[None]:
    """One writer at a time: threads through `_lock`, processes through an flock on a side file."""
    lock_path = identity_path(database).with_suffix(".lock")
    with _lock:
        fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def update(database: Path, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Reads the file, applies `change` to its contents and writes it back atomically (0600)."""
    path = identity_path(database)
    try:
        with _locked(database):
            data = read(database)
            change(data)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{FILE_NAME}.")  # mkstemp makes it 0600
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=1, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
    except OSError as e:
        raise StoreUnavailable(f"{path} cannot be written ({e.strerror or e})") from None
    return data


def save_identity(database: Path, identity: dict[str, str]) -> None:
    update(database, lambda data: data.__setitem__("identity", dict(identity)))


def save_pending_enrollment(database: Path, code: str) -> None:
    """The one-time code of a file-provisioned terminal, for a queue moved aside before central answered."""
    update(database, lambda data: data.__setitem__("pending_enrollment_code", code))


def forget_pending_enrollment(database: Path) -> None:
    """Once enrolled, the one-time code is of no use to anyone but a thief: it leaves the file."""
    update(database, lambda data: data.pop("pending_enrollment_code", None))


def pending_enrollment(database: Path) -> str:
    found = read(database).get("pending_enrollment_code")
    return found if isinstance(found, str) else ""


def saved_identity(database: Path) -> dict[str, str] | None:
    found = read(database).get("identity")
    return found if isinstance(found, dict) else None


def secret(database: Path, name: str) -> bytes:
    """A 32-byte secret kept in the file under `name`, made on first use."""
    found = read(database).get(name)
    if isinstance(found, str) and len(found) == 64:
        return bytes.fromhex(found)

    def make(data: dict[str, Any]) -> None:
        if not (isinstance(data.get(name), str) and len(data[name]) == 64):
            data[name] = secrets.token_hex(32)

    return bytes.fromhex(update(database, make)[name])


def next_generation(database: Path) -> int:
    """Counts one more queue moved aside and returns the new generation (1 for the first)."""
    data = update(database, lambda d: d.__setitem__("queue_generation", int(d.get("queue_generation", 0)) + 1))
    return int(data["queue_generation"])
