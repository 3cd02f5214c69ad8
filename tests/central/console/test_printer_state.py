"""A kiosk's printer state travels in its heartbeat to central and shows on the Terminals page; older
heartbeats (without it) and older terminals (not asking for it) keep working."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.clock import utcnow
from kiosk.terminal import Terminal
from printing.receipts import record_printer_state
from sync.backoff import Backoff
from sync.client import CentralClient, Timeouts
from sync.enrollment import enroll_terminal
from sync.errors import RequestRefused
from sync.protocol import PATH_HEARTBEAT, HeartbeatResponse
from sync.report import SyncReport
from sync.round import SyncRound
from sync.worker import SyncWorker


def _row(page: str, code: str) -> str:
    return next(r for r in re.findall(r"<tr class=\"[^\"]*\">.*?</tr>", page, re.S) if code in r)


@pytest.fixture
def kiosk(central, office, tmp_path: Path) -> Iterator[Terminal]:  # noqa: ANN001
    terminal = Terminal(tmp_path / "kiosk")
    enroll_terminal(terminal, central.url, central.enrollment_code(office.code))
    yield terminal
    terminal.close()


def _sync(terminal: Terminal) -> SyncReport:
    worker = SyncWorker(terminal.paths.home, backoff=Backoff(base_s=0.05, cap_s=0.5),
                        timeouts=Timeouts(connect_s=5.0, read_s=10.0))
    report = worker.run_once(pulls=False)
    assert report.reachable, report.errors
    return report


def test_a_kiosks_printer_fault_reaches_the_terminals_page_in_red(client, office, kiosk: Terminal) -> None:
    code = kiosk.identity.terminal_code
    record_printer_state(kiosk, "paper out")  # what printing keeps after a failed receipt
    _sync(kiosk)  # the first heartbeat learns central takes the state and sends it at once
    assert kiosk.store.values.central_takes_printer
    staff = client()
    staff.log_in(office.supervisor)
    page = staff.get("/staff/terminals").text
    assert "<th>Printer</th>" in page
    assert '<strong class="late-text">paper out</strong>' in _row(page, code)

    record_printer_state(kiosk, "ok")  # the next receipt printed
    _sync(kiosk)
    row = _row(staff.get("/staff/terminals").text, code)
    assert "baik" in row and "paper out" not in row and "late-text" not in row
    staff.get("/staff/lang/en")
    english = staff.get("/staff/terminals").text
    assert "<th>Printer</th>" in english and ">ok<" in _row(english, code)


def test_a_heartbeat_never_fails_for_the_printer_state(client, office, kiosk: Terminal) -> None:
    kiosk.store.values.printer_state = "x" * 500  # longer than the protocol allows: cut, not refused
    _sync(kiosk)
    _sync(kiosk)
    staff = client()
    staff.log_in(office.supervisor)
    assert "x" * 200 in _row(staff.get("/staff/terminals").text, kiosk.identity.terminal_code)


def test_an_old_style_heartbeat_without_the_field_still_works(client, office, enrolled) -> None:
    sim = enrolled(office.code)
    body = json.dumps({"queue": {"queued": 2}, "app_version": "0.8.0"}).encode()  # an older terminal's beat
    answer = sim.signed("POST", PATH_HEARTBEAT, body, {"Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    assert "printer" not in answer.json()  # an older terminal refuses keys it does not know
    HeartbeatResponse.model_validate_json(answer.content)
    asked = sim.signed("POST", f"{PATH_HEARTBEAT}?with=printer", gzip.compress(body),
                       {"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert asked.json()["printer"] is True
    staff = client()
    staff.log_in(office.supervisor)
    row = _row(staff.get("/staff/terminals").text, sim.identity.terminal_code)
    assert "0.8.0" in row and "tidak diketahui" in row


class _OldCentral:
    """A central from before the printer state: it refuses the unknown field and never says it takes it."""

    def __init__(self, real: CentralClient) -> None:
        self.real, self.beats = real, []

    def heartbeat(self, beat, *, clock_offset_s=None):  # noqa: ANN001, ANN201
        self.beats.append(beat)
        if beat.printer is not None:
            raise RequestRefused("HTTP 422: extra fields not permitted", status=422, code="invalid")
        return self.real.heartbeat(beat, clock_offset_s=clock_offset_s).model_copy(update={"printer": None})


def test_a_terminal_sends_no_printer_state_to_an_older_central(kiosk: Terminal) -> None:
    record_printer_state(kiosk, "offline: no answer")
    kiosk.store.values.central_takes_printer = True  # as if central was downgraded since the last round
    identity = kiosk.identity
    real = CentralClient(kiosk.settings.server_url, terminal_id=identity.terminal_id,
                         signing_key=identity.signing_key, timeouts=Timeouts(connect_s=5.0, read_s=10.0))
    old = _OldCentral(real)
    try:
        for _ in range(2):
            report = SyncReport(started_at=utcnow())
            SyncRound(kiosk, old, backoff=Backoff(base_s=0.05, cap_s=0.5)).heartbeat(report)  # type: ignore[arg-type]
            assert report.reachable and not report.errors
    finally:
        real.close()
    assert [b.printer for b in old.beats] == ["offline: no answer", None, None]
    assert not kiosk.store.values.central_takes_printer
