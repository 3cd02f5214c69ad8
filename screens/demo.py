"""`loket demo`: a ready-to-try terminal in one command, receipts written as PDFs to a folder.

The demo home is `./demo-home` unless `--home` (or `LOKET_HOME`) says otherwise. The first run
provisions it offline for a made-up office with a freshly generated office key; later runs reuse it.
"""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.crypto import new_office_keypair
from kiosk.terminal import Terminal

DEMO_TERMINAL = "D3M0"
DEMO_OFFICE = ("3273010001", "Kelurahan Braga")


def prepare_demo_home(home: Path) -> Terminal:
    """Provisions `home` (once) and points its printer at the PDF folder `home/receipts`."""
    terminal = Terminal(home)
    if terminal.identity is None:
        office = new_office_keypair()
        # the private key lets a reader open the demo's sealed applications (e.g. with loket-central)
        (terminal.paths.home / "office-private-key.txt").write_text(office.private_key + "\n", encoding="utf-8")
        terminal.provision_offline(terminal_code=DEMO_TERMINAL, office_code=DEMO_OFFICE[0],
                                   office_name=DEMO_OFFICE[1], office_key=office.public_key)
    terminal.update_settings(printer_backend="pdf", printer_pdf_dir=str(terminal.paths.receipts))
    return terminal


def run_demo(home: Path | None, *, size: tuple[int, int] | None = None) -> int:
    from screens.launch import run_kiosk

    home = home or (Path(os.environ["LOKET_HOME"]) if os.environ.get("LOKET_HOME") else Path("demo-home"))
    terminal = prepare_demo_home(home.resolve())
    print(f"loket demo: terminal {terminal.identity.terminal_code} of {terminal.identity.office_name}")
    print(f"loket demo: receipts are written as PDF files to {terminal.paths.receipts}")
    terminal.close()
    return run_kiosk(home.resolve(), windowed=True, size=size)
