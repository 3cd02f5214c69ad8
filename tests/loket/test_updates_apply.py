"""Applying real bundles to a kiosk the installer set up: v2 from a file comes up and is kept; a release
that crashes at start is rolled back without help; bad bundles change nothing. Every application
filed before and after is in the queue once."""

from __future__ import annotations

import json

import pytest

from tests.fixtures.appliance import SKD

pytestmark = pytest.mark.slow


def references(kiosk) -> list[str]:
    return sorted(r["reference"] for r in json.loads(kiosk.loket("queue", "list", "--json").stdout))


def test_v2_from_a_file_is_installed_beside_v1_switched_and_kept(kiosk, releases):
    before = references(kiosk)
    done = kiosk.update(str(releases.bundle("v2")))
    assert done.returncode == 0, done.stdout + done.stderr
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
    kiosk.ready_timeout_s = 25
    done = kiosk.update(str(releases.bundle("crash")))
    assert done.returncode == 1, done.stdout + done.stderr
    state = kiosk.state()
    assert (state.state, state.version, state.previous) == ("rolled_back", "1.5.0", "1.0.0")
    assert "did not reach Welcome within 25 s" in state.reason
    assert "breaks at start" in state.reason  # the kiosk's last words, for central and the technician
    assert kiosk.paths.layout.current_version() == "1.0.0"
    kiosk.wait_up("1.0.0")  # v1's Welcome is back on screen
    assert references(kiosk) == before
