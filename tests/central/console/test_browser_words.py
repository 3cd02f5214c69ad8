"""What staff read in the console is words in their language, never a stored code (issue 26): the
citizen's answers as labels and dd-mm-yyyy dates, statuses and purposes in the access log, only the
letter settings that changed, the kiosk's screen by name in a help call. Real Chromium, real central."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from kiosk.catalog import load_catalog
from kiosk.catalog.loader import DEFAULT_CATALOG
from kiosk.journey import call_staff
from tests.central.console.test_browser import OPERATOR, SUPERVISOR, browser, follow, kiosk, log_in, set_status, shoot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("browser")


def test_personal_data_shows_choice_labels_local_dates_and_consent_in_words(browser, central, kiosk):  # noqa: F811
    reference = kiosk.file("SKD", "Dewi Kartika")
    kiosk.sync()
    log_in(browser, central, OPERATOR)
    browser.get(f"{central.url}/staff/applications/{reference}")
    follow(browser, browser.find_element(By.XPATH, "//button[contains(., 'Buka data pribadi')]"))
    shown = {dt.text: dd.text for dt, dd in zip(browser.find_elements(By.CSS_SELECTOR, "dl.personal dt"),
                                               browser.find_elements(By.CSS_SELECTOR, "dl.personal dd"), strict=True)}
    purpose = load_catalog(DEFAULT_CATALOG).service("SKD").field("purpose")
    label = next(c.label.id for c in purpose.choices if c.value == "kerja")
    assert shown[purpose.label.id] == label, shown
    assert shown["Tinggal di alamat ini sejak"] == "17-08-2015", shown
    assert "yes" not in shown.values() and "Ya, setuju" in shown.values(), shown
    shoot(browser, "application-personal-data")


def test_the_access_log_and_help_calls_read_as_words(browser, central, kiosk):  # noqa: F811
    reference = kiosk.file("SKM", "Wati Suryani")
    call_staff(kiosk.terminal.store, "form")
    kiosk.sync()
    log_in(browser, central, OPERATOR)
    set_status(browser, central, reference, "in_process")
    set_status(browser, central, reference, "declined", "Surat pengantar RT belum dilampirkan.")
    assert "ditolak: tidak ada surat untuk dicetak" in browser.page_source
    assert not browser.find_elements("xpath", "//button[contains(., 'Cetak surat')]")
    shoot(browser, "application-declined-no-letter")
    browser.get(f"{central.url}/staff/help")
    row = browser.find_element(By.CSS_SELECTOR, "table.list tbody tr")
    assert "Mengisi formulir" in row.text and " form " not in f" {row.text} ", row.text
    shoot(browser, "help-calls")

    log_in(browser, central, SUPERVISOR)
    browser.get(f"{central.url}/staff/letters/settings")
    field = browser.find_element(By.ID, "signer_name")
    field.clear()
    field.send_keys("Drs. H. Asep Sunandar")
    follow(browser, browser.find_element(By.XPATH, "//button[contains(., 'Simpan pengaturan')]"))
    browser.get(f"{central.url}/staff/access-log")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")]
    mine = [r for r in rows if reference in r]
    assert any("Diproses" in r for r in mine) and any("Ditolak" in r for r in mine), rows[:8]
    assert not [r for r in rows if "in_process" in r or "declined" in r or r.endswith(" letter")], rows
    settings = next(r for r in rows if "Mengubah pengaturan surat" in r)
    assert settings.endswith("Nama penanda tangan"), settings
    shoot(browser, "access-log")
