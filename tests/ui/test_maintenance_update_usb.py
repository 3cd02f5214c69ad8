"""Maintenance's "Perbarui dari USB": the bundles on a stick are listed; a good one is checked and handed
to the updater's spool, a damaged one is refused on screen in one line and never reaches the spool."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest

from tests.ui.test_maintenance_ui import audit, open_dashboard, settle, technician  # noqa: F401

pytestmark = pytest.mark.slow  # builds the session's release bundles on first use


def test_a_release_on_a_stick_is_checked_and_handed_to_the_updater(technician, releases, tmp_path: Path):  # noqa: F811
    kiosk, terminal, clock = technician
    stick = tmp_path / "media" / "teknisi" / "LOKET-USB"
    stick.mkdir(parents=True)
    good = stick / releases.bundle("v2").name
    shutil.copyfile(releases.bundle("v2"), good)
    damaged = stick / "loket-3.0.0.loket-release"
    shutil.copyfile(good, damaged)
    with tarfile.open(good) as tar:
        wheel = tar.getmembers()[-1]
    with open(damaged, "r+b") as f:
        f.seek(wheel.offset_data + wheel.size // 2)
        f.write(b"\x00\x01")
    board = open_dashboard(kiosk, clock)
    board.usb_roots = (tmp_path / "media",)
    board.release_keys = releases.trusted_keys_file(tmp_path / "etc")
    actions = board.ids.panels.get_screen("actions")

    kiosk.tap(actions.ids.update_button)
    panel = board.ids.panels.get_screen("update")
    assert {b.value for b in panel.ids.bundles.children} == {good, damaged}
    kiosk.screenshot("maintenance-update-usb")
    kiosk.tap(next(b for b in panel.ids.bundles.children if b.value == damaged))
    settle(kiosk, board)
    assert not board.result_ok and "match its SHA-256 in the manifest" in board.result, board.result
    spool = terminal.paths.home / "updates"
    assert not list(spool.glob("*")) if spool.exists() else True

    kiosk.tap(actions.ids.update_button)
    kiosk.tap(next(b for b in panel.ids.bundles.children if b.value == good))
    settle(kiosk, board)
    assert board.result_ok and "release 2.0.0 checked" in board.result, board.result
    assert [p.name for p in spool.iterdir()] == [good.name]
    assert (spool / good.name).read_bytes() == good.read_bytes()
    kiosk.screenshot("maintenance-update-usb-handed")
    logged = [d for a, d in audit(terminal) if a == "maintenance.update_from_usb"]
    assert logged[0].startswith("failed:") and "release 2.0.0 checked" in logged[1]
