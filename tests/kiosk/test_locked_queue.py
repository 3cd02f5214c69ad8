"""A queue another program holds locked is a clear error, not corruption: nothing is moved aside or changed."""

from __future__ import annotations

import hashlib
import sqlite3
import time

import pytest

from kiosk.errors import StoreError
from kiosk.store import database
from kiosk.terminal import Terminal


def test_a_queue_locked_by_another_program_is_a_clear_error_and_left_alone(
        terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 1_000)  # the lock is waited for as long, then refused
    home = terminal.paths.home
    terminal.close()
    queue = home / "queue.db"
    holder = sqlite3.connect(queue, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO kv (key, value) VALUES ('held', '1')")
    before = hashlib.sha256(queue.read_bytes()).hexdigest()
    started = time.monotonic()
    try:
        with pytest.raises(StoreError, match="locked") as refused:
            Terminal(home).store  # noqa: B018
        assert 1 <= time.monotonic() - started < 30
        assert "another program holds it locked" in str(refused.value) and "left untouched" in str(refused.value)
        assert hashlib.sha256(queue.read_bytes()).hexdigest() == before
        assert not list(home.glob("queue.db.corrupt-*"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    again = Terminal(home)
    try:
        assert again.identity.terminal_code == "K7Q2"
    finally:
        again.close()
