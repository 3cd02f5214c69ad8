"""When the terminal knows its central, the receipt QR is the URL of central's verification page holding
the same signed payload: it still decodes from thermal paper and still verifies offline."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.receipt_code import payload_of, verification_url
from kiosk.store import Application
from kiosk.terminal import Terminal
from printing import BadSignature, make_qr_payload, render_receipt_pdf, verify_qr_payload
from printing.qr import qr_matrix
from tests.printing.conftest import decode_qr, pdf_to_png
from tests.printing.test_qr import IDENTITY, KEYS, application

CENTRAL = "https://layanan.kelurahan-braga.bandung.go.id"


def test_with_a_central_url_the_payload_is_inside_its_verification_url() -> None:
    identity = dataclasses.replace(IDENTITY, server_url=CENTRAL + "/")
    text = make_qr_payload(identity, application())
    bare = make_qr_payload(IDENTITY, application())
    assert text == f"{CENTRAL}/v/{bare}"
    assert verify_qr_payload(text, {"K7Q2": KEYS.verify_key}) == verify_qr_payload(bare, {"K7Q2": KEYS.verify_key})
    assert len(qr_matrix(text)) <= 53  # version 9 at most: 6 dots a module fit 58 mm paper


def test_an_altered_payload_inside_the_url_still_fails() -> None:
    text = make_qr_payload(dataclasses.replace(IDENTITY, server_url=CENTRAL), application())
    with pytest.raises(BadSignature):
        verify_qr_payload(text.replace(":SKD:", ":SKU:"), {"K7Q2": KEYS.verify_key})


@pytest.mark.parametrize("paper", ["58mm", "80mm", "a4"])
def test_the_printed_url_decodes_at_203_dpi_and_verifies(
        terminal: Terminal, filed: Application, tmp_path: Path, paper: str) -> None:
    terminal.store.save_identity(dataclasses.replace(terminal.identity, server_url="http://192.168.1.10:8080"))
    png = pdf_to_png(render_receipt_pdf(terminal, filed, paper=paper), tmp_path)
    [text] = decode_qr(png)
    assert text.startswith("http://192.168.1.10:8080/v/LK1:" + filed.reference)
    assert verify_qr_payload(text, {"K7Q2": terminal.identity.verify_key}).reference == filed.reference


@given(st.sampled_from(["http://", "https://"]), st.from_regex(r"[a-z0-9.-]{1,30}(:[0-9]{1,5})?", fullmatch=True),
       st.from_regex(r"(/[a-z0-9]{1,8}){0,2}", fullmatch=True))
def test_payload_of_takes_the_payload_out_of_any_verification_url(scheme: str, host: str, path: str) -> None:
    bare = make_qr_payload(IDENTITY, application())
    assert payload_of(verification_url(f"{scheme}{host}{path}", bare)) == bare
    assert payload_of(f"  {bare}\n") == bare


@given(st.text(max_size=80))
def test_text_without_a_verification_url_is_left_as_it_is(text: str) -> None:
    if "/v/LK1:" not in text:
        assert payload_of(text) == text.strip()
