"""The receipt's QR opens the office's public address (the one its letters use), which central gives the
terminal with every heartbeat; before the office has set one it opens the central the terminal enrolled with."""

from __future__ import annotations

from central.db import Database
from central.letters.office_settings import update_settings
from central.offices import get_office
from kiosk.receipt_code import VERIFY_PATH
from kiosk.terminal import Terminal
from printing.receipts import receipt_for
from tests.sync.conftest import file_many
from tests.sync.test_worker import worker_for

PUBLIC = "https://layanan.braga.example.go.id"


def set_public_url(db_url: str, office_code: str, url: str) -> None:
    db = Database(db_url, migrate_schema=False)
    try:
        with db.transaction() as session:
            update_settings(session, get_office(session, office_code), {"public_url": url})
    finally:
        db.dispose()


def test_the_receipt_qr_opens_the_offices_public_address_not_the_sync_address(enrolled: Terminal, central) -> None:
    (app_id,) = file_many(enrolled, 1)
    app = next(a for a in enrolled.store.applications() if a.id == app_id)
    assert worker_for(enrolled).run_once().ok
    assert receipt_for(enrolled, app).qr_payload.startswith(central.url + VERIFY_PATH), \
        "without a public address the QR opens the central it enrolled with"

    set_public_url(central.db_url, enrolled.identity.office_code, PUBLIC + "/")
    report = worker_for(enrolled).run_once()
    assert report.ok, report.errors
    assert enrolled.store.values.office_public_url == PUBLIC
    enrolled.refresh()  # as the runtime does after a round that reached central (the worker has its own terminal)
    payload = receipt_for(enrolled, app).qr_payload
    assert payload.startswith(PUBLIC + VERIFY_PATH), payload
    assert central.url not in payload
