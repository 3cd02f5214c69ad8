"""The terminal's data is readable by its own user only: the data directory is 0700 and every file in
it 0600 — the queue (which holds the signing key), the settings (PIN hash) and the installed catalog."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from kiosk.catalog import DEFAULT_CATALOG, apply_catalog_file, load_catalog
from kiosk.crypto import new_office_keypair
from kiosk.maintenance import hash_pin
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal

REPO = Path(__file__).resolve().parents[2]
LOKET = str(Path(sys.executable).with_name("loket"))  # the console script, wherever `loket` lives


def _modes(home: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(home.stat().st_mode)}
    for path in home.rglob("*"):
        found[str(path.relative_to(home))] = stat.S_IMODE(path.stat().st_mode)
    return found


def _loket(home: Path, *args: str) -> subprocess.CompletedProcess:
    # a permissive umask, as a technician's shell may have: the program must not rely on it
    return subprocess.run([LOKET, "--home", str(home), *args], cwd=REPO, text=True,
                          capture_output=True, timeout=120, env={**os.environ, "KIVY_NO_ARGS": "1"},
                          preexec_fn=lambda: os.umask(0o002))


def test_everything_the_loket_command_creates_is_private(tmp_path):
    home = tmp_path / "home"
    office = new_office_keypair()
    done = _loket(home, "provision", "--terminal-code", "K7Q2", "--office-code", "3273010001", "--office-name",
                  "Kelurahan Braga", "--office-key", office.public_key)
    assert done.returncode == 0, done.stderr
    answers = sample_answers(load_catalog(DEFAULT_CATALOG).service("SKCK"))
    fields = [arg for name, value in answers.items() for arg in ("--field", f"{name}={value}")]
    done = _loket(home, "submit", "--service", "SKCK", *fields)
    assert done.returncode == 0, done.stderr
    assert _loket(home, "catalog", "apply", str(DEFAULT_CATALOG)).returncode == 0
    modes = _modes(home)
    assert "queue.db" in modes and "catalog.json" in modes
    for name, mode in modes.items():
        is_dir = (home / name).is_dir()
        assert mode == (0o700 if is_dir else 0o600), f"{name} is {oct(mode)}"


def test_a_terminal_opened_in_process_keeps_its_files_private_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        terminal = Terminal(tmp_path / "home")
        terminal.provision_offline(terminal_code="K7Q2", office_code="3273010001", office_name="Kelurahan Braga",
                                   office_key=new_office_keypair().public_key)
        terminal.update_settings(maintenance_pin_hash=hash_pin("482916"))
        apply_catalog_file(DEFAULT_CATALOG, terminal.paths.catalog_file)
        paths = terminal.paths
        for path in (paths.database, paths.settings_file, paths.catalog_file):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
        assert stat.S_IMODE(paths.home.stat().st_mode) == 0o700
        terminal.close()
    finally:
        os.umask(old)


def test_files_an_older_version_left_world_readable_are_made_private_on_start(tmp_path):
    terminal = Terminal(tmp_path / "home")
    terminal.update_settings(maintenance_pin_hash=hash_pin("482916"))
    terminal.store  # noqa: B018  (creates the queue)
    terminal.close()
    for path in (terminal.paths.home, terminal.paths.settings_file, terminal.paths.database):
        path.chmod(0o755 if path.is_dir() else 0o644)
    again = Terminal(tmp_path / "home")
    again.store  # noqa: B018
    assert stat.S_IMODE(again.paths.settings_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(again.paths.database.stat().st_mode) == 0o600
    assert stat.S_IMODE(again.paths.home.stat().st_mode) == 0o700
    again.close()
