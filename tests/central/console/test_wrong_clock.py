"""A kiosk whose CMOS battery went flat boots three years in the past (libfaketime on the real `loket`
commands): it still files an application, its receipt and reference carry today's date (never before
its floor), it still syncs to the real central on loopback (its first request is refused as stale,
the answer's `Date` corrects it), central shows the application with sane dates, and both the kiosk
(`loket status`, `loket doctor`) and central's Terminals page say the clock is wrong by 3 years."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk.samples import sample_answers
from kiosk.terminal import Terminal
from sync.enrollment import enroll_terminal
from sync.worker import SyncWorker

FAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
ROOT = Path(__file__).resolve().parents[3]
BACK_DAYS = 3 * 365

pytestmark = pytest.mark.skipif(not FAKETIME.exists(), reason="needs libfaketime (scripts/setup installs it)")


def flat_battery(home: Path, *args: str) -> subprocess.CompletedProcess:
    """`loket ARGS` on a machine whose clock is three years behind."""
    env = {**os.environ, "LD_PRELOAD": str(FAKETIME), "FAKETIME": f"-{BACK_DAYS}d", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "loket.cli", "--home", str(home), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def kiosk(central, office, tmp_path: Path) -> Iterator[Terminal]:  # noqa: ANN001
    terminal = Terminal(tmp_path / "kiosk")
    enroll_terminal(terminal, central.url, central.enrollment_code(office.code))
    terminal.update_settings(printer_backend="pdf", printer_pdf_dir=str(tmp_path / "receipts"))
    assert SyncWorker(terminal.paths.home).run_once().reachable  # while the battery was good
    yield terminal
    terminal.close()


def test_a_kiosk_three_years_behind_files_syncs_and_says_its_clock_is_wrong(central, client, office,
                                                                             kiosk: Terminal) -> None:
    home, today = kiosk.paths.home, dt.datetime.now(dt.UTC)
    assert json.loads(subprocess.run(
        [sys.executable, "-c", "import datetime, json; print(json.dumps(datetime.datetime.now().year))"],
        env={**os.environ, "LD_PRELOAD": str(FAKETIME), "FAKETIME": f"-{BACK_DAYS}d"}, capture_output=True,
        text=True).stdout) == today.year - 3

    service = kiosk.catalog.services[0]
    fields = [f"{name}={value}" for name, value in sample_answers(service).items()]
    filed = flat_battery(home, "submit", "--service", service.code, *(a for f in fields for a in ("--field", f)))
    assert filed.returncode == 0, filed.stderr
    reference = filed.stdout.split()[-1]
    kiosk.refresh()
    app = kiosk.store.get(reference)
    assert abs((app.created_at - today).total_seconds()) < 3600, "filed at its floor, not three years ago"

    synced = flat_battery(home, "sync", "--once", "--json")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert json.loads(synced.stdout)["ok"]

    status = json.loads(flat_battery(home, "status", "--json").stdout)
    assert abs(status["clock_wrong_by_s"] - BACK_DAYS * 86400) < 86400
    assert "clock wrong by 3 years" in flat_battery(home, "status").stdout
    doctor = flat_battery(home, "doctor")
    assert "[!!] clock: clock wrong by 3 years" in doctor.stdout and doctor.returncode == 1

    second = flat_battery(home, "submit", "--service", service.code, *(a for f in fields for a in ("--field", f)))
    kiosk.refresh()
    later = kiosk.store.get(second.stdout.split()[-1])
    assert abs((later.created_at - dt.datetime.now(dt.UTC)).total_seconds()) < 60, "now central's time corrects it"
    receipt = home / "receipt.pdf"
    assert flat_battery(home, "reprint", reference, "--to", str(receipt)).returncode == 0
    text = "".join(page.extract_text() for page in PdfReader(receipt).pages)
    assert str(today.year) in text and str(today.year - 3) not in text

    listed = subprocess.run([sys.executable, "-m", "central", "--db", central.db_url, "applications", "list",
                             "--json"], capture_output=True, text=True, timeout=60, check=True)
    at_central = next(a for a in json.loads(listed.stdout) if a["reference"] == reference)
    assert abs((dt.datetime.fromisoformat(at_central["filed_at"]) - today).total_seconds()) < 3600

    staff = client()
    staff.log_in(office.supervisor)
    page = staff.get("/staff/terminals").text
    row = next(r for r in re.findall(r"<tr class=\"[^\"]*\">.*?</tr>", page, re.S)
               if kiosk.identity.terminal_code in r)
    assert "jam salah 3 tahun" in row and "(terlambat)" in row
