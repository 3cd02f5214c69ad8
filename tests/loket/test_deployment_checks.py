"""`loket doctor` on an installed kiosk: each deployment check is ok on a good layout and, when broken,
says what to type — laid out in a temp dir as `loket.install` lays out the real one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from loket.deployment_checks import deployment_findings
from loket.install import SERVICES, Changes, Target, install_units, link_if_different
from loket.release import Layout, switch_current
from loket.synclock import SyncLock


@pytest.fixture
def kiosk(tmp_path: Path) -> dict[str, Path]:
    target = Target(prefix=tmp_path / "opt", data=tmp_path / "data", config=tmp_path / "etc", root=tmp_path)
    install_units(target, Changes())
    for service in SERVICES:
        link_if_different(target.wants / service, f"../{service}", Changes())
    link_if_different(target.units / "getty@tty1.service", "/dev/null", Changes())
    for version in ("0.1.0", "0.2.0"):
        release = Layout(target.prefix).release(version)
        release.mkdir(parents=True)
        (release / "release.json").write_text(json.dumps({"version": version}))
    switch_current(Layout(target.prefix), "0.2.0")
    target.data.mkdir(mode=0o700)
    udev = tmp_path / "udev"
    udev.mkdir()
    (udev / "c13:64").write_text("E:ID_INPUT=1\nE:ID_INPUT_KEY=1\n")  # a keyboard
    (udev / "c13:65").write_text("E:ID_INPUT=1\nE:ID_INPUT_TOUCHSCREEN=1\n")
    return {"home": target.data, "units": target.units, "prefix": target.prefix,
            "running": target.prefix / "releases" / "0.2.0", "udev": udev}


def findings(kiosk: dict[str, Path]) -> dict[str, tuple[bool, str]]:
    found = deployment_findings(kiosk["home"], units=kiosk["units"], prefix=kiosk["prefix"],
                                running_prefix=str(kiosk["running"]), udev_data=kiosk["udev"])
    return {text.split(":")[0].split()[0]: (ok, text) for ok, text in found}


def test_a_good_install_passes_each_check(kiosk) -> None:
    holder = SyncLock(kiosk["home"])
    assert holder.try_acquire()  # as loket-sync.service does
    try:
        found = findings(kiosk)
    finally:
        holder.release()
    assert found["touchscreen"] == (True, "touchscreen: 1 found")
    for name in ("loket-kiosk.service", "loket-sync.service", "tty1", "release", "sync"):
        assert found[name][0], found[name]
    assert found[str(kiosk["home"])][0]


def test_each_broken_part_says_what_to_type(kiosk) -> None:
    (kiosk["units"] / "multi-user.target.wants" / "loket-sync.service").unlink()
    (kiosk["units"] / "getty@tty1.service").unlink()
    os.chmod(kiosk["home"], 0o755)
    switch_current(Layout(kiosk["prefix"]), "0.1.0")
    (kiosk["udev"] / "c13:65").unlink()  # the touchscreen's cable came out
    found = findings(kiosk)
    assert found["loket-sync.service"] == (False, "loket-sync.service: not enabled: run `sudo systemctl enable "
                                                  "--now loket-sync.service` (or the installer again)")
    assert "sudo systemctl mask getty@tty1" in found["tty1"][1] and not found["tty1"][0]
    assert found["release"] == (False, "release 0.2.0 runs but current is 0.1.0: restart the kiosk")
    assert f"sudo chmod 700 {kiosk['home']}" in found[str(kiosk["home"])][1]
    assert found["touchscreen"][0] is False and "check its USB cable" in found["touchscreen"][1]
    assert found["sync"] == (False, "sync: no process syncs this terminal: `sudo systemctl restart loket-sync`")


def test_a_machine_without_the_kiosk_units_has_nothing_to_check(tmp_path: Path) -> None:
    assert deployment_findings(tmp_path, units=tmp_path / "none") == []


def test_a_terminal_other_than_the_installed_kiosks_has_nothing_to_check(kiosk, tmp_path: Path) -> None:
    elsewhere = tmp_path / "developer-home"
    elsewhere.mkdir()
    assert deployment_findings(elsewhere, units=kiosk["units"], prefix=kiosk["prefix"]) == []
