"""What `loket doctor` checks on a deployed kiosk (scripts/install-terminal), in a technician's words:
the units are there and start at boot, tty1 belongs to the kiosk, this program is the current release,
the data directory is private, the kiosk user is in the groups a touchscreen and printer need, and
some process syncs the queue. Each finding is (ok, what to do)."""

from __future__ import annotations

import grp
import os
import pwd
import re
import sys
from pathlib import Path

from loket.release import DEFAULT_PREFIX, RELEASE_FILE, Layout
from loket.synclock import SyncLock

UNITS = Path("/etc/systemd/system")
#: udev's database of devices: an input device tagged a touchscreen has `E:ID_INPUT_TOUCHSCREEN=1`
UDEV_DATA = Path("/run/udev/data")
KIOSK_UNITS = ("loket-kiosk.service", "loket-sync.service")
KIOSK_GROUPS = ("video", "input", "render", "lp")
Finding = tuple[bool, str]


def is_deployed(home: Path, units: Path = UNITS) -> bool:
    """Whether `home` is the data directory of the kiosk installed here (its unit's `LOKET_HOME`)."""
    try:
        unit = (units / "loket-kiosk.service").read_text(encoding="utf-8")
    except OSError:
        return False
    found = re.search(r"^Environment=LOKET_HOME=(\S+)$", unit, re.M)
    return found is not None and Path(found[1]).resolve() == home.resolve()


def touchscreens(udev_data: Path = UDEV_DATA) -> int:
    """How many touchscreens udev knows (character devices of the input major, 13)."""
    count = 0
    for entry in udev_data.glob("c13:*"):
        try:
            count += "E:ID_INPUT_TOUCHSCREEN=1" in entry.read_text(errors="replace").splitlines()
        except OSError:
            continue
    return count


def deployment_findings(home: Path, *, units: Path = UNITS, prefix: Path = DEFAULT_PREFIX,
                        running_prefix: str = sys.prefix, udev_data: Path = UDEV_DATA) -> list[Finding]:
    """The deployment's findings; empty when `home` is not an installed kiosk's (a developer's terminal)."""
    if not is_deployed(home, units):
        return []
    findings: list[Finding] = []
    for unit in KIOSK_UNITS:
        present = (units / unit).is_file()
        enabled = (units / "multi-user.target.wants" / unit).exists()
        findings.append((present and enabled, f"{unit}: starts at boot" if present and enabled else
                         f"{unit}: not enabled: run `sudo systemctl enable --now {unit}` (or the installer again)"))
    getty = units / "getty@tty1.service"
    masked = getty.is_symlink() and os.readlink(getty) == "/dev/null"
    findings.append((masked, "tty1: kept for the kiosk (getty masked)" if masked else
                     "tty1: a login prompt competes with the kiosk: run `sudo systemctl mask getty@tty1`"))
    layout = Layout(prefix)
    current = layout.current_version()
    running = Path(running_prefix)
    if (running / RELEASE_FILE).is_file():
        same = current == running.name
        findings.append((same, f"release {running.name} (current)" if same else
                         f"release {running.name} runs but current is {current or 'missing'}: restart the kiosk"))
    else:
        findings.append((False, f"this `loket` is not an installed release ({running}): "
                                f"use {prefix}/current/bin/loket"))
    stat = home.stat()
    private = stat.st_mode & 0o077 == 0
    findings.append((private, f"{home}: private to {_user(stat.st_uid)}" if private else
                     f"{home}: readable by other users: run `sudo chmod 700 {home}`"))
    user = _user(stat.st_uid)
    member_of = {g.gr_name for g in grp.getgrall() if user in g.gr_mem}
    missing = [g for g in KIOSK_GROUPS if g not in member_of]
    findings.append((not missing, f"user {user}: in groups {', '.join(KIOSK_GROUPS)}" if not missing else
                     f"user {user}: not in {', '.join(missing)} (touchscreen, GPU or printer): "
                     "run the installer again"))
    touch = touchscreens(udev_data)
    findings.append((touch > 0, f"touchscreen: {touch} found" if touch else
                     "touchscreen: none found: check its USB cable, then `sudo systemctl restart loket-kiosk` "
                     "(the kiosk runs without one)"))
    lock = SyncLock(home)
    if lock.try_acquire():
        lock.release()
        findings.append((False, "sync: no process syncs this terminal: `sudo systemctl restart loket-sync`"))
    else:
        findings.append((True, f"sync: running (pid {lock.holder_pid() or '?'})"))
    return findings


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)
