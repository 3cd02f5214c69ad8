"""Personal data a staff member opened stays open on that application's page through a status change (one
opening, logged once), in a real headless Chromium; it is sealed again once she leaves the application,
and an opening from an earlier session opens nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from central.db import Database
from central.models import AccessLogEntry
from tests.central.console.test_axe import violations
from tests.central.console.test_browser import (  # noqa: F401 - fixtures used by name
    OPERATOR,
    browser,
    follow,
    kiosk,
    log_in,
    opened_by_operator,
    shoot,
)

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromedriver").exists(), reason="chromium-driver not installed")


def _openings(central, reference: str) -> list[str]:
    db = Database(central.db_url, migrate_schema=False)
    with db.transaction() as session:
        users = session.scalars(select(AccessLogEntry.username).where(
            AccessLogEntry.reference == reference, AccessLogEntry.action == "personal_data.opened")).all()
    db.dispose()
    return list(users)


def _change_status(page, status: str) -> None:
    page.find_element(By.CSS_SELECTOR, f"input[name=status][value={status}]").click()
    follow(page, page.find_element(By.XPATH, "//button[contains(., 'Simpan status')]"))


def test_opened_data_stays_open_through_a_status_change_and_is_logged_once(browser, central, kiosk):  # noqa: F811
    reference = opened_by_operator(browser, central, kiosk, "Wulan Anggraini")
    assert "Wulan Anggraini" in browser.find_element(By.CSS_SELECTOR, "dl.personal").text
    _change_status(browser, "in_process")
    assert "Status disimpan" in browser.page_source
    shown = browser.find_elements(By.CSS_SELECTOR, "dl.personal")
    assert shown and "Wulan Anggraini" in shown[0].text, "the opened data re-sealed after the status change"
    assert "Dibuka oleh siti" in browser.page_source
    shoot(browser, "application-opened-after-status-change")
    assert violations(browser) == []
    _change_status(browser, "ready")
    assert "Wulan Anggraini" in browser.find_element(By.CSS_SELECTOR, "dl.personal").text
    assert _openings(central, reference) == [OPERATOR]

    follow(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Daftar permohonan"))  # she leaves it
    follow(browser, browser.find_element(By.LINK_TEXT, reference))
    assert "Wulan Anggraini" not in browser.page_source and "Buka data pribadi" in browser.page_source
    assert _openings(central, reference) == [OPERATOR]


def test_an_opening_from_an_earlier_session_opens_nothing(browser, central, kiosk):  # noqa: F811
    reference = opened_by_operator(browser, central, kiosk, "Hendra Gunawan")
    opening = browser.find_element(By.CSS_SELECTOR, "input[name=opened]").get_attribute("value")
    log_in(browser, central, OPERATOR)  # a new session: the old one's opening is closed
    browser.get(f"{central.url}/staff/applications/{reference}")
    browser.execute_script("var f = document.querySelector('form[action$=\"/status\"]');"
                           "var i = document.createElement('input'); i.type = 'hidden'; i.name = 'opened';"
                           "i.value = arguments[0]; f.appendChild(i);", opening)
    _change_status(browser, "in_process")
    assert "Status disimpan" in browser.page_source and "Hendra Gunawan" not in browser.page_source
    assert _openings(central, reference) == [OPERATOR]
