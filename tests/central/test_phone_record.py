""""Data saya" on paper and on a phone, with the real parts: a kiosk terminal enrolled with a real central
on loopback files and syncs; staff open the personal data (logged); the kiosk prints the record on the
receipt's layout, rasterised at the printer's 203 dpi, and its QR (decoded with zxing-cpp) verifies with
the terminal's key. The same QR opens central's page on a phone, which shows the masked record only for
the receipt's PIN: a wrong PIN shows nothing, five in a row cool it down, an application filed before
the PIN travelled sealed is sent to the kiosk. Central keeps no PIN, only a peppered verifier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select, update

from central.console.accounts import add_staff
from central.models import AccessLogEntry, Office, RecordPin, SmsMessage, StaffAccount
from central.records import find_application, open_application
from central.verification.phone_record import VIEWED
from kiosk.applications import file_application
from kiosk.crypto import seal_for_office
from kiosk.receipt_code import payload_of, verify_qr_payload
from kiosk.status_pin import MISSES_BEFORE_COOLDOWN, status_pin
from kiosk.terminal import Terminal
from loket.dashboard import sync_now
from loket.my_data import fetch_record
from loket.runtime import Runtime
from printing import record_receipt
from printing.layouts import render_pdf
from tests.central.letter_support import ANSWERS, decode_qr, pdf_text, pdf_to_png
from tests.central.status_support import move_to
from tests.central.test_verification import enrolled_terminal, in_db, kiosk, phone, receipt_url  # noqa: F401 - fixtures by name
from tests.fixtures.central import CentralHarness

DOCS_PRIVACY = Path(__file__).resolve().parents[2] / "docs" / "privacy"
NIK, NAME = ANSWERS["SKD"]["nik"], ANSWERS["SKD"]["full_name"]


def filed_and_handled(central: CentralHarness, kiosk: Terminal) -> tuple:  # noqa: F811
    """An SKD application filed at the kiosk, synced, its data opened by staff and set in process."""
    app = file_application(kiosk.store, kiosk.catalog, "SKD", ANSWERS["SKD"])
    assert sync_now(Runtime(terminal=kiosk)).sent == 1

    def handle(session) -> None:  # noqa: ANN001
        found = find_application(session, app.reference)
        if session.scalar(select(StaffAccount).where(StaffAccount.username == "rina")) is None:
            add_staff(session, session.get(Office, found.office_id).code, "rina", "operator", "a long enough pass 1")
        open_application(session, found, "rina", "pemrosesan permohonan")
        move_to(session, app.reference, "in_process")
    in_db(central, handle)
    return app


def post_pin(url: str, code: str, pin: str) -> requests.Response:
    return requests.post(url, data={"code": code, "pin": pin}, timeout=10)


def test_the_printed_record_lists_the_events_and_carries_the_receipts_signed_qr(
        central: CentralHarness, kiosk: Terminal, tmp_path: Path) -> None:  # noqa: F811
    app = filed_and_handled(central, kiosk)
    record = fetch_record(kiosk, app.reference)
    assert [e.kind for e in record.events][:2] == ["filed", "received"]
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(render_pdf(record_receipt(kiosk, kiosk.store.get(app.reference), record.events, "id"), "80mm"))
    png = pdf_to_png(pdf, tmp_path / "record.png", dpi=203)
    [qr] = decode_qr(png)
    identity = kiosk.identity
    claims = verify_qr_payload(qr, {identity.terminal_code: identity.verify_key})
    assert claims.reference == app.reference and claims.service_code == "SKD"
    assert qr == receipt_url(kiosk, app, tmp_path)  # the receipt's own code: the phone page opens from either
    text = " ".join(pdf_text(pdf).split())
    assert "CATATAN DATA SAYA" in text and app.reference in text
    assert "Data pribadi Anda dibuka oleh petugas" in text and "pemrosesan permohonan" in text
    assert "mengubah statusnya menjadi “Diproses”" in text
    assert "Status Diproses" in text  # the status printed is the record's, though the kiosk has not asked since
    assert NIK not in text and "Siti" not in text and "rina" not in text  # no personal data, no staff name
    assert status_pin(kiosk.store, app.id) not in text.split()  # the PIN stays on the receipt only
    DOCS_PRIVACY.mkdir(parents=True, exist_ok=True)
    pdf_to_png(pdf, DOCS_PRIVACY / "printed-record-80mm.png", dpi=150)


@pytest.fixture
def any_kiosk(any_central: CentralHarness, tmp_path: Path) -> Iterator[Terminal]:
    """A real kiosk enrolled with a central on SQLite, then on PostgreSQL."""
    terminal = enrolled_terminal(any_central, tmp_path)
    yield terminal
    terminal.close()


def test_the_phone_page_shows_the_masked_record_only_for_the_right_pin_and_cools_down(
        any_central: CentralHarness, any_kiosk: Terminal, tmp_path: Path) -> None:
    central, kiosk = any_central, any_kiosk  # noqa: F811
    app = filed_and_handled(central, kiosk)
    url = receipt_url(kiosk, app, tmp_path)
    code, pin = payload_of(url), status_pin(kiosk.store, app.id)
    page = requests.get(url, timeout=10)
    assert 'action="/v/record"' in page.text and "form-action 'self'" in page.headers["content-security-policy"]
    post_url = f"{central.url}/v/record"

    right = post_pin(post_url, code, pin)
    assert right.status_code == 200 and 'id="record"' in right.text
    assert "Data pribadi Anda dibuka oleh petugas Kelurahan Braga, untuk: pemrosesan permohonan" in right.text
    assert "Your personal data was opened by an operator of Kelurahan Braga" in right.text
    assert NIK not in right.text and NAME not in right.text and "rina" not in right.text
    viewed = in_db(central, lambda s: s.scalars(select(AccessLogEntry.username).where(
        AccessLogEntry.reference == app.reference, AccessLogEntry.action == VIEWED)).all())
    assert viewed == ["citizen"]  # each showing is in the access log

    wrong_pin = f"{(int(pin) + 1) % 10000:04d}"
    wrong = post_pin(post_url, code, wrong_pin)
    assert wrong.status_code == 403 and "PIN salah" in wrong.text and 'id="record"' not in wrong.text
    assert "Diproses" not in wrong.text  # nothing of the record
    assert post_pin(post_url, code, "12a4").status_code == 403  # not a PIN: a miss like any other
    answers = [post_pin(post_url, code, wrong_pin) for _ in range(MISSES_BEFORE_COOLDOWN - 2)]
    assert [a.status_code for a in answers] == [403] * (MISSES_BEFORE_COOLDOWN - 3) + [429]
    cooling = post_pin(post_url, code, pin)  # even the right PIN waits
    assert cooling.status_code == 429 and 'id="cooling"' in cooling.text and 'id="record"' not in cooling.text
    assert 1 <= int(cooling.headers["Retry-After"]) <= 60

    in_db(central, lambda s: s.execute(update(RecordPin).values(
        cooling_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))))  # the minute has passed
    assert post_pin(post_url, code, pin).status_code == 200
    stored = in_db(central, lambda s: s.get(RecordPin, find_application(s, app.reference).id))
    assert len(stored.verifier) == 32 and pin.encode() not in stored.verifier and stored.misses == 0


def test_an_application_filed_before_the_pin_was_sealed_in_is_shown_at_the_kiosk_only(
        central: CentralHarness, kiosk: Terminal, tmp_path: Path) -> None:  # noqa: F811
    # what the kiosk sealed before this change: the answers without the status PIN
    content = {"service": "SKD", "catalog_version": kiosk.catalog.version, "answers": ANSWERS["SKD"], "flags": {}}
    app = kiosk.store.submit("SKD", kiosk.catalog.version, seal_for_office(kiosk.identity.office_key, content))
    assert sync_now(Runtime(terminal=kiosk)).sent == 1
    url = receipt_url(kiosk, app, tmp_path)
    answer = post_pin(f"{central.url}/v/record", payload_of(url), status_pin(kiosk.store, app.id))
    assert answer.status_code == 200 and 'id="at-kiosk"' in answer.text and 'id="record"' not in answer.text
    assert in_db(central, lambda s: s.get(RecordPin, app.id)) is None


def test_an_altered_code_on_the_record_form_answers_404(central: CentralHarness, kiosk: Terminal,  # noqa: F811
                                                       tmp_path: Path) -> None:
    app = file_application(kiosk.store, kiosk.catalog, "SKD", ANSWERS["SKD"])
    code = payload_of(receipt_url(kiosk, app, tmp_path))
    for bad in (code.replace(":SKD:", ":SKU:"), "", "LK1:nonsense", "x" * 5000):
        assert post_pin(f"{central.url}/v/record", bad, "1234").status_code in (404, 422)


@pytest.fixture
def phone_record(central: CentralHarness, kiosk: Terminal, tmp_path: Path) -> Iterator[tuple]:  # noqa: F811
    app = filed_and_handled(central, kiosk)
    yield receipt_url(kiosk, app, tmp_path), status_pin(kiosk.store, app.id)


def test_on_a_phone_the_pin_form_leads_to_the_record(phone_record: tuple, phone: webdriver.Chrome) -> None:  # noqa: F811
    url, pin = phone_record
    phone.get(url)
    assert phone.title == "Asli / Genuine · Loket"
    phone.find_element(By.ID, "pin").send_keys(pin)
    phone.save_screenshot(str(DOCS_PRIVACY / "record-phone-pin.png"))
    phone.find_element(By.CSS_SELECTOR, "form.pin button").click()
    WebDriverWait(phone, 10).until(lambda p: p.find_elements(By.CSS_SELECTOR, "#record li"))
    items = phone.find_elements(By.CSS_SELECTOR, "#record li")
    assert len(items) >= 4 and "Anda mengajukan permohonan di anjungan" in items[0].text
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390
    phone.save_screenshot(str(DOCS_PRIVACY / "record-phone.png"))


def test_a_text_message_shows_on_the_phone_page_with_the_number_masked(
        central: CentralHarness, kiosk: Terminal, tmp_path: Path) -> None:  # noqa: F811
    answers = {**ANSWERS["SKD"], "phone": "0812 3456 7890"}
    app = file_application(kiosk.store, kiosk.catalog, "SKD", answers, notify_sms=True)
    assert sync_now(Runtime(terminal=kiosk)).sent == 1

    def sent(session) -> None:  # noqa: ANN001 - what the delivery worker records once gammu sent it
        found = find_application(session, app.reference)
        now = dt.datetime.now(dt.UTC)
        session.add(SmsMessage(office_id=found.office_id, application_id=found.id, reference=found.reference,
                               status="ready", text="siap diambil", state="sent", attempts=1, next_attempt_at=now,
                               created_at=now, handed_at=now, sent_at=now))
    in_db(central, sent)
    answer = post_pin(f"{central.url}/v/record", payload_of(receipt_url(kiosk, app, tmp_path)),
                      status_pin(kiosk.store, app.id))
    assert answer.status_code == 200 and "SMS dikirim ke 0812•••••890" in answer.text
    assert "A text message was sent to 0812•••••890" in answer.text
    assert "81234567890" not in answer.text and "3456" not in answer.text
    stored = in_db(central, lambda s: s.get(RecordPin, find_application(s, app.reference).id).masked_phone)
    assert stored == "0812•••••890"
