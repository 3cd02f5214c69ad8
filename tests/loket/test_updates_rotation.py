"""Release-key rotation with real bundles on a kiosk the installer set up (v1, the old key pinned): a
release signed by the old key names the next key; once it is kept, releases signed by the next key are
accepted, and once the first of those is kept, the old key is trusted no more."""

from __future__ import annotations

import pytest

from kiosk.release.manifest import read_trusted_keys

pytestmark = pytest.mark.slow


def test_a_release_naming_the_next_key_hands_trust_over_to_it(kiosk, releases):
    old, new = releases.key.public_key, releases.next_key.public_key
    v3_by_new_key = releases.bundle("v3", key_file=releases.next_key_file)

    done = kiosk.update(str(v3_by_new_key))  # before the rotation the next key is nobody's
    assert done.returncode == 2 and "not signed by a release key this terminal trusts" in done.stderr
    assert read_trusted_keys(kiosk.paths.trusted_keys) == [old]

    done = kiosk.update(str(releases.bundle("v2", "--next-key", new)))  # signed by the old key, naming the new
    assert done.returncode == 0, done.stdout + done.stderr
    assert (kiosk.state().state, kiosk.paths.layout.current_version()) == ("good", "2.0.0")
    assert read_trusted_keys(kiosk.paths.trusted_keys) == [old, new]  # both, until the new key has signed one

    done = kiosk.update(str(v3_by_new_key))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (kiosk.state().state, kiosk.paths.layout.current_version()) == ("good", "3.0.0")
    assert read_trusted_keys(kiosk.paths.trusted_keys) == [new]
    assert "release:         3.0.0" in kiosk.loket("status").stdout

    done = kiosk.update(str(releases.bundle("v4")))  # 4.0.0, newer, but signed by the retired key
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "not signed by a release key this terminal trusts" in done.stderr
    assert kiosk.paths.layout.current_version() == "3.0.0" and kiosk.state().state == "refused"
    kiosk.wait_up("3.0.0")
