"""Letters in the console in a real headless Chromium: the supervisor fills the letter settings, the
operator presses "Cetak surat", the PDF downloads and the page she is on shows the letter's number at once
(no reload); screenshots in docs/letters/."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from central.letters.numbering import roman_month
from tests.central.console.test_axe import violations
from tests.central.console.test_browser import (  # noqa: F401 - fixtures used by name
    OPERATOR,
    SUPERVISOR,
    browser,
    follow,
    kiosk,
    log_in,
    set_status,
    shoot,
    shots_in,
)
from tests.central.letter_support import DOCS_LETTERS, decode_qr, pdf_to_png

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromedriver").exists(), reason="chromium-driver not installed")


shots_in_docs_letters = shots_in(DOCS_LETTERS)


def test_settings_then_cetak_surat_downloads_the_letter(browser, central, kiosk):  # noqa: F811
    reference = kiosk.file("SKD", "Siti Rahmawati")
    kiosk.sync()
    log_in(browser, central, SUPERVISOR)
    browser.get(f"{central.url}/staff/letters/settings")
    for name, value in (("public_url", central.url), ("signer_name", "Drs. H. Asep Sunandar, M.Si."),
                        ("signer_nip", "19750312 200003 1 004"), ("address", "Jl. Braga No. 1, Bandung 40111")):
        field = browser.find_element(By.ID, name)
        field.clear()
        field.send_keys(value)
    follow(browser, browser.find_element(By.XPATH, "//button[contains(., 'Simpan pengaturan')]"))
    assert "Pengaturan surat disimpan." in browser.page_source
    today = dt.datetime.now(ZoneInfo("Asia/Jakarta"))  # Braga's zone: the example is this month's number
    assert f"470/0012/KEL-BRG/{roman_month(today.month)}/{today.year}" in browser.page_source
    shoot(browser, "console-letter-settings")

    log_in(browser, central, OPERATOR)
    set_status(browser, central, reference, "in_process")
    before = set(browser.downloads.iterdir())
    browser.find_element(By.XPATH, "//button[contains(., 'Cetak surat')]").click()
    target = browser.downloads / f"surat-{reference}.pdf"
    WebDriverWait(browser, 20).until(lambda b: target.exists() and target.stat().st_size > 1000
                                     and not any(p.suffix == ".crdownload" for p in b.downloads.iterdir()))
    assert target not in before
    time.sleep(0.2)
    text = " ".join(PdfReader(target).pages[0].extract_text().split())
    assert "Siti Rahmawati" in text and "SURAT KETERANGAN DOMISILI" in text and "Drs. H. Asep Sunandar" in text
    number = " ".join(text.split("Nomor:")[1].split()[:1])
    assert browser.current_url.startswith(f"{central.url}/staff/applications/{reference}")
    card = browser.find_element(By.CSS_SELECTOR, "section.letter").text
    assert number in card, f"the page shows no letter number until reloaded: {card!r}"
    shoot(browser, "console-application-after-print")
    assert violations(browser) == []
    browser.refresh()  # a reload neither downloads the letter again nor loses the number
    assert "sedang diunduh" not in browser.page_source and 'http-equiv="refresh"' not in browser.page_source
    card = browser.find_element(By.CSS_SELECTOR, "section.letter").text
    assert "470/" in card and OPERATOR in card
    assert "Surat diterbitkan" in browser.find_element(By.XPATH, "//h2[contains(., 'Riwayat')]/..").text
    shoot(browser, "console-application-letter")

    log_in(browser, central, SUPERVISOR)
    browser.get(f"{central.url}/staff/reports")
    table = browser.find_element(By.CSS_SELECTOR, "table.letters").text
    assert "SKD" in table and "1" in table
    shoot(browser, "console-report-letters")
    [verification_url] = decode_qr(pdf_to_png(target, target.with_suffix(".png"), 150))
    browser.get(verification_url)  # the letter's public verification page, as a phone opens it
    assert number in browser.page_source and violations(browser) == []
