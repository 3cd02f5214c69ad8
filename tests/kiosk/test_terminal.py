"""A terminal's identity: provisioning, and what survives re-provisioning."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from kiosk.applications import file_application
from kiosk.crypto import OfficeKeypair
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal
from loket.export import export_unsynced
from printing import make_qr_payload


def test_receipts_printed_before_re_provisioning_still_verify_on_the_terminal(
    terminal: Terminal, office: OfficeKeypair, tmp_path
) -> None:
    service = terminal.catalog.service("SKD")
    app = file_application(terminal.store, terminal.catalog, "SKD", sample_answers(service))
    payload = make_qr_payload(terminal.identity, app)
    export_unsynced(terminal, tmp_path / "usb")
    terminal.provision_offline(terminal_code="AB12", office_code="3273010001", office_name="Kelurahan Braga",
                               office_key=office.public_key)
    home = terminal.paths.home
    terminal.close()
    done = subprocess.run([sys.executable, "-m", "loket.cli", "receipt", "verify", payload, "--json"],
                          capture_output=True, text=True, env={**os.environ, "LOKET_HOME": str(home)}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["reference"] == app.reference
