"""`loket provision --timezone`: staff may name the office's zone; a bad one is a clear error, and without
one the office code decides."""

from __future__ import annotations

from pathlib import Path

from kiosk.crypto import OfficeKeypair
from kiosk.terminal import Terminal
from tests.loket.test_cli import loket


def provision(home: Path, office: OfficeKeypair, code: str, *extra: str):
    return loket(home, "provision", "--terminal-code", "K7Q2", "--office-code", code,
                 "--office-name", "Kelurahan Uji", "--office-key", office.public_key, *extra)


def test_provision_takes_the_office_zone_explicitly_or_from_the_office_code(tmp_path: Path,
                                                                           office: OfficeKeypair) -> None:
    done = provision(tmp_path / "a", office, "3273010001", "--timezone", "WITA")
    assert done.returncode == 0, done.stderr
    assert "time zone Asia/Makassar" in done.stdout
    assert Terminal(tmp_path / "a").zone.key == "Asia/Makassar"

    done = provision(tmp_path / "b", office, "7371011001")
    assert done.returncode == 0 and "time zone Asia/Makassar" in done.stdout  # Sulawesi Selatan

    done = provision(tmp_path / "c", office, "3273010001", "--timezone", "Europe/Berlin")
    assert done.returncode == 2 and "timezone" in done.stderr and "Asia/Jakarta" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "c" / "queue.db").exists() or Terminal(tmp_path / "c").identity is None
