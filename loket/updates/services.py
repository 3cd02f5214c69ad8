"""Restarting the terminal's services after a switch, and what they said when a release failed.

On a kiosk that is systemd (`loket-sync` and `loket-kiosk`, the journal); anywhere else a command
given in the settings does it (tests start the release's own `loket run` with it), so the applier
and the boot check work the same without systemd as PID 1.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass

UNITS = ("loket-sync.service", "loket-kiosk.service")


@dataclass(frozen=True)
class Services:
    """`restart` and `last_words` as commands; the defaults are systemd's."""

    restart_command: tuple[str, ...] = ("systemctl", "restart", *UNITS)
    log_command: tuple[str, ...] = ("journalctl", "--no-pager", "-o", "cat", "-n", "3", "-u", "loket-kiosk.service")

    @classmethod
    def from_text(cls, restart: str | None, log: str | None) -> Services:
        default = cls()
        return cls(tuple(shlex.split(restart)) if restart else default.restart_command,
                   tuple(shlex.split(log)) if log else default.log_command)

    def restart(self) -> None:
        done = subprocess.run(self.restart_command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise OSError(f"{' '.join(self.restart_command[:3])} failed: {(done.stderr or done.stdout).strip()[:200]}")

    def last_words(self) -> str:
        """The kiosk's last log lines, one line, for the reason central shows (empty when none)."""
        try:
            done = subprocess.run(self.log_command, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
        return " | ".join(lines[-3:])[:300]
