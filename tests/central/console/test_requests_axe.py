"""Accessibility of the citizen's-requests pages: axe-core in real headless Chromium finds no violation on
the queue, a request's page, the page with its data opened, or a refused decision."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By

from kiosk.citizen_requests import file_request
from tests.central.console.test_axe import AXE, violations
from tests.central.console.test_browser import (  # noqa: F401  (fixtures)
    OPERATOR,
    browser,
    follow,
    kiosk,
    log_in,
)

pytestmark = pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed: run scripts/setup")


def test_axe_finds_no_violation_on_the_request_pages(browser, central, kiosk):  # noqa: F811
    reference = kiosk.file("SKD", "Dewi Kartika")
    kiosk.sync()
    asked = file_request(kiosk.terminal.store, kiosk.terminal.catalog, reference, "correction",
                         field="full_name", value="Dewi Kartika Sari")
    kiosk.sync()
    log_in(browser, central, OPERATOR)
    found: dict[str, list[str]] = {}
    for path in ("/staff/requests", f"/staff/requests/{asked.id}"):
        browser.get(f"{central.url}{path}")
        found[path] = violations(browser)
    follow(browser, browser.find_element(By.ID, "open-values"))
    assert browser.find_element(By.ID, "new-value").text == "Dewi Kartika Sari"
    found["opened"] = violations(browser)
    browser.find_element(By.CSS_SELECTOR, "input[name=action][value=refuse]").click()
    follow(browser, browser.find_element(By.CSS_SELECTOR, "#decide button[type=submit]"))
    assert "alasan" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text  # refused: no reason given
    found["refused without a reason"] = violations(browser)
    bad = {page: lines for page, lines in found.items() if lines}
    assert not bad, json.dumps(bad, indent=1)
