"""A date question offers day / month / year pickers with big buttons beside typing."""

from __future__ import annotations

from screens.date_picker import date_parts, with_part


def test_each_picker_writes_its_part_and_keeps_the_others():
    assert date_parts("17-08") == ["17", "08", ""]
    assert with_part("", "month", 8) == "-08-"
    assert with_part("-08-", "day", 7) == "07-08-"
    assert with_part("07-08-", "year", 1995) == "07-08-1995"
    assert with_part("07-08-1995", "day", 31) == "31-08-1995"


def test_a_citizen_picks_a_date_with_three_pickers_instead_of_typing(kiosk, ui_terminal):
    app = kiosk.app
    kiosk.tap(kiosk.screen.ids.file_button)
    kiosk.tap(next(c for c in kiosk.screen.cards() if c.service.code == "SKD"))
    app.journey.page = app.journey.page_of("living_since")
    app.go("form")
    kiosk.frames(2)
    row = kiosk.screen.row("living_since")
    pickers = row.pickers
    assert pickers is not None and pickers.ids.day_button.height >= 64

    kiosk.tap(pickers.ids.day_button, frames=4)  # the dialog is laid out on its first frames
    days = pickers.dialog.buttons()
    assert [b.value for b in days] == list(range(1, 32)) and min(b.height for b in days) >= 64
    before = kiosk.touches
    kiosk.tap(next(b for b in days if b.value == 17), frames=4)
    assert pickers.dialog is not None and pickers.dialog.title == "Bulan", "the month grid opens by itself"
    kiosk.tap(next(b for b in pickers.dialog.buttons() if b.text == "Agustus"), frames=4)
    assert pickers.dialog is not None and pickers.dialog.title == "Tahun", "the year grid opens by itself"
    kiosk.screenshot("form-date-picker-decades")
    kiosk.tap(next(b for b in pickers.dialog.buttons() if b.text.startswith("2010")), frames=4)
    years = pickers.dialog.buttons()
    assert [b.value for b in years] == list(range(2019, 2009, -1))
    kiosk.tap(next(b for b in years if b.value == 2015))
    assert pickers.dialog is None
    assert kiosk.touches - before == 4, "day, month, decade, year: the picker's own button is the fifth tap"

    assert row.input.text == "17-08-2015"
    assert app.journey.answers["living_since"] == "17-08-2015"
    assert app.journey.check_field("living_since") is None
    kiosk.screenshot("form-date-picked")
