"""The console in a real headless Chromium (selenium), against the real central on loopback and a real
kiosk terminal that files and syncs. The screenshots in docs/console/ come from here."""

from __future__ import annotations

import csv
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from central.console.accounts import add_staff
from central.db import Database
from central.models import AccessLogEntry
from kiosk.applications import file_application
from kiosk.journey import call_staff, look_up_status
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal
from sync.backoff import Backoff
from sync.client import Timeouts
from sync.enrollment import enroll_terminal
from sync.worker import SyncWorker
from tests.central.console.conftest import PASSWORD
from tests.central.due_support import backdate

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromedriver").exists(), reason="chromium-driver not installed")

SHOTS = Path(__file__).resolve().parents[3] / "docs" / "console"
OFFICE, OFFICE_NAME = "3273010001", "Kelurahan Braga"
OPERATOR, SUPERVISOR = "siti", "lurah.braga"
CITIZENS = ["Siti Aminah", "Budi Santoso", "Dewi Lestari", "Agus Salim", "Rina Marlina", "Joko Susilo"]


@dataclass
class Kiosk:
    terminal: Terminal
    worker: SyncWorker

    def file(self, service: str = "SKD", name: str = "Siti Aminah", *, notify_sms: bool = False) -> str:
        catalog = self.terminal.catalog
        answers = sample_answers(catalog.service(service))
        if "full_name" in answers:
            answers["full_name"] = name
        return file_application(self.terminal.store, catalog, service, answers, notify_sms=notify_sms).reference

    def sync(self) -> None:
        report = self.worker.run_once()
        assert report.ok, report.errors

    def status(self, reference: str):  # noqa: ANN201
        return look_up_status(self.terminal.store, self.terminal.catalog, reference)


@pytest.fixture(scope="module")
def kiosk(central, tmp_path_factory) -> Iterator[Kiosk]:
    central.create_office(OFFICE, OFFICE_NAME)
    db = Database(central.db_url, migrate_schema=False)
    with db.transaction() as session:
        add_staff(session, OFFICE, OPERATOR, "operator", PASSWORD)
        add_staff(session, OFFICE, SUPERVISOR, "supervisor", PASSWORD)
    db.dispose()
    kiosk = enrolled_kiosk(central, OFFICE, tmp_path_factory.mktemp("kiosk"))
    yield kiosk
    kiosk.terminal.close()


def enrolled_kiosk(central, office: str, folder: Path) -> Kiosk:  # noqa: ANN001
    """A real kiosk terminal in `folder`, enrolled with `central` for `office`, and its sync worker."""
    terminal = Terminal(folder / "home")
    enroll_terminal(terminal, central.url, central.enrollment_code(office))
    worker = SyncWorker(terminal.paths.home, backoff=Backoff(base_s=0.05, cap_s=0.5),
                        timeouts=Timeouts(connect_s=5.0, read_s=10.0))
    return Kiosk(terminal, worker)


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[webdriver.Chrome]:
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--lang=id", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.downloads = downloads  # type: ignore[attr-defined]
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    yield driver
    driver.quit()


def shots_in(folder: Path):  # noqa: ANN201 - a pytest fixture
    """An autouse fixture for a module whose screenshots go to `folder` instead of docs/console/."""

    @pytest.fixture(autouse=True)
    def _shots_in(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(sys.modules[__name__], "SHOTS", folder)

    return _shots_in


def follow(browser, element) -> None:
    """Clicks a link or a form button and waits until the next page has replaced this one."""
    page = browser.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(browser, 10).until(lambda _: _replaced(page))


def _replaced(page) -> bool:
    # Chromium answers a node of a page already left with either a stale-element error or an
    # "unhandled inspector error: Node with given id does not belong to the document"
    try:
        page.is_enabled()
    except WebDriverException:
        return True
    return False


def log_in(browser, central, username: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{central.url}/staff")
    assert "/staff/login" in browser.current_url
    browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    WebDriverWait(browser, 10).until(lambda b: b.current_url == f"{central.url}/staff")


def opened_by_operator(browser, central, kiosk: Kiosk, name: str) -> str:
    """Files an SKD for `name` at the kiosk, syncs, and has the operator open its personal data; its reference."""
    reference = kiosk.file("SKD", name)
    kiosk.sync()
    log_in(browser, central, OPERATOR)
    browser.get(f"{central.url}/staff/applications/{reference}")
    follow(browser, browser.find_element(By.XPATH, "//button[contains(., 'Buka data pribadi')]"))
    return reference


def shoot(browser, name: str) -> None:
    """A full-page PNG in docs/console/, 1280 px wide and as tall as the page."""
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": min(height, 2400), "deviceScaleFactor": 1, "mobile": False})
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"{name}.png"))
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def set_status(browser, central, reference: str, status: str, note: str = "") -> None:
    browser.get(f"{central.url}/staff/applications/{reference}")
    browser.find_element(By.CSS_SELECTOR, f"input[name=status][value={status}]").click()
    if note:
        browser.find_element(By.ID, "note").send_keys(note)
    follow(browser, browser.find_element(By.XPATH, "//button[contains(., 'Simpan status')]"))
    WebDriverWait(browser, 10).until(lambda b: "Status disimpan" in b.page_source)


def test_staff_log_in_and_see_the_application_a_kiosk_just_synced(browser, central, kiosk):
    filed = [kiosk.file(service, name) for service, name in
             zip(["SKD", "SKU", "SKTM", "KK", "SKCK", "PINDAH"], CITIZENS, strict=True)]
    kiosk.sync()
    db = Database(central.db_url, migrate_schema=False)
    with db.transaction() as session:  # two filed a while ago, so the inbox has something overdue
        backdate(session, filed[1:3], 12)  # due as ingest would have made them 12 days ago
    db.dispose()
    browser.delete_all_cookies()
    browser.get(f"{central.url}/staff")
    assert browser.find_element(By.ID, "password").get_attribute("type") == "password"
    shoot(browser, "login")
    log_in(browser, central, OPERATOR)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
    assert {r.find_element(By.CSS_SELECTOR, "a.ref").text for r in rows} >= set(filed)
    first_two = [r.find_element(By.CSS_SELECTOR, "a.ref").text for r in rows[:2]]
    assert set(first_two) == set(filed[1:3])  # overdue first
    assert all("overdue" in r.get_attribute("class") for r in rows[:2])
    red = rows[0].find_element(By.TAG_NAME, "td").value_of_css_property("background-color")
    assert red != rows[-1].find_element(By.TAG_NAME, "td").value_of_css_property("background-color")
    set_status(browser, central, filed[3], "in_process", "Berkas lengkap, sedang diketik.")
    browser.get(f"{central.url}/staff")
    shoot(browser, "inbox")


def test_opening_the_data_shows_it_and_an_access_log_entry_appears(browser, central, kiosk):
    reference = kiosk.file("SKD", "Dewi Kartika")
    kiosk.sync()
    log_in(browser, central, OPERATOR)
    follow(browser, browser.find_element(By.LINK_TEXT, reference))
    assert "Dewi Kartika" not in browser.page_source
    follow(browser, browser.find_element(By.XPATH, "//button[contains(., 'Buka data pribadi')]"))
    assert "Dewi Kartika" in browser.find_element(By.CSS_SELECTOR, "dl.personal").text
    db = Database(central.db_url, migrate_schema=False)
    with db.transaction() as session:
        actions = session.execute(select(AccessLogEntry.username, AccessLogEntry.action)
                                  .where(AccessLogEntry.reference == reference)).all()
    db.dispose()
    assert [tuple(a) for a in actions] == [(OPERATOR, "personal_data.opened")]
    shoot(browser, "application")
    log_in(browser, central, SUPERVISOR)
    browser.get(f"{central.url}/staff/access-log")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr") if reference in r.text]
    assert len(rows) == 1 and OPERATOR in rows[0] and "Membuka data pribadi" in rows[0]


def test_ready_in_the_console_is_what_the_kiosks_status_lookup_shows(browser, central, kiosk):
    reference = kiosk.file("SKTM", "Rudi Hartono")
    kiosk.sync()
    log_in(browser, central, OPERATOR)
    set_status(browser, central, reference, "in_process")
    set_status(browser, central, reference, "ready")
    assert kiosk.status(reference).status == "received"  # what the kiosk knew before its next round
    kiosk.sync()  # the kiosk's next round pulls the status
    lookup = kiosk.status(reference)
    assert (lookup.status, lookup.status_words) == ("ready", "Ready for pickup")


def test_a_decline_needs_a_reason_and_the_kiosk_shows_it(browser, central, kiosk):
    reference = kiosk.file("SKM", "Wati Suryani")
    kiosk.sync()
    log_in(browser, central, OPERATOR)
    browser.get(f"{central.url}/staff/applications/{reference}")
    browser.find_element(By.CSS_SELECTOR, "input[name=status][value=declined]").click()
    follow(browser, browser.find_element(By.XPATH, "//button[contains(., 'Simpan status')]"))
    assert "tulis alasannya" in browser.find_element(By.CSS_SELECTOR, ".error-text").text
    reason = "Surat pengantar RT belum dilampirkan. Silakan datang membawa surat RT."
    set_status(browser, central, reference, "declined", reason)
    kiosk.sync()
    lookup = kiosk.status(reference)
    assert (lookup.status, lookup.decline_reason) == ("declined", reason)


def test_a_help_call_from_the_kiosk_appears_and_is_acknowledged(browser, central, kiosk):
    log_in(browser, central, OPERATOR)
    assert not browser.find_elements(By.CSS_SELECTOR, ".banner")
    call_staff(kiosk.terminal.store, "form")
    kiosk.sync()
    browser.get(f"{central.url}/staff")
    banner = browser.find_element(By.CSS_SELECTOR, ".banner")
    assert "meminta bantuan" in banner.text
    assert banner.value_of_css_property("background-color") == "rgba(180, 35, 24, 1)"
    follow(browser, banner.find_element(By.TAG_NAME, "a"))
    row = browser.find_element(By.CSS_SELECTOR, "table.list tbody tr")
    assert kiosk.terminal.identity.terminal_code in row.text and "belum" in row.text
    follow(browser, row.find_element(By.XPATH, ".//button[contains(., 'Sudah ditanggapi')]"))
    assert not browser.find_elements(By.CSS_SELECTOR, ".banner")
    assert OPERATOR in browser.find_element(By.CSS_SELECTOR, "table.list tbody tr").text


def test_the_terminals_page_shows_a_kiosk_with_queued_applications(browser, central, kiosk):
    queued = [kiosk.file("SKBM", name) for name in CITIZENS[:3]]
    report = kiosk.worker._round(drain=False)  # heartbeat and pulls only: the three stay queued
    assert report.ok and all(kiosk.terminal.store.get(r).state == "queued" for r in queued)
    log_in(browser, central, SUPERVISOR)
    follow(browser, browser.find_element(By.LINK_TEXT, "Kios"))
    row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
               if kiosk.terminal.identity.terminal_code in r.text)
    assert "3 menunggu kirim" in row.text and "aktif" in row.text
    shoot(browser, "terminals")
    kiosk.sync()


def test_the_monthly_report_downloads_as_csv(browser, central, kiosk):
    log_in(browser, central, SUPERVISOR)
    follow(browser, browser.find_element(By.LINK_TEXT, "Laporan"))
    table = browser.find_element(By.CSS_SELECTOR, "table.list").text
    assert "SKD" in table and "SKTM" in table
    shoot(browser, "report")
    folder: Path = browser.downloads
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    browser.find_element(By.LINK_TEXT, "Unduh CSV").click()
    deadline = time.monotonic() + 15
    while not list(folder.glob("*.csv")) and time.monotonic() < deadline:
        time.sleep(0.1)
    files = list(folder.glob("*.csv"))
    assert len(files) == 1 and files[0].name.startswith(f"loket-{OFFICE}-")
    rows = {r["service_code"]: r for r in csv.DictReader(files[0].open(encoding="utf-8"))}
    assert rows["SKTM"]["done"] == "1" and rows["SKM"]["declined"] == "1"
    assert int(rows["SKD"]["filed"]) == 2
