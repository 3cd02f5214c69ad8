"""The access log page in a real headless Chromium says whether the office's hash chain holds: after a
real opening of personal data it holds; after a row is edited in central's SQLite file it names the
entry and marks its row. Screenshots in docs/privacy/."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from central.db import Database
from central.models import AccessLogEntry
from tests.central.console.test_browser import (  # noqa: F401 - fixtures used by name
    SUPERVISOR,
    browser,
    kiosk,
    log_in,
    opened_by_operator,
    shoot,
    shots_in,
)

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromedriver").exists(), reason="chromium-driver not installed")
DOCS_PRIVACY = Path(__file__).resolve().parents[3] / "docs" / "privacy"
shots_in_docs_privacy = shots_in(DOCS_PRIVACY)


def test_the_access_log_page_says_the_chain_holds_then_names_an_entry_edited_in_the_file(browser, central, kiosk):  # noqa: F811
    reference = opened_by_operator(browser, central, kiosk, "Dewi Kartika")
    log_in(browser, central, SUPERVISOR)
    browser.get(f"{central.url}/staff/access-log")
    verdict = browser.find_element(By.ID, "chain")
    assert "chain-holds" in verdict.get_attribute("class")
    assert "Rantai log utuh" in verdict.text
    shoot(browser, "access-log-holds")

    db = Database(central.db_url, migrate_schema=False)
    with db.transaction() as session:
        opening = session.scalar(select(AccessLogEntry.id).where(AccessLogEntry.reference == reference))
    db.dispose()
    with sqlite3.connect(central.db_url.removeprefix("sqlite:///")) as raw:
        raw.execute("UPDATE access_log SET username = 'orang-lain' WHERE id = ?", (opening,))
    browser.get(f"{central.url}/staff/access-log")
    verdict = browser.find_element(By.ID, "chain")
    assert "chain-broken" in verdict.get_attribute("class")
    assert f"Entri #{opening} diubah atau dipindah setelah ditulis." in verdict.text
    marked = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.list tr.broken")]
    assert len(marked) == 1 and reference in marked[0] and "orang-lain" in marked[0]
    shoot(browser, "access-log-broken")
