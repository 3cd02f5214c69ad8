"""Faults while updating a kiosk the installer set up: bad bundles through `loket update` change nothing
(one line, exit 2), and a SIGKILL of the applier while it installs or while the new release is on
trial leaves a kiosk that boots into a working release (the boot check finishes the trial)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from kiosk.release.manifest import new_release_key
from tests.fixtures.releases import loket_cli

pytestmark = pytest.mark.slow


def tree(kiosk) -> list[str]:
    return sorted(str(p.relative_to(kiosk.paths.prefix)) for p in kiosk.paths.prefix.rglob("*")
                  if p.name not in ("update-state.json", "update.lock") and "__pycache__" not in str(p))


def test_bad_bundles_are_refused_in_one_line_and_change_nothing(kiosk, releases, tmp_path):
    v2 = releases.bundle("v2")
    truncated = tmp_path / "cut" / v2.name
    truncated.parent.mkdir()
    truncated.write_bytes(v2.read_bytes()[: v2.stat().st_size // 2])
    changed = tmp_path / "changed" / v2.name
    changed.parent.mkdir()
    shutil.copyfile(v2, changed)
    with tarfile.open(v2) as tar:  # a byte inside the last wheel
        last = tar.getmembers()[-1]
    with open(changed, "r+b") as f:
        f.seek(last.offset_data + last.size // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    other_key = tmp_path / "other.json"
    other_key.write_text(new_release_key().to_json())
    foreign = tmp_path / "foreign"
    loket_cli("release", "build", "--key", str(other_key), "--out", str(foreign), "--source",
              str(releases.source("v2")), "--find-links", str(releases.wheel_cache), "--no-index")
    before = tree(kiosk)
    cases = {truncated: "cut short", changed: "match its SHA-256 in the manifest",
             next(foreign.glob("*")): "not signed",
             releases.bundle("v1"): "not newer than the running 1.0.0"}
    for bundle, words in cases.items():
        done = kiosk.update(str(bundle))
        assert done.returncode == 2, (bundle, done.stdout, done.stderr)
        assert done.stderr.count("\n") == 1 and words in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        assert kiosk.paths.layout.current_version() == "1.0.0" and tree(kiosk) == before
        assert kiosk.state().state == "refused" and words in kiosk.state().reason


def test_a_release_bigger_than_the_free_disk_is_refused(releases, tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(small)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        keys = releases.trusted_keys_file(tmp_path / "etc")
        done = loket_cli("--home", str(tmp_path / "var"), "update", str(releases.bundle("v2")), "--prefix",
                         str(small / "opt"), "--config-dir", str(keys.parent), check=False)
        assert done.returncode == 2 and done.stderr.count("\n") == 1
        assert "MiB of disk, only" in done.stderr and "is free: make room first" in done.stderr
        assert not (small / "opt" / "releases").exists()
    finally:
        subprocess.run(["umount", str(small)], check=True)


def kill_when(kiosk, bundle, ready) -> None:  # type: ignore[no-untyped-def]
    """Starts `loket update BUNDLE` and SIGKILLs it (its whole group) once `ready(pid)` holds."""
    process = subprocess.Popen(kiosk.update_command(str(bundle)), env=kiosk.env(), cwd=str(kiosk.log.parent),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while not ready(process.pid):
        assert process.poll() is None, "the applier finished before the moment to kill it"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def read_position(pid: int, path: Path) -> int:
    """How far process `pid` has read the file `path` it holds open (0 when it does not hold it)."""
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            if os.readlink(fd) == str(path):
                info = Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text()
                return int(info.split("pos:", 1)[1].split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def test_killed_while_verifying_or_unpacking_the_running_release_is_untouched(kiosk, releases):
    v2 = releases.bundle("v2")
    before = tree(kiosk)
    # verifying: the wheels are being hashed (the bundle read past its manifest), the install not begun
    kill_when(kiosk, v2, lambda pid: read_position(pid, v2) > 1 << 20 and kiosk.state().state != "installing")
    assert kiosk.paths.layout.current_version() == "1.0.0" and tree(kiosk) == before
    # unpacking: some wheels written into incoming/, the new release not yet begun
    unpacked = kiosk.paths.incoming / "2.0.0" / "wheels"
    kill_when(kiosk, v2, lambda pid: any(unpacked.glob("*.whl")) and not kiosk.paths.layout.release("2.0.0").exists())
    assert kiosk.paths.layout.current_version() == "1.0.0" and kiosk.paths.incoming.exists()

    kiosk.restart()  # the power came back: the kiosk starts from `current`, v1
    kiosk.wait_up("1.0.0")
    assert kiosk.update("--boot-check").returncode == 0
    assert kiosk.state().state == "interrupted" and "running release was kept" in kiosk.state().reason
    assert tree(kiosk) == before  # the half-unpacked wheels are gone
    assert "release:         1.0.0" in kiosk.loket("status").stdout


def test_killed_at_the_switch_the_next_boot_finishes_the_trial(kiosk, releases):
    """Killed once `current` has moved but before the units were restarted (the restart command kills the
    applier); a kill before the rename is the trial test below when it lands there."""
    command = kiosk.update_command(str(releases.bundle("v2")))
    command[command.index("--restart-command") + 1] = "sh -c 'kill -KILL $PPID'"
    done = subprocess.run(command, env=kiosk.env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert (kiosk.state().state, kiosk.paths.layout.current_version()) == ("trial", "2.0.0")
    kiosk.restart()  # the power came back: systemd starts the kiosk from `current`, v2
    done = kiosk.update("--boot-check")
    assert done.returncode == 0, done.stderr
    assert (kiosk.state().state, kiosk.paths.layout.current_version()) == ("good", "2.0.0")
    kiosk.wait_up("2.0.0")


def test_killed_while_installing_the_running_release_is_untouched_and_a_retry_succeeds(kiosk, releases):
    v2 = releases.bundle("v2")
    kill_when(kiosk, v2, lambda pid: (kiosk.paths.prefix / "releases" / "2.0.0" / "bin" / "pip").exists())
    assert kiosk.paths.layout.current_version() == "1.0.0"
    assert "2.0.0" not in kiosk.paths.layout.installed()  # half a venv, never complete
    assert kiosk.update("--boot-check").returncode == 0  # what the next boot runs: nothing to finish
    assert kiosk.state().state == "interrupted" and "running release was kept" in kiosk.state().reason
    kiosk.wait_up("1.0.0")
    done = kiosk.update(str(v2))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (kiosk.state().state, kiosk.paths.layout.current_version()) == ("good", "2.0.0")


@pytest.mark.parametrize(("variant", "kept"), [("v2", "2.0.0"), ("crash", "1.0.0")])
def test_killed_during_the_trial_the_next_boot_keeps_or_rolls_back(kiosk, releases, variant, kept):
    kiosk.ready_timeout_s = 25 if kept == "2.0.0" else 10  # the crashing one waits the whole limit
    kill_when(kiosk, releases.bundle(variant), lambda pid: kiosk.state().state == "trial")
    kiosk.restart()  # the power came back: systemd starts the kiosk from `current`
    done = kiosk.update("--boot-check")  # and loket-update-check.service finishes the trial
    assert done.returncode in (0, 1), done.stderr
    assert kiosk.paths.layout.current_version() == kept
    assert kiosk.state().state == ("good" if kept == "2.0.0" else "rolled_back")
    kiosk.wait_up(kept)
