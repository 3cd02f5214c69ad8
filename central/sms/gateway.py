"""The SMS gateway's side of the bargain: gammu-smsd with its files backend. A message is a file
`OUT<priority><date>_<time>_<serial>_<number>_<tag>.txt` put (atomically) into the outbox; gammu-smsd
sends it through the modem and moves it to `sent/` or `error/`, where we read the outcome back.

The spool is one folder with `outbox/`, `sent/` and `error/` inside, the paths gammu-smsd's
`[smsd]` section names (`gammu_config` writes that section)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from central.errors import CentralError

#: gammu-smsd reads only names starting with OUT; our temporary name does not, so it is never half-read
_TEMPORARY = ".loket-writing-"


class GatewayDown(CentralError):
    """The gateway's spool cannot take a message now (missing, not writable); the message stays queued."""


@dataclass(frozen=True)
class Spool:
    """An office's gammu-smsd spool folder."""

    root: Path

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def sent(self) -> Path:
        return self.root / "sent"

    @property
    def error(self) -> Path:
        return self.root / "error"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    def hand(self, tag: str, number: str, text: str, *, now: dt.datetime) -> None:
        """Puts the message into the outbox, whole or not at all. Raises `GatewayDown`."""
        if not number.startswith("+") or not number[1:].isdigit():
            raise CentralError(f"{number!r} is not a phone number in E.164 form")
        name = f"OUTB{now:%Y%m%d_%H%M%S}_00_{number}_{tag}.txt"
        temporary = self.outbox / f"{_TEMPORARY}{tag}"
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
            with os.fdopen(fd, "w", encoding="ascii") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.outbox / name)
        except OSError as e:
            raise GatewayDown(f"the SMS gateway's outbox {self.outbox} cannot take a message: "
                              f"{e.strerror or e}") from None

    def where(self, tag: str) -> str | None:
        """Which folder holds the message now: "outbox", "sent", "error", or None (nowhere)."""
        for folder in ("sent", "error", "outbox"):
            if self._file(folder, tag) is not None:
                return folder
        return None

    def forget(self, tag: str) -> None:
        """Removes the message's file from sent/ or error/ once its outcome is recorded: its name holds
        the citizen's phone number, which has no reason to stay on the gateway's disk."""
        for folder in ("sent", "error"):
            found = self._file(folder, tag)
            if found is not None:
                found.unlink(missing_ok=True)

    def _file(self, folder: str, tag: str) -> Path | None:
        try:
            return next((getattr(self, folder)).glob(f"OUT*_{tag}.txt"), None)
        except OSError:
            return None


def gammu_config(spool: Spool, device: str, *, connection: str = "at", model: str = "") -> str:
    """A gammurc for gammu-smsd sending from `device` through this spool (files backend)."""
    lines = ["[gammu]", f"device = {device}", f"connection = {connection}"]
    if model:
        lines.append(f"model = {model}")
    lines += ["", "[smsd]", "service = files", f"inboxpath = {spool.inbox}/", f"outboxpath = {spool.outbox}/",
              f"sentsmspath = {spool.sent}/", f"errorsmspath = {spool.error}/",
              f"logfile = {spool.root / 'smsd.log'}", "debuglevel = 1", "loopsleep = 1", "commtimeout = 1"]
    return "\n".join(lines) + "\n"
