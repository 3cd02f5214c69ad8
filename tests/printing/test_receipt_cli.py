"""`loket reprint` and `loket receipt verify` as staff use them: one line out, exit 2 on any problem."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from kiosk.crypto import new_terminal_keys
from kiosk.receipt_keys import known_keys, parse_key_list
from kiosk.reference import make_reference
from kiosk.store import Application, TerminalIdentity
from kiosk.terminal import Terminal
from loket.cli import main
from printing import make_qr_payload, render_receipt_pdf
from tests.printing.conftest import pdf_text, pdf_to_png


def loket(terminal: Terminal, *args: str) -> int:
    return main(["--home", str(terminal.paths.home), *args])


def test_reprint_saves_a_marked_copy_and_is_audited(
    terminal: Terminal, filed: Application, capsys: pytest.CaptureFixture,
) -> None:
    assert loket(terminal, "reprint", filed.reference) == 0
    out = capsys.readouterr().out
    copy = terminal.paths.receipts / f"{filed.reference}-reprint-1.pdf"
    assert out.strip() == f"{filed.reference}: saved as {copy}"
    assert "CETAK ULANG" in pdf_text(copy)
    assert [e["action"] for e in terminal.store.audit_entries()][-1] == "receipt.reprinted"


def test_reprint_to_a_file_in_english_on_58mm(
    terminal: Terminal, filed: Application, tmp_path: Path, capsys: pytest.CaptureFixture,
) -> None:
    target = tmp_path / "for-the-citizen.pdf"
    assert loket(terminal, "reprint", filed.reference, "--to", str(target), "--language", "en",
                 "--paper", "58mm") == 0
    assert "written to" in capsys.readouterr().out
    assert "REPRINT" in pdf_text(target) and "APPLICATION RECEIPT" in pdf_text(target)


def test_reprint_with_the_printer_down_is_one_line_and_exit_2(
    terminal: Terminal, filed: Application, capsys: pytest.CaptureFixture,
) -> None:
    terminal.update_settings(printer_backend="escpos", printer_escpos_url="tcp://127.0.0.1:9")
    assert loket(terminal, "reprint", filed.reference) == 2
    err = capsys.readouterr().err
    assert err.startswith("loket: cannot reach the receipt printer at tcp://127.0.0.1:9") and err.count("\n") == 1


def test_verify_a_payload_with_the_terminals_own_key(
    terminal: Terminal, filed: Application, capsys: pytest.CaptureFixture,
) -> None:
    payload = make_qr_payload(terminal.identity, filed)
    assert loket(terminal, "receipt", "verify", payload) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"genuine: {filed.reference}, service SKU, filed 2026-03-17 12:00:05 UTC by terminal K7Q2")
    assert "on this terminal: queued" in out


@pytest.mark.parametrize("paper", ["58mm", "a4"])
def test_verify_a_receipt_pdf_and_its_png(
    terminal: Terminal, filed: Application, tmp_path: Path, capsys: pytest.CaptureFixture, paper: str,
) -> None:
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(render_receipt_pdf(terminal, filed, "id", paper))
    png = pdf_to_png(pdf, tmp_path)
    for source in (pdf, png):
        assert loket(terminal, "receipt", "verify", "--json", str(source)) == 0
        result = json.loads(capsys.readouterr().out)
        assert (result["reference"], result["terminal"], result["status_here"]) == (filed.reference, "K7Q2", "queued")


def test_tampered_payload_is_refused_with_exit_2(
    terminal: Terminal, filed: Application, capsys: pytest.CaptureFixture,
) -> None:
    payload = make_qr_payload(terminal.identity, filed).replace(":SKU:", ":SKD:")
    assert loket(terminal, "receipt", "verify", payload) == 2
    assert capsys.readouterr().err.startswith(f"loket: bad signature: receipt {filed.reference}")


def other_terminal_payload(code: str = "ABCD") -> tuple[str, str]:
    keys = new_terminal_keys()
    identity = TerminalIdentity(code, "3273010001", "Kelurahan Braga", "", keys.signing_key, keys.verify_key)

    filed = dt.datetime(2026, 11, 2, 3, 4, 5, tzinfo=dt.UTC)
    app = Application("x", make_reference(code, filed.date(), 7), "SKD", "v", filed, "synced")
    return make_qr_payload(identity, app), keys.verify_key


def test_another_terminals_receipt_needs_its_key(
    terminal: Terminal, tmp_path: Path, capsys: pytest.CaptureFixture,
) -> None:
    payload, key = other_terminal_payload()
    assert loket(terminal, "receipt", "verify", payload) == 2
    assert "unknown terminal: no public key for terminal ABCD" in capsys.readouterr().err

    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"abcd": key}))
    assert loket(terminal, "receipt", "verify", payload, "--keys", str(keys)) == 0
    out = capsys.readouterr().out
    assert out.startswith("genuine: ABCD-2611-0007-") and "on this terminal" not in out


def test_key_list_received_from_central_is_used(terminal: Terminal, capsys: pytest.CaptureFixture) -> None:
    payload, key = other_terminal_payload("WXYZ")
    terminal.store.values.known_receipt_keys = {"WXYZ": key}
    assert loket(terminal, "receipt", "verify", payload) == 0
    assert "by terminal WXYZ" in capsys.readouterr().out


@pytest.mark.parametrize("content,message", [
    ("[1, 2]", "expected a JSON object"),
    ('{"K7": "AAAA"}', "is not a terminal code"),
    ('{"ABCD": "bm90IGEga2V5"}', "public key of terminal ABCD must be 32 bytes"),
    ("{", "cannot be read"),
])
def test_a_bad_keys_file_says_what_is_wrong(
    terminal: Terminal, tmp_path: Path, capsys: pytest.CaptureFixture, content: str, message: str,
) -> None:
    payload, _ = other_terminal_payload()
    keys = tmp_path / "keys.json"
    keys.write_text(content)
    assert loket(terminal, "receipt", "verify", payload, "--keys", str(keys)) == 2
    assert message in capsys.readouterr().err


def test_image_without_a_qr_code_says_so(terminal: Terminal, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    blank = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(blank)
    assert loket(terminal, "receipt", "verify", str(blank)) == 2
    assert "no QR code found in" in capsys.readouterr().err


def test_the_installed_command_runs_end_to_end(terminal: Terminal, filed: Application) -> None:
    terminal.close()
    done = subprocess.run([sys.executable, "-m", "loket.cli", "reprint", filed.reference], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "LOKET_HOME": str(terminal.paths.home)})
    assert done.returncode == 0, done.stderr
    assert f"{filed.reference}-reprint-1.pdf" in done.stdout


def test_printer_test_command(terminal: Terminal, capsys: pytest.CaptureFixture) -> None:
    assert loket(terminal, "printer", "test", "--language", "en") == 0
    out = capsys.readouterr().out
    assert out.startswith("printer test: saved as ") and "K7Q2-TEST.pdf" in out


def test_a_file_that_is_not_an_image_says_so(terminal: Terminal, tmp_path: Path,
                                             capsys: pytest.CaptureFixture) -> None:
    notes = tmp_path / "notes.png"
    notes.write_text("not an image")
    assert loket(terminal, "receipt", "verify", str(notes)) == 2
    assert "is neither an image nor a PDF" in capsys.readouterr().err


def test_own_key_always_wins_over_a_list_entry_for_the_same_terminal(terminal: Terminal) -> None:
    other = new_terminal_keys().verify_key
    keys = known_keys(terminal.identity, parse_key_list({"k7q2": other, "ABCD": other}))
    assert keys == {"K7Q2": terminal.identity.verify_key, "ABCD": other}
