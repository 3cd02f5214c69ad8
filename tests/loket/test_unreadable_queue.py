"""An unreadable queue is not a corrupt one: it is left byte for byte, and the terminal says why.

These run `loket` as `nobody` (root reads every file whatever its mode, so a test as root could not
see the fault). A read-only data directory is one clear line too, never a traceback.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.applications import file_application
from kiosk.crypto import new_office_keypair
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal
from tests.loket.unprivileged import give_to_nobody, loket_as_nobody, python_for_nobody

pytestmark = pytest.mark.skipif(python_for_nobody() is None,
                                reason="needs root, setpriv and a Python the user nobody can run")


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A temporary folder `nobody` can reach (pytest's own tmp_path sits under a 0700 folder)."""
    folder = Path(tempfile.mkdtemp(prefix="loket-nobody-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def provisioned_home(folder: Path, applications: int) -> tuple[Path, list[str]]:
    """A terminal home with `applications` queued; returns it with their references (what receipts show)."""
    home = folder / "home"
    terminal = Terminal(home)
    terminal.provision_offline(terminal_code="K7Q2", office_code="3273010001", office_name="Kelurahan Braga",
                               office_key=new_office_keypair().public_key)
    service = terminal.catalog.service("SKU")
    refs = [file_application(terminal.store, terminal.catalog, "SKU", sample_answers(service)).reference
            for _ in range(applications)]
    terminal.close()
    return home, refs


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_queue_the_terminal_cannot_read_is_one_clear_line_and_left_untouched(shared_dir: Path) -> None:
    home, refs = provisioned_home(shared_dir, 3)
    give_to_nobody(home)
    queue = home / "queue.db"
    os.chown(queue, 0, 0)
    queue.chmod(0o600)  # the fault: the kiosk's user lost the right to read its queue
    before = digest(queue)

    for command in (["status"], ["queue", "list"], ["doctor"]):
        done = loket_as_nobody(home, *command)
        assert done.returncode in (1, 2) if command == ["doctor"] else done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        assert "permission denied" in (done.stderr + done.stdout) and "left untouched" in (done.stderr + done.stdout)
    status = loket_as_nobody(home, "status")
    assert len(status.stderr.strip().splitlines()) == 1, status.stderr
    refused = loket_as_nobody(home, "provision", "--terminal-code", "ZZ99", "--office-code", "1",
                              "--office-name", "Other", "--office-key", new_office_keypair().public_key)
    assert refused.returncode == 2 and "permission denied" in refused.stderr

    assert digest(queue) == before, "the queue file must stay byte for byte"
    assert not list(home.glob("queue.db.corrupt-*")), "an unreadable file is not corrupt: nothing moved aside"

    give_to_nobody(queue)  # the technician fixes the owner: every application is there, same office
    listed = loket_as_nobody(home, "queue", "list")
    assert listed.returncode == 0, listed.stderr
    assert all(ref in listed.stdout for ref in refs)
    assert "K7Q2" in loket_as_nobody(home, "status").stdout


def test_a_read_only_data_directory_is_one_clear_line_not_a_traceback(shared_dir: Path) -> None:
    home, refs = provisioned_home(shared_dir, 2)
    for path in [home, *home.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # root's, and nobody may only read: a read-only directory
    before = digest(home / "queue.db")
    for command in (["status"], ["maintenance", "set", "language=en"], ["doctor"]):
        done = loket_as_nobody(home, *command)
        assert done.returncode in (1, 2), (command, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout, done.stderr
        if done.returncode == 2:
            assert len(done.stderr.strip().splitlines()) == 1, done.stderr
            assert "Permission denied" in done.stderr or "permission denied" in done.stderr
    missing = loket_as_nobody(shared_dir / "home" / "new-home", "status")
    assert missing.returncode == 2 and "data directory" in missing.stderr and "Traceback" not in missing.stderr
    assert digest(home / "queue.db") == before and not list(home.glob("queue.db.corrupt-*"))
    terminal = Terminal(home)  # as root again: the queue is whole
    try:
        assert [a.reference for a in terminal.store.applications()] == sorted(refs, reverse=True)
    finally:
        terminal.close()
