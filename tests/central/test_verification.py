"""Central's public page `/v/...`: a kiosk receipt's QR (the URL of that page when the terminal knows
central) verifies there with the terminal's enrolled key, and offline with `loket receipt verify`;
altered codes answer 404; the page never shows a NIK or a full name; it is rate-limited and phone-sized."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from sqlalchemy import select

from central.db import Database
from central.devserver import start_central
from central.letters.issue import issue_letter
from central.models import AccessLogEntry
from central.records import find_application, revoke_terminal
from kiosk.applications import file_application
from kiosk.store import Application
from kiosk.terminal import Terminal
from loket.cli import main as loket_main
from loket.dashboard import sync_now
from loket.runtime import Runtime
from printing import render_receipt_pdf
from sync.enrollment import enroll_terminal
from tests.central.letter_support import ANSWERS, DOCS_LETTERS, decode_qr, pdf_to_png, set_up_office
from tests.central.status_support import move_to
from tests.fixtures.central import CentralHarness, central_harness

SECURITY_HEADERS = {"content-security-policy": "default-src 'self'; frame-ancestors 'none'",
                    "x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


def enrolled_terminal(central: CentralHarness, folder: Path) -> Terminal:
    """A real kiosk terminal in `folder`, enrolled with central for a new office (so it knows central's URL)."""
    office, _ = set_up_office(central)
    terminal = Terminal(folder / "kiosk")
    enroll_terminal(terminal, central.url, central.enrollment_code(office))
    return terminal


@pytest.fixture
def kiosk(central: CentralHarness, tmp_path: Path) -> Iterator[Terminal]:
    terminal = enrolled_terminal(central, tmp_path)
    yield terminal
    terminal.close()


def receipt_url(terminal: Terminal, app: Application, folder: Path) -> str:
    """The QR on the 80 mm receipt, read back from the PDF rasterised at the printer's 203 dpi."""
    pdf = folder / "receipt.pdf"
    pdf.write_bytes(render_receipt_pdf(terminal, app, paper="80mm"))
    [text] = decode_qr(pdf_to_png(pdf, folder / "receipt.png", dpi=203))
    return text


def in_db(central: CentralHarness, work):  # type: ignore[no-untyped-def]
    db = Database(central.db_url)
    try:
        with db.transaction() as session:
            return work(session)
    finally:
        db.dispose()


def assert_secure_headers(response: requests.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert value in response.headers[name]


def test_a_receipt_qr_opens_the_page_before_and_after_the_application_arrives(
        central: CentralHarness, kiosk: Terminal, tmp_path: Path) -> None:
    answers = ANSWERS["SKD"]
    app = file_application(kiosk.store, kiosk.catalog, "SKD", answers)
    url = receipt_url(kiosk, app, tmp_path)
    assert url.startswith(f"{central.url}/v/LK1:{app.reference}:SKD:")
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "Asli / Genuine" in page.text and app.reference in page.text
    assert "Belum diterima kantor" in page.text and "Surat Keterangan Domisili" in page.text
    assert_secure_headers(page)
    assert sync_now(Runtime(terminal=kiosk)).sent == 1
    in_db(central, lambda s: move_to(s, app.reference, "in_process"))
    for _ in range(2):
        page = requests.get(url, timeout=10)
        assert page.status_code == 200 and "Diproses" in page.text and "S*** R********" in page.text
        assert answers["nik"] not in page.text and "Siti" not in page.text and "Rahmawati" not in page.text
    openings = in_db(central, lambda s: [(o.username, o.action, o.detail) for o in s.scalars(
        select(AccessLogEntry).where(AccessLogEntry.application_id == find_application(s, app.reference).id,
                                     AccessLogEntry.action == "personal_data.opened"))])
    assert openings == [("public-verification", "personal_data.opened", "masked name for the verification page")]


def test_the_same_receipt_url_verifies_offline_on_the_terminal(
        central: CentralHarness, kiosk: Terminal, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = file_application(kiosk.store, kiosk.catalog, "SKCK", ANSWERS["SKCK"])
    url = receipt_url(kiosk, app, tmp_path)
    central.stop()  # offline: the terminal checks the signature with its own key
    try:
        assert loket_main(["--home", str(kiosk.paths.home), "receipt", "verify", url]) == 0
        assert capsys.readouterr().out.startswith(f"genuine: {app.reference}, service SKCK")
        assert loket_main(["--home", str(kiosk.paths.home), "receipt", "verify", str(tmp_path / "receipt.png")]) == 0
        assert capsys.readouterr().out.startswith(f"genuine: {app.reference}")
        assert loket_main(["--home", str(kiosk.paths.home), "receipt", "verify", url.replace(":SKCK:", ":SKD:")]) == 2
        assert "bad signature" in capsys.readouterr().err
    finally:
        central.start()


@pytest.mark.parametrize("change", ["service", "time", "signature", "reference", "garbage", "too long", "letter"])
def test_an_altered_receipt_or_unknown_code_answers_404(
        central: CentralHarness, kiosk: Terminal, tmp_path: Path, change: str) -> None:
    app = file_application(kiosk.store, kiosk.catalog, "SKBM", ANSWERS["SKBM"])
    url = receipt_url(kiosk, app, tmp_path)
    prefix, payload = url.split("/v/")
    version, reference, service, stamp, signature = payload.split(":")
    altered = {
        "service": f"{version}:{reference}:SKD:{stamp}:{signature}",
        "time": f"{version}:{reference}:{service}:{int(stamp) + 1}:{signature}",
        "signature": f"{version}:{reference}:{service}:{stamp}:{'B' if signature[0] == 'A' else 'A'}{signature[1:]}",
        "reference": payload.replace(reference, reference[:-1] + ("X" if reference[-1] != "X" else "Y")),
        "garbage": "<script>alert(1)</script>",
        "too long": "LK1:" + "A" * 5000,
        "letter": "S" + "0" * 20,
    }[change]
    page = requests.get(f"{prefix}/v/{altered}", timeout=10)
    assert page.status_code == 404 and "tidak dapat diverifikasi" in page.text
    assert "<script>alert" not in page.text
    assert_secure_headers(page)


def test_a_receipt_from_an_unknown_terminal_answers_404(central: CentralHarness, tmp_path: Path) -> None:
    stranger = Terminal(tmp_path / "stranger")
    stranger.provision_offline(terminal_code="ZZ9Z", office_code="X", office_name="Kelurahan Palsu",
                               office_key=in_db(central, lambda s: _any_office_key(s)), server_url=central.url)
    app = file_application(stranger.store, stranger.catalog, "SKCK", ANSWERS["SKCK"])
    url = receipt_url(stranger, app, tmp_path)
    assert url.startswith(f"{central.url}/v/LK1:ZZ9Z-")
    page = requests.get(url, timeout=10)
    assert page.status_code == 404 and "tidak dapat diverifikasi" in page.text
    stranger.close()


def _any_office_key(session) -> str:  # type: ignore[no-untyped-def]
    from central.models import OfficeKey

    return session.scalars(select(OfficeKey.public_key)).first()


@pytest.fixture
def own_central(tmp_path: Path) -> Iterator[CentralHarness]:
    """A central of its own: the rate limit is counted per server process."""
    yield from central_harness(f"sqlite:///{tmp_path / 'own.db'}", tmp_path)


def test_too_many_lookups_from_one_client_answer_429_with_retry_after(own_central: CentralHarness) -> None:
    answers = [requests.get(f"{own_central.url}/v/S{i:020d}", timeout=10) for i in range(40)]
    codes = [a.status_code for a in answers]
    assert codes[:30] == [404] * 30 and set(codes[30:]) == {429}
    busy = answers[-1]
    assert int(busy.headers["Retry-After"]) >= 1 and "Terlalu banyak permintaan" in busy.text
    assert_secure_headers(busy)


def test_two_workers_together_answer_no_more_lookups_than_the_limit(tmp_path: Path) -> None:
    running = start_central(f"sqlite:///{tmp_path / 'two.db'}", workers=2, log_path=tmp_path / "central.log")
    try:
        codes = [requests.get(f"{running.url}/v/S{i:020d}", headers={"Connection": "close"}, timeout=10).status_code
                 for i in range(70)]
    finally:
        running.stop()
    # each worker keeps half of the 30 at once (and of the refill, 0.5 a second, over these few seconds)
    assert 15 <= codes.count(404) <= 33 and set(codes) == {404, 429}, codes


@pytest.fixture
def phone() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=390,844",
                     "--hide-scrollbars"):
        options.add_argument(argument)
    # a headless window is never narrower than 500 px: emulate the phone's viewport as DevTools does
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 390, "height": 844,
                                                                          "pixelRatio": 1.0}})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


def test_the_page_on_a_phone_fits_the_screen(central: CentralHarness, kiosk: Terminal, tmp_path: Path,
                                             phone: webdriver.Chrome) -> None:
    app = file_application(kiosk.store, kiosk.catalog, "SKD", ANSWERS["SKD"])
    url = receipt_url(kiosk, app, tmp_path)
    assert sync_now(Runtime(terminal=kiosk)).sent == 1
    in_db(central, lambda s: move_to(s, app.reference, "ready"))
    phone.get(url)
    assert phone.find_element(By.TAG_NAME, "h1").text.startswith("Asli")
    assert "S*** R********" in phone.page_source and "3273015708900003" not in phone.page_source
    assert phone.execute_script("return window.innerWidth") == 390
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390
    banner = phone.find_element(By.CSS_SELECTOR, ".banner.ok")
    assert banner.value_of_css_property("background-color") == "rgba(15, 123, 63, 1)"  # the stylesheet applied
    DOCS_LETTERS.mkdir(parents=True, exist_ok=True)
    phone.save_screenshot(str(DOCS_LETTERS / "verify-receipt-phone.png"))
    letter = in_db(central, lambda s: issue_letter(s, app.reference, actor="operator:rina"))
    phone.get(letter.content.verify_url)
    assert letter.number in phone.page_source and "Surat keterangan" in phone.page_source
    assert "Siti" not in phone.page_source and "3273015708900003" not in phone.page_source
    phone.save_screenshot(str(DOCS_LETTERS / "verify-letter-phone.png"))
    phone.get(url.replace(":SKD:", ":SKU:"))
    assert "tidak dapat diverifikasi" in phone.page_source
    phone.save_screenshot(str(DOCS_LETTERS / "verify-altered-phone.png"))


def test_after_its_terminal_is_revoked_only_receipts_filed_before_still_verify(
        central: CentralHarness, kiosk: Terminal, tmp_path: Path) -> None:
    before = file_application(kiosk.store, kiosk.catalog, "SKD", ANSWERS["SKD"],
                              now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    (tmp_path / "old").mkdir()
    old_url = receipt_url(kiosk, before, tmp_path / "old")
    in_db(central, lambda s: revoke_terminal(s, kiosk.identity.terminal_code))
    after = file_application(kiosk.store, kiosk.catalog, "SKD", ANSWERS["SKD"],
                             now=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
    new_url = receipt_url(kiosk, after, tmp_path)
    assert requests.get(old_url, timeout=10).status_code == 200
    refused = requests.get(new_url, timeout=10)
    assert refused.status_code == 404 and "tidak dapat diverifikasi" in refused.text
