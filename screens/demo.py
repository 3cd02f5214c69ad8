"""`loket demo`: the whole product in one command — a central on loopback and a kiosk window.

The demo home is `./demo-home` unless `--home` (or `LOKET_HOME`) says otherwise: central's SQLite
database and log live there, the terminal in `terminal/` under it, receipts as PDFs in
`terminal/receipts/`. The first run enrolls the terminal with a one-time code; later runs reuse it.
Central stops when the window closes.
"""

from __future__ import annotations

import os
from pathlib import Path

from loket.demo import prepare_demo


def run_demo(home: Path | None, *, size: tuple[int, int] | None = None) -> int:
    from screens.launch import run_kiosk

    home = (home or (Path(os.environ["LOKET_HOME"]) if os.environ.get("LOKET_HOME") else Path("demo-home"))).resolve()
    terminal, central = prepare_demo(home)
    try:
        identity = terminal.identity
        print(f"loket demo: central at {central.url} (database {central.db_url}, log {central.log_path})")
        print(f"loket demo: terminal {identity.terminal_code} of {identity.office_name}, enrolled with central")
        print(f"loket demo: receipts are written as PDF files to {terminal.paths.receipts}")
        print(f"loket demo: staff commands, e.g.  loket-central --db {central.db_url} applications list")
        if central.staff_login:
            username, password = central.staff_login.split(" ", 1)
            print(f"loket demo: office console at {central.url}/staff  (log in as {username}, password {password})")
        terminal_home = terminal.paths.home
        terminal.close()
        return run_kiosk(terminal_home, windowed=True, size=size)
    finally:
        central.stop()
