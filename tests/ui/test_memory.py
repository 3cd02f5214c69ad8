"""A kiosk runs for months: what a citizen's journey builds is reused or let go, never piled up."""

from __future__ import annotations

from tests.ui.test_form import open_form


def test_moving_between_numeric_and_text_fields_rebuilds_no_keyboard(kiosk):
    form = open_form(kiosk)
    dock = kiosk.app.keyboard
    kiosk.tap(form.row("nik").input)
    numeric = dock.keyboard
    keys = [id(label) for label in numeric.children]
    kiosk.tap(form.row("full_name").input)
    text = dock.keyboard
    assert text is not numeric and dock.kind == "text"
    kiosk.tap(form.row("nik").input)
    assert dock.keyboard is numeric and dock.kind == "numeric"
    assert [id(label) for label in numeric.children] == keys, "the keys' labels were built again"
    kiosk.type("32")
    assert form.row("nik").input.text.endswith("32")
