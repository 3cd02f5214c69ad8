"""The terminal's files: written so that a power cut leaves the old version or the new one, never half of
either, and readable by the terminal's own user only (the queue, the PIN hash and the signing key
must not be readable by other users of the machine)."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def restrict_new_files() -> None:
    """From now on this process creates files 0600 and folders 0700 (call it at program start)."""
    os.umask(0o077)


def make_private(path: Path) -> None:
    """Takes group and other access away from an existing file or folder (one an older version made)."""
    if path.exists() and path.stat().st_mode & 0o077:
        path.chmod(PRIVATE_DIR if path.is_dir() else PRIVATE_FILE)


def write_atomically(path: Path, data: bytes) -> None:
    """Writes `data` to a temporary file (mode 0600) beside `path`, fsyncs it, then renames it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE), "wb") as out:
        os.fchmod(out.fileno(), PRIVATE_FILE)  # an old .tmp left by a power cut may have had another mode
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
