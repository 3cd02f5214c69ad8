"""Applying real bundles to a kiosk the installer set up: v2 from a file comes up and is kept; a release
that crashes at start is rolled back without help; bad bundles change nothing. Every application
filed before and after is in the queue once."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageGrab

from tests.fixtures.appliance import SKD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "updates"

pytestmark = pytest.mark.slow


def references(kiosk) -> list[str]:
    return sorted(r["reference"] for r in json.loads(kiosk.loket("queue", "list", "--json").stdout))


def welcome_screenshot(kiosk, name: str) -> Image.Image:  # type: ignore[no-untyped-def]
    """The kiosk's X display as it is (Welcome, once the release marked itself up), kept in out/updates/."""
    time.sleep(1.5)  # the frames after the first one that showed Welcome (fonts, the clock) settle
    shot = ImageGrab.grab(xdisplay=kiosk.display)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot.save(SCREENSHOTS / name)
    return shot.convert("RGB")


def test_v2_from_a_file_is_installed_beside_v1_switched_and_kept(kiosk, releases):
    before = references(kiosk)
    v1_screen = welcome_screenshot(kiosk, "welcome-v1-before-update.png")
    done = kiosk.update(str(releases.bundle("v2")))
    assert done.returncode == 0, done.stdout + done.stderr
    v2_screen = welcome_screenshot(kiosk, "welcome-v2-after-update.png")
    below_clock = (0, 120, *v1_screen.size)  # the top bar and the clock may tick between the two shots
    changed = ImageChops.difference(v1_screen.crop(below_clock), v2_screen.crop(below_clock)).getbbox()
    # v2's Welcome differs only where its big "file an application" button says "(v2)" (at 1024x600,
    # the band from y 368 to 456)
    assert changed is not None and changed[1] + 120 >= 368 and changed[3] + 120 <= 456, changed
    state = kiosk.state()
    assert (state.state, state.version, state.previous) == ("good", "2.0.0", "1.0.0")
    assert kiosk.paths.layout.current_version() == "2.0.0"
    assert sorted(kiosk.paths.layout.installed()) == ["1.0.0", "2.0.0"]  # the one to go back to is kept
    assert "release:         2.0.0" in kiosk.loket("status").stdout
    kiosk.loket("submit", *SKD)
    after = references(kiosk)
    assert after[: len(before)] == before and len(after) == len(before) + 1


def test_a_release_that_crashes_at_start_is_rolled_back_by_itself(kiosk, releases):
    before = references(kiosk)
    kiosk.ready_timeout_s = 10  # it never comes up: the whole limit is waited
    done = kiosk.update(str(releases.bundle("crash")))
    assert done.returncode == 1, done.stdout + done.stderr
    state = kiosk.state()
    assert (state.state, state.version, state.previous) == ("rolled_back", "1.5.0", "1.0.0")
    assert "did not reach Welcome within 10 s" in state.reason
    assert "breaks at start" in state.reason  # the kiosk's last words, for central and the technician
    assert kiosk.paths.layout.current_version() == "1.0.0"
    kiosk.wait_up("1.0.0")  # v1's Welcome is back on screen
    assert references(kiosk) == before
