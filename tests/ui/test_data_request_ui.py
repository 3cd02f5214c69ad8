"""A citizen's correction request, end to end with the real parts: filed at the kiosk in a real Kivy
window under Xvfb (Cek Status → Data saya → the request, the new value typed on the on-screen keyboard),
synced to a real central on loopback over HTTP, found in the console's request queue by an operator in a
real headless Chromium (selenium), applied there, and shown back in the kiosk's Data saya. Screenshots of
the request's steps at 1024x600 (docs/privacy/) and of the console's queue (docs/console/)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import update

from central.console.accounts import add_staff
from central.db import Database
from central.models import Application, CitizenRequest
from central.records import open_personal_data
from kiosk.applications import file_application
from kiosk.citizen_requests import file_request
from kiosk.samples import sample_answers
from kiosk.status_pin import LookupGuard, status_pin
from loket.runtime import Runtime
from tests.central.console.conftest import PASSWORD, ConsoleClient
from tests.central.console.test_browser import browser, enrolled_kiosk, follow, log_in  # noqa: F401 - fixture
from tests.ui.test_status_pin_ui import ask

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromedriver").exists(), reason="chromium-driver not installed")

ROOT = Path(__file__).resolve().parents[2]
PRIVACY, CONSOLE = ROOT / "docs" / "privacy", ROOT / "docs" / "console"
OFFICE, OPERATOR = "3273010001", "wulan"
NEW_ADDRESS = "Jl. Asia Afrika 8"


def keep(shot: Path | None, folder: Path, name: str) -> None:
    assert shot is not None and shot.exists()
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, folder / f"{name}.png")


def open_my_data(kiosk, terminal, reference: str):  # noqa: ANN001, ANN201
    kiosk.app.reset()
    kiosk.tap(kiosk.screen.ids.status_button)
    status = kiosk.screen
    status.guard = LookupGuard()
    ask(kiosk, status, reference, status_pin(terminal.store, terminal.store.get(reference).id))
    assert status.result is not None and status.result.found, status.problem
    kiosk.tap(status.ids.my_data_button)
    my_data = kiosk.screen
    assert kiosk.wait_until(lambda: my_data.state == "shown", timeout_s=15), my_data.state
    return my_data


def button(container, words: str):  # noqa: ANN001, ANN201
    return next(b for b in container.children if words in b.text)


def test_a_correction_filed_at_the_kiosk_is_applied_in_the_console_and_shown_back(kiosk, central, tmp_path, ui_runtime,
                                                                                  browser):  # noqa: F811
    enrolled = enrolled_kiosk(central, OFFICE, tmp_path)
    terminal = enrolled.terminal
    db = Database(central.db_url, migrate_schema=False)
    with db.transaction() as session:
        add_staff(session, OFFICE, OPERATOR, "operator", PASSWORD)
    app = file_application(terminal.store, terminal.catalog, "SKD", sample_answers(terminal.catalog.service("SKD")))
    other = file_application(terminal.store, terminal.catalog, "SKU", sample_answers(terminal.catalog.service("SKU")))
    enrolled.sync()
    late = file_request(terminal.store, terminal.catalog, other.reference, "copy")  # made overdue below
    runtime = Runtime(terminal=terminal)
    kiosk.app.runtime = runtime
    try:
        kiosk.resize(1024, 600)
        my_data = open_my_data(kiosk, terminal, app.reference)
        kiosk.tap(my_data.ids.request_button)
        assert kiosk.screen_name == "data_request"
        asking = kiosk.screen
        assert [b.text for b in asking.ids.choices.children[::-1]] == [
            "Koreksi data saya", "Tarik persetujuan dan hapus data saya", "Minta salinan data saya"]
        keep(kiosk.screenshot("request-kind"), PRIVACY, "request-kind-1024x600")
        kiosk.tap(button(asking.ids.choices, "Koreksi"))
        assert asking.step == "field"
        labels = [b.text for b in asking.ids.choices.children[::-1]]
        assert "Alamat" in " ".join(labels)
        assert not any("Persetujuan" in label for label in labels)  # consent is withdrawn, not corrected
        keep(kiosk.screenshot("request-field"), PRIVACY, "request-field-1024x600")
        kiosk.tap(button(asking.ids.choices, "Alamat"))
        assert asking.step == "value" and asking.ids.value_input.focus

        kiosk.tap(asking.ids.nav.ids.next_button)  # nothing typed: refused in words, stays on the step
        assert asking.step == "value" and "wajib" in asking.ids.problem.ids.error_text.text.lower()
        keep(kiosk.screenshot("request-value-refused"), PRIVACY, "request-value-refused-1024x600")
        kiosk.tap(asking.ids.value_input)
        kiosk.type(NEW_ADDRESS)
        assert asking.ids.value_input.text == NEW_ADDRESS
        keep(kiosk.screenshot("request-value"), PRIVACY, "request-value-1024x600")
        kiosk.tap(asking.ids.nav.ids.next_button)
        assert asking.step == "confirm" and NEW_ADDRESS in asking.ids.confirm_words.text
        keep(kiosk.screenshot("request-confirm"), PRIVACY, "request-confirm-1024x600")
        kiosk.tap(asking.ids.nav.ids.next_button)
        assert kiosk.wait_until(lambda: asking.step == "done", timeout_s=15), asking.problem
        filed = terminal.store.get(asking.filed)
        assert filed is not None and filed.state in ("queued", "sending", "synced")
        assert "72 jam" in asking.ids.done_words.text and asking.filed in asking.ids.done_words.text
        keep(kiosk.screenshot("request-done"), PRIVACY, "request-done-1024x600")

        enrolled.sync()  # the request travels as the applications do, over HTTP
        assert terminal.store.get(asking.filed).state == "synced"
        with db.transaction() as session:  # the other request came in three days ago: it is overdue now
            received = dt.datetime.now(dt.UTC) - dt.timedelta(hours=75)
            session.execute(update(CitizenRequest).where(CitizenRequest.id == late.id)
                            .values(received_at=received, due_at=received + dt.timedelta(hours=72)))

        log_in(browser, central, OPERATOR)
        browser.get(f"{central.url}/staff/requests")
        rows = browser.find_elements(By.CSS_SELECTOR, "#request-list tbody tr")
        assert len(rows) == 2
        assert "overdue" in rows[0].get_attribute("class") and other.reference in rows[0].text  # due first, marked
        mine = rows[1]
        assert app.reference in mine.text and "Koreksi data (Alamat)" in mine.text
        assert "overdue" not in mine.get_attribute("class")
        assert NEW_ADDRESS not in browser.page_source  # the queue shows nothing personal
        browser.save_screenshot(str(tmp_path / "queue.png"))
        keep(tmp_path / "queue.png", CONSOLE, "requests-queue")
        follow(browser, mine.find_element(By.CSS_SELECTOR, "a"))
        follow(browser, browser.find_element(By.ID, "open-values"))
        assert browser.find_element(By.ID, "new-value").text == NEW_ADDRESS
        assert browser.find_element(By.ID, "old-value").text == "Jl. Braga No. 12, Bandung"
        browser.save_screenshot(str(tmp_path / "request.png"))
        keep(tmp_path / "request.png", CONSOLE, "request-correction")
        browser.find_element(By.CSS_SELECTOR, "input[name=action][value=apply]").click()
        follow(browser, browser.find_element(By.CSS_SELECTOR, "#decide button[type=submit]"))
        assert "Keputusan disimpan" in browser.page_source
        with db.transaction() as session:
            stored = session.get(Application, app.id)
            assert open_personal_data(session, stored)["answers"]["address"] == NEW_ADDRESS

        my_data = open_my_data(kiosk, terminal, app.reference)  # the citizen comes back
        rows = [w.text for w in my_data.ids.events.children[::-1]]
        assert any("Kantor menjalankan permintaan Anda “koreksi data saya”" in r for r in rows), rows
        assert any("untuk: koreksi data atas permintaan Anda" in r for r in rows), rows  # the opening, logged
        my_data.ids.scroll.scroll_y = 0  # the newest lines, at the bottom
        kiosk.frames(3)
        keep(kiosk.screenshot("my-data-after-request"), PRIVACY, "my-data-after-request-1024x600")
        kiosk.resize(1920, 1080)
        kiosk.app.reset()
        assert kiosk.app.screen("data_request").reference == "" and kiosk.app.screen("data_request").filed == ""
    finally:
        kiosk.app.runtime = ui_runtime
        runtime.close()
        db.dispose()
        terminal.close()


def test_data_saya_says_the_data_was_deleted_and_offers_no_request_about_it(kiosk, central, tmp_path, ui_runtime):
    enrolled = enrolled_kiosk(central, OFFICE, tmp_path)
    terminal = enrolled.terminal
    db = Database(central.db_url, migrate_schema=False)
    with db.transaction() as session:
        add_staff(session, OFFICE, "lurah", "supervisor", PASSWORD)
    app = file_application(terminal.store, terminal.catalog, "SKD", sample_answers(terminal.catalog.service("SKD")))
    enrolled.sync()
    deletion = file_request(terminal.store, terminal.catalog, app.reference, "deletion")
    enrolled.sync()
    supervisor = ConsoleClient(central.url)
    supervisor.log_in("lurah")
    assert supervisor.post(f"/staff/requests/{deletion.id}/decide", {"action": "apply"}).status_code == 200
    supervisor.http.close()
    enrolled.sync()  # the status the deletion ended it with comes back with the next round
    runtime = Runtime(terminal=terminal)
    kiosk.app.runtime = runtime
    try:
        kiosk.resize(1024, 600)
        my_data = open_my_data(kiosk, terminal, app.reference)
        status = kiosk.app.screen("status")  # Cek Status said it first: declined, with the reason
        assert status.result.status == "declined"
        assert "menarik persetujuan" in status.ids.decline_reason.text
        assert my_data.deleted and my_data.ids.request_button.disabled and my_data.ids.request_button.height == 0
        assert "sudah dihapus atas permintaan Anda" in my_data.ids.deleted_note.text
        rows = [w.text for w in my_data.ids.events.children[::-1]]
        assert any("Kantor menghapus data pribadi Anda atas permintaan Anda" in r for r in rows), rows
        assert terminal.store.get(app.reference).answers_deleted_at is not None  # nor does the kiosk keep a copy
        my_data = open_my_data(kiosk, terminal, app.reference)  # the next look tells of the kiosk's copy too
        rows = [w.text for w in my_data.ids.events.children[::-1]]
        assert rows[-1].endswith("Anjungan ini menghapus salinan data Anda yang terkunci"), rows
        my_data.ids.scroll.scroll_y = 1
        kiosk.frames(3)
        keep(kiosk.screenshot("my-data-deleted"), PRIVACY, "my-data-deleted-1024x600")
        kiosk.resize(1920, 1080)
    finally:
        kiosk.app.runtime = ui_runtime
        runtime.close()
        db.dispose()
        terminal.close()
