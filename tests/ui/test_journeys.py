"""One full journey per catalog service, by touch: the application lands in the store, a receipt prints."""

from __future__ import annotations

import pytest

from kiosk.catalog import load_catalog
from kiosk.catalog.loader import DEFAULT_CATALOG
from kiosk.samples import sample_answers

SERVICES = [s.code for s in load_catalog(DEFAULT_CATALOG).services]


def test_the_default_catalog_has_ten_services_to_walk_through():
    assert len(SERVICES) == 10


@pytest.mark.parametrize("code", SERVICES)
def test_a_citizen_files_each_service_by_touch_and_leaves_with_a_receipt(kiosk, ui_terminal, code):
    service = ui_terminal.catalog.service(code)
    before = {a.reference for a in ui_terminal.store.applications()}

    kiosk.file(code, sample_answers(service), shoot=f"journey-{code}")

    receipt = kiosk.screen
    reference = receipt.reference
    assert reference and reference not in before
    stored = ui_terminal.store.get(reference)
    assert stored is not None and stored.service_code == code and stored.state == "queued"
    assert receipt.ids.reference.text == reference
    assert receipt.qr is not None
    assert kiosk.wait_until(lambda: receipt.printing != "printing"), "the receipt never finished printing"
    assert receipt.printing == "printed", receipt.outcome
    assert receipt.outcome.pdf_path.exists() and receipt.outcome.pdf_path.stat().st_size > 1000
    kiosk.screenshot(f"journey-{code}-receipt")

    kiosk.tap(receipt.ids.nav.ids.next_button)  # Selesai: the optional survey, the application forgotten
    assert kiosk.screen_name == "survey"
    assert kiosk.app.journey.is_blank
    kiosk.tap(kiosk.screen.ids.nav.ids.back_button)  # Lewati
    assert kiosk.screen_name == "welcome"
