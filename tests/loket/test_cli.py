"""The `loket` command as a technician uses it: real subprocesses, a real home directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.catalog import DEFAULT_CATALOG
from kiosk.crypto import OfficeKeypair

SKD = ["--service", "SKD", "--field", "nik=3273011708900003", "--field", "full_name=Budi Santoso",
       "--field", "address=Jl. Braga 12", "--field", "rt_rw=003/005", "--field", "living_since=01-02-2010",
       "--field", "purpose=kerja", "--field", "consent=ya"]


def loket(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "loket.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "LOKET_HOME": str(home)}, timeout=60)


@pytest.fixture
def home(tmp_path: Path, office: OfficeKeypair) -> Path:
    home = tmp_path / "home"
    done = loket(home, "provision", "--terminal-code", "K7Q2", "--office-code", "3273010001",
                 "--office-name", "Kelurahan Braga", "--office-key", office.public_key)
    assert done.returncode == 0, done.stderr
    return home


def test_status_json_carries_the_promised_keys(home: Path) -> None:
    status = json.loads(loket(home, "status", "--json").stdout)
    assert {"terminal", "queue", "oldest_unsynced_age_s", "catalog_version", "db_bytes"} <= set(status)
    assert status["terminal"] == "K7Q2" and status["queue"]["queued"] == 0


def test_submit_prints_the_reference_and_the_queue_lists_it(home: Path) -> None:
    done = loket(home, "submit", *SKD)
    assert done.returncode == 0, done.stderr
    reference = done.stdout.strip()
    assert reference.startswith("K7Q2-")
    listed = json.loads(loket(home, "queue", "list", "--json").stdout)
    assert [(r["reference"], r["state"]) for r in listed] == [(reference, "queued")]
    assert json.loads(loket(home, "queue", "list", "--state", "synced", "--json").stdout) == []
    status = json.loads(loket(home, "status", "--json").stdout)
    assert status["queue"]["queued"] == 1 and status["oldest_unsynced_age_s"] >= 0


def test_submit_with_a_bad_nik_is_one_line_and_exit_2(home: Path) -> None:
    args = [a if not a.startswith("nik=") else "nik=123" for a in SKD]
    done = loket(home, "submit", *args)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "nik: The NIK must be 16 digits" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unprovisioned_terminal_takes_no_applications_and_says_why(tmp_path: Path) -> None:
    done = loket(tmp_path / "blank", "submit", *SKD)
    assert done.returncode == 2 and "not provisioned" in done.stderr


@pytest.mark.parametrize("args", [
    ["provision", "--terminal-code", "K7Q2", "--office-code", "X", "--office-name", "Y", "--office-key", "abc"],
    ["provision", "--terminal-code", "K7"],
    ["catalog", "validate", "/nonexistent.json"],
    ["submit", "--service", "NOPE"],
    ["queue", "list", "--state", "lost"],
    ["frobnicate"],
])
def test_bad_input_gives_one_line_and_exit_2(tmp_path: Path, args: list[str]) -> None:
    done = loket(tmp_path / "h", *args)
    assert done.returncode == 2, done
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_catalog_apply_validates_first_and_a_bad_file_changes_nothing(home: Path, tmp_path: Path) -> None:
    document = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    document["version"] = "2027.01.1"
    good = tmp_path / "usb" / "catalog.json"
    good.parent.mkdir()
    good.write_text(json.dumps(document), encoding="utf-8")
    assert loket(home, "catalog", "validate", str(good)).returncode == 0
    assert loket(home, "catalog", "apply", str(good)).returncode == 0
    document["services"][0]["fields"][0]["type"] = "shoe"
    bad = tmp_path / "usb" / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    done = loket(home, "catalog", "apply", str(bad))
    assert done.returncode == 2 and "service 'SKD', field 'nik'" in done.stderr
    shown = json.loads(loket(home, "catalog", "show", "--json").stdout)
    assert shown["version"] == "2027.01.1"
    assert json.loads(loket(home, "status", "--json").stdout)["catalog_version"] == "2027.01.1"


def test_doctor_reports_a_healthy_terminal(home: Path) -> None:
    done = loket(home, "doctor")
    assert done.returncode == 0, done.stdout
    assert "[ok] database integrity: ok" in done.stdout and "[!!]" not in done.stdout


def test_re_provisioning_is_refused_while_applications_are_unsynced(home: Path, office: OfficeKeypair) -> None:
    assert loket(home, "submit", *SKD).returncode == 0
    done = loket(home, "provision", "--terminal-code", "AB12", "--office-code", "X", "--office-name", "Y",
                 "--office-key", office.public_key)
    assert done.returncode == 2 and "not yet synced nor exported" in done.stderr
    assert loket(home, "maintenance", "export", str(home.parent / "usb")).returncode == 0
    again = loket(home, "provision", "--terminal-code", "AB12", "--office-code", "X", "--office-name", "Y",
                  "--office-key", office.public_key)
    assert again.returncode == 0, again.stderr


def test_queue_list_shows_times_on_the_offices_clock_with_its_zone(home: Path) -> None:
    assert loket(home, "submit", *SKD).returncode == 0
    (row,) = json.loads(loket(home, "queue", "list", "--json").stdout)
    assert row["created_at"].endswith("+07:00"), row  # Kelurahan Braga: WIB
    line = loket(home, "queue", "list").stdout.splitlines()[0]
    assert line.split()[-2] == "WIB" and line.split()[2].count("-") == 2, line
