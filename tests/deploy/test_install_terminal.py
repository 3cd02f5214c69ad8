"""`sudo ./scripts/install-terminal` for real (root, the real paths, no systemd as PID 1): it lays out a
kiosk, a second run changes nothing and keeps the queue, `--uninstall` keeps the queue, `--purge`
removes everything. The last test uninstalls; the session fixture installs again if a later test needs it."""

from __future__ import annotations

import grp
import os
import pwd
import subprocess
from pathlib import Path

import pytest

from kiosk.crypto import new_office_keypair
from tests.deploy.conftest import PREFIX, InstalledKiosk, run_installer

pytestmark = pytest.mark.slow  # a release is a venv: one pip install per session
DATA = Path("/var/lib/loket")
UNITS = Path("/etc/systemd/system")


def as_kiosk_user(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "loket", "--", *command], capture_output=True, text=True, timeout=120,
                          cwd="/")


def is_enabled(unit: str) -> str:
    return subprocess.run(["systemctl", "--root=/", "is-enabled", unit], capture_output=True, text=True).stdout.strip()


def snapshot(*roots: Path) -> dict[str, tuple[int, int, int]]:
    """Every file and link under `roots`: (mode, size, mtime in ns)."""
    seen = {}
    for root in roots:
        for path in [root, *root.rglob("*")] if root.exists() else []:
            stat = path.lstat()
            seen[str(path)] = (stat.st_mode, stat.st_size, stat.st_mtime_ns)
    return seen


def test_the_installer_lays_out_a_kiosk_that_boots_into_loket(installed_kiosk: InstalledKiosk) -> None:
    user = pwd.getpwnam("loket")
    assert user.pw_shell == "/usr/sbin/nologin" and user.pw_uid < 1000, "a system user without a shell"
    groups = {g.gr_name for g in grp.getgrall() if "loket" in g.gr_mem}
    assert {"video", "input", "render", "lp"} <= groups and "sudo" not in groups
    data = DATA.stat()
    assert (data.st_mode & 0o777, data.st_uid) == (0o700, user.pw_uid)
    assert (Path("/etc/loket") / "kiosk.env").is_file()

    current = os.readlink(PREFIX / "current")
    assert current.startswith("releases/")
    release = PREFIX / current
    assert "home = /usr/bin" in (release / "pyvenv.cfg").read_text(), "a venv from Debian's python3"
    assert (release / "release.json").is_file()

    for unit in ("loket-kiosk.service", "loket-sync.service"):
        assert (UNITS / unit).is_file() and is_enabled(unit) == "enabled"
    assert is_enabled("getty@tty1.service") == "masked", "the kiosk owns tty1"
    assert Path("/etc/systemd/journald.conf.d/loket.conf").is_file()
    assert "systemd is not running here" in installed_kiosk.first_run.stdout

    status = as_kiosk_user(str(installed_kiosk.loket), "--home", str(DATA), "status")
    assert status.returncode == 0, status.stderr  # the kiosk user can run the release (nothing under /root)




def test_a_second_run_changes_nothing_and_keeps_the_queue(installed_kiosk: InstalledKiosk) -> None:
    key = new_office_keypair().public_key
    provisioned = as_kiosk_user(str(installed_kiosk.loket), "--home", str(DATA), "provision", "--terminal-code",
                                "K7Q2", "--office-code", "3273010001", "--office-name", "Kelurahan Braga",
                                "--office-key", key)
    assert provisioned.returncode == 0, provisioned.stderr
    before = snapshot(PREFIX, DATA, Path("/etc/loket"), *UNITS.glob("loket-*"), UNITS / "multi-user.target.wants")

    again = run_installer()

    assert again.returncode == 0, again.stderr
    assert "nothing to change" in again.stdout
    assert snapshot(PREFIX, DATA, Path("/etc/loket"), *UNITS.glob("loket-*"),
                    UNITS / "multi-user.target.wants") == before


def test_uninstall_keeps_the_queue_and_purge_removes_the_rest(installed_kiosk: InstalledKiosk) -> None:
    removed = run_installer("--uninstall")
    installed_kiosk.uninstalled = True
    assert removed.returncode == 0, removed.stderr
    assert not PREFIX.exists() and not (UNITS / "loket-kiosk.service").exists()
    assert is_enabled("getty@tty1.service") != "masked", "tty1 gets its login prompt back"
    assert (DATA / "queue.db").is_file(), "the queue stays"
    assert "kept /var/lib/loket" in removed.stdout
    assert "nothing to change" in run_installer("--uninstall").stdout

    purged = run_installer("--uninstall", "--purge")
    assert purged.returncode == 0, purged.stderr
    assert not DATA.exists() and not Path("/etc/loket").exists()
    with pytest.raises(KeyError):
        pwd.getpwnam("loket")


def test_purge_alone_is_refused_in_one_line() -> None:
    done = run_installer("--purge")
    assert done.returncode == 2
    assert done.stderr.strip() == "install-terminal: --purge goes with --uninstall"
