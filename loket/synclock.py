"""One sync worker per terminal, across processes: whoever holds an `flock` on `<home>/sync.lock` runs it.

On a kiosk two processes could sync the same queue: the headless `loket-sync.service` (`loket sync
--watch`) and the kiosk UI (`loket run`). The lock decides: the service waits for it and holds it
for as long as it runs; the UI takes it only when it is free (the service is stopped or not
installed, e.g. a developer's `loket run`) and otherwise leaves sync to the holder. The kernel drops
an `flock` when its process dies, so a killed holder never leaves a stale lock, and the waiting
service takes over at once. Whoever holds the lock listens on `<home>/sync.wake` (a unix datagram
socket): others send a byte there to say "something new to send" (a citizen's submit in the UI, `loket
sync --once`), so the holder starts a round at once instead of at its next interval.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("loket.synclock")
LOCK_FILE = "sync.lock"
WAKE_SOCKET = "sync.wake"


class SyncLock:
    """The sync lock of the terminal in `home`, as one holder (a process, or a runtime in it) sees it."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.path = self.home / LOCK_FILE
        self.wake_path = self.home / WAKE_SOCKET
        self._fd: int | None = None
        self._listener: socket.socket | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        """Takes the lock if nobody holds it (another process, or another holder in this one)."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # for people: `cat sync.lock` names the holder
        self._fd = fd
        return True

    def acquire(self, stop: threading.Event, poll_s: float = 1.0) -> bool:
        """Waits for the lock until `stop` is set; polled, so that a stop request is never stuck behind it."""
        while not stop.is_set():
            if self.try_acquire():
                return True
            stop.wait(poll_s)
        return False

    def holder_pid(self) -> int | None:
        """The process that last took the lock (what `sync.lock` says), for messages."""
        try:
            return int(self.path.read_text().strip() or 0) or None
        except (OSError, ValueError):
            return None

    def listen_for_wakes(self, on_wake: Callable[[], None]) -> None:
        """While holding the lock: calls `on_wake` (on a daemon thread) whenever another process asks."""
        if self._fd is None or self._listener is not None:
            return
        self.wake_path.unlink(missing_ok=True)  # a dead holder's socket: the lock says it is ours now
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(str(self.wake_path))
        self._listener = listener

        def serve() -> None:
            while True:
                try:
                    listener.recv(16)
                except OSError:  # closed by release()
                    return
                on_wake()

        threading.Thread(target=serve, name="loket-sync-wake", daemon=True).start()

    def wake_holder(self) -> bool:
        """Asks the holder (another process) to sync now; False when nobody listens."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
            try:
                sender.sendto(b"w", str(self.wake_path))
            except OSError:
                return False
        return True

    def release(self) -> None:
        if self._listener is not None:
            listener, self._listener = self._listener, None
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
            self.wake_path.unlink(missing_ok=True)
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the descriptor drops the flock
