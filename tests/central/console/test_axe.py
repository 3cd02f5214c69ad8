"""Accessibility: axe-core 4.x (installed by scripts/setup into .venv/axe, from the npm registry) injected
by selenium into every console page and the public verification pages, in real headless Chromium:
no violations at all (WCAG 2.x A and AA rules and axe's best practices)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from kiosk.status_pin import status_pin
from printing import make_qr_payload
from tests.central.console.test_browser import (  # noqa: F401  (fixtures)
    OPERATOR,
    SUPERVISOR,
    browser,
    kiosk,
    log_in,
)

AXE = Path(__file__).resolve().parents[3] / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed: run scripts/setup")


def violations(browser) -> list[str]:  # noqa: F811
    """axe's violations on the page shown, one line each (rule, impact, the first few elements)."""
    if not browser.execute_script("return typeof window.axe !== 'undefined'"):
        browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)))"
        ".catch(e => done(JSON.stringify([{id: 'axe-error', impact: String(e), nodes: []}])));")
    return [f"{v['id']} ({v['impact']}): {v.get('help', '')} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in json.loads(result)]


def test_axe_finds_no_violation_on_any_console_or_verification_page(browser, central, kiosk):  # noqa: F811
    reference = kiosk.file("SKD", "Dewi Kartika")
    kiosk.sync()
    app = kiosk.terminal.store.get(reference)
    receipt_url = make_qr_payload(kiosk.terminal.identity, app, central.url)
    assert receipt_url.startswith(central.url)
    found: dict[str, list[str]] = {}

    def check(path: str) -> None:
        browser.get(path if path.startswith("http") else f"{central.url}{path}")
        found[path] = violations(browser)

    browser.delete_all_cookies()
    check("/staff/login")
    for phone in (receipt_url, receipt_url[:-4] + "AAAA"):  # a real receipt, then an altered one
        check(phone)
    browser.get(receipt_url)  # the record behind the receipt's PIN
    browser.find_element("id", "pin").send_keys(status_pin(kiosk.terminal.store, app.id))
    browser.find_element("css selector", "form.pin button").click()
    WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.ID, "record"))
    found["record on a phone"] = violations(browser)
    log_in(browser, central, SUPERVISOR)
    for path in ("/staff", f"/staff/applications/{reference}", "/staff/help", "/staff/terminals", "/staff/reports",
                 "/staff/access-log", "/staff/letters/settings", "/staff/accounts", "/staff/breaches",
                 "/staff/no-such-page"):
        check(path)
    browser.get(f"{central.url}/staff/breaches")  # an incident recorded, with its clock and link form
    browser.execute_script("document.getElementById('found_at').value = '2026-01-01T08:00'")
    for field in ("what_data", "how", "actions"):
        browser.find_element("id", field).send_keys("uji aksesibilitas")
    browser.find_element("xpath", "//form[@id='new-breach']//button").click()
    WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.ID, "clock"))
    found["breach page (overdue)"] = violations(browser)
    browser.get(f"{central.url}/staff/applications/{reference}")
    browser.find_element("xpath", "//button[contains(., 'Buka data pribadi')]").click()
    found["personal data opened"] = violations(browser)
    browser.get(f"{central.url}/staff/lang/en")
    check("/staff")
    bad = {page: lines for page, lines in found.items() if lines}
    assert not bad, json.dumps(bad, indent=1)
