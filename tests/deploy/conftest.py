"""The kiosk as installed on a real machine: `scripts/install-terminal` run for real (root, the real
paths), once per session, shared by the installer's tests and the kiosk-under-cage tests (a release's
venv costs a pip install). CI runs as root without systemd as PID 1, which the installer handles."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "scripts" / "install-terminal"
PREFIX = Path("/opt/loket")
SCREENSHOTS = ROOT / "out" / "deployment"


def run_installer(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(INSTALLER), *args], capture_output=True, text=True, timeout=900)


@dataclass
class InstalledKiosk:
    """The machine's kiosk install; `ensure()` installs again after a test uninstalled it."""

    first_run: subprocess.CompletedProcess | None = None
    uninstalled: bool = False
    runs: list[subprocess.CompletedProcess] = field(default_factory=list)

    def ensure(self) -> InstalledKiosk:
        if self.first_run is None or self.uninstalled:
            done = run_installer()
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
            self.first_run = self.first_run or done
            self.uninstalled = False
        return self

    @property
    def loket(self) -> Path:
        return PREFIX / "current" / "bin" / "loket"


def can_install() -> str | None:
    if os.geteuid() != 0:
        return "the installer needs root (CI runs as root)"
    if not Path("/usr/bin/python3").is_file() or not shutil.which("useradd"):
        return "needs Debian's /usr/bin/python3 and useradd"
    return None


@pytest.fixture(scope="session")
def installed_kiosk() -> InstalledKiosk:
    if reason := can_install():
        pytest.skip(reason)
    return InstalledKiosk().ensure()
