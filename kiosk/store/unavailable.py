"""Telling a corrupt queue file from one that is merely out of reach, and saying which in one line.

SQLite reports corruption as SQLITE_CORRUPT or SQLITE_NOTADB; everything else (cannot open,
read-only, busy, I/O) is about the file's surroundings, and moving such a file aside would strand the
applications in it. `unavailable()` names the cause a technician can fix.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from kiosk.errors import StoreUnavailable

_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_CAUSES = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is mounted read-only",
    errno.ENOSPC: "the disk is full",
}


def is_corrupt(error: sqlite3.Error) -> bool:
    """True only when SQLite says the file itself is malformed or not a database."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _CORRUPT


def _probe(path: Path) -> str | None:
    """What the operating system says when the file (or, to create files, its folder) is opened for writing."""
    try:
        fd = os.open(path, os.O_RDWR) if path.exists() else None
    except OSError as e:
        return _CAUSES.get(e.errno, e.strerror)
    if fd is not None:
        os.close(fd)
    probe = path.with_name(f".{path.name}.probe-{os.getpid()}")
    try:
        os.close(os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        os.unlink(probe)
    except OSError as e:
        return f"its folder cannot be written: {_CAUSES.get(e.errno, e.strerror)}"
    return None


def describe(path: Path, error: BaseException) -> str:
    """The cause in a few words: permissions, a read-only disk, a lock, a full disk, or SQLite's own words."""
    if isinstance(error, OSError) and error.errno is not None:
        return _CAUSES.get(error.errno, error.strerror or str(error))
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return "another program holds it locked"
    if code == sqlite3.SQLITE_FULL:
        return "the disk is full"
    found = _probe(path)
    if found:
        return found
    return str(error)


def unavailable(path: Path, error: BaseException) -> StoreUnavailable:
    """The error to raise: the file is named, the cause given, and it says nothing was changed."""
    return StoreUnavailable(
        f"the queue database {path} cannot be used ({describe(path, error)}); it was left untouched "
        "and nothing in it is lost: fix the cause (owner and mode, a read-only disk, another program) "
        "and start Loket again"
    )
