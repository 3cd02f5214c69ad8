"""The citizen's processing record ("Data saya") as central serves it to the kiosk that filed the
application: an opening of the personal data made by the operator in a real headless Chromium shows
up with its role and office (never the staff member's name), with the status changes; another
terminal cannot ask for it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.store.retention import apply_retention
from loket.my_data import RecordUnavailable, fetch_record
from sync.client import CentralClient
from sync.errors import RequestRefused
from tests.central.console.test_browser import (  # noqa: F401 - fixtures used by name
    OFFICE,
    OFFICE_NAME,
    OPERATOR,
    browser,
    enrolled_kiosk,
    kiosk,
    opened_by_operator,
    set_status,
)

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromedriver").exists(), reason="chromium-driver not installed")


def test_the_record_shows_the_console_opening_by_role_and_the_status_changes(browser, central, kiosk, tmp_path):  # noqa: F811
    reference = opened_by_operator(browser, central, kiosk, "Dewi Kartika")
    set_status(browser, central, reference, "in_process")
    record = fetch_record(kiosk.terminal, reference)
    assert record.reference == reference
    kinds = [e.kind for e in record.events]
    assert kinds[:2] == ["filed", "received"] and kinds.count("opened") == 1
    opened = next(e for e in record.events if e.kind == "opened")
    assert (opened.role, opened.office, opened.detail) == ("operator", OFFICE_NAME, "pemrosesan permohonan")
    assert OPERATOR not in record.model_dump_json()
    assert [(e.detail, e.role) for e in record.events if e.kind == "status"] == [("in_process", "operator")]
    assert [e.at for e in record.events] == sorted(e.at for e in record.events)

    apply_retention(kiosk.terminal.store, answers_days=0, metadata_days=365,
                    now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    after = fetch_record(kiosk.terminal, reference)
    assert [e.kind for e in after.events][-1] == "retention"  # the kiosk's own part of the record

    other = enrolled_kiosk(central, OFFICE, tmp_path)  # another kiosk of the same office
    try:
        with pytest.raises(RecordUnavailable):
            fetch_record(other.terminal, reference)  # it holds no such receipt
        identity = other.terminal.identity
        with CentralClient(central.url, terminal_id=identity.terminal_id, signing_key=identity.signing_key) as client, \
                pytest.raises(RequestRefused) as refused:
            client.processing_record(kiosk.terminal.store.get(reference).id)  # nor may it ask central
        assert refused.value.status == 404
    finally:
        other.terminal.close()
