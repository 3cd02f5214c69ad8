"""Each kiosk's release and update state, as its heartbeat reports it, on the Terminals page: a failed
update in red with the reason the kiosk gave."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.terminal import Terminal
from sync.client import CentralClient
from sync.enrollment import enroll_terminal
from sync.protocol import Heartbeat, UpdateReport


def _row(page: str, code: str) -> str:
    return next(r for r in re.findall(r"<tr class=\"[^\"]*\">.*?</tr>", page, re.S) if code in r)


def _beat(terminal: Terminal, beat: Heartbeat) -> None:
    identity = terminal.identity
    with CentralClient(terminal.settings.server_url, terminal_id=identity.terminal_id,
                       signing_key=identity.signing_key) as client:
        client.heartbeat(beat, with_update=True)


def test_a_rolled_back_update_shows_in_red_with_its_reason_then_the_good_one(client, central, office, tmp_path: Path):
    terminal = Terminal(tmp_path / "kiosk")
    enroll_terminal(terminal, central.url, central.enrollment_code(office.code))
    code = terminal.identity.terminal_code
    _beat(terminal, Heartbeat(app_version="1.0.0", update=UpdateReport(
        state="rolled_back", version="1.5.0", reason="release 1.5.0 did not reach Welcome within 180 s")))
    staff = client()
    staff.log_in(office.supervisor)
    row = _row(staff.get("/staff/terminals").text, code)
    assert "1.0.0" in row
    assert re.search(r'class="update late-text">[^<]*1\.5\.0: (dikembalikan|rolled back) — release 1.5.0 did not', row)

    _beat(terminal, Heartbeat(app_version="2.0.0", update=UpdateReport(state="good", version="2.0.0")))
    row = _row(staff.get("/staff/terminals").text, code)
    assert re.search(r'class="update muted">[^<]*2\.0\.0: (berjalan|running)', row) and "late-text" not in row
    terminal.close()
