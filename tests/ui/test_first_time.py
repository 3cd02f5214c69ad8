"""What a first-time citizen tripped over (issue 26): nothing a previous citizen typed is ever shown
again, help is asked for before staff are called, and Cek Status never keeps an answer that no
longer matches what is typed."""

from __future__ import annotations

import pytest

from kiosk.status_pin import status_pin
from tests.ui.test_form import open_form
from tests.ui.test_status_pin_ui import ask, file_one, open_status


def test_an_abandoned_form_is_forgotten_when_the_citizen_goes_back_to_welcome(kiosk):
    form = open_form(kiosk)
    kiosk.tap(form.row("nik").input)
    kiosk.type("12")
    kiosk.tap(form.row("full_name").input)  # leaving the NIK shows its error
    assert form.row("nik").error is not None
    kiosk.tap(form.ids.nav.ids.back_button)
    assert kiosk.screen_name == "services"
    kiosk.tap(kiosk.screen.ids.nav.ids.back_button)
    assert kiosk.screen_name == "welcome"
    assert kiosk.app.journey.is_blank

    form = open_form(kiosk)
    assert form.row("nik").input.text == ""
    assert form.row("nik").error is None
    assert not kiosk.app.journey.answers


def test_going_back_to_welcome_keeps_the_citizens_language_and_text_size(kiosk):
    app = kiosk.app
    kiosk.tap(app.root.ids.language_button)
    kiosk.tap(app.root.ids.text_size_button)
    open_form(kiosk)
    kiosk.tap(kiosk.screen.ids.nav.ids.back_button)
    kiosk.tap(kiosk.screen.ids.nav.ids.back_button)
    assert kiosk.screen_name == "welcome"
    assert app.lang == "en" and app.text_scale > app.base_text_scale


def test_the_top_bar_help_asks_first_and_can_be_cancelled(kiosk):
    app = kiosk.app
    store = app.terminal.store

    def calls() -> int:
        return sum(1 for e in store.audit_entries() if e["action"] == "citizen.help_requested")

    before = calls()
    kiosk.tap(app.root.ids.help_button)
    dialog = app.help_dialog
    assert dialog.parent is not None and not dialog.called
    assert "Minta bantuan petugas?" in dialog.ids.message.text
    assert calls() == before, "staff were called before the citizen confirmed"
    kiosk.tap(dialog.ids.cancel_button)
    assert dialog.parent is None and calls() == before

    kiosk.tap(app.root.ids.help_button)
    kiosk.tap(app.help_dialog.ids.confirm_button)
    assert calls() == before + 1
    assert "Petugas sudah dipanggil" in app.help_dialog.ids.message.text
    kiosk.screenshot("help-called")
    kiosk.tap(app.help_dialog.ids.close_button)
    assert app.help_dialog.parent is None


def test_cek_status_forgets_the_answer_when_the_number_or_pin_changes_and_hides_the_pin(kiosk, ui_terminal):
    mine = file_one(kiosk, ui_terminal, "SKD")
    pin = status_pin(ui_terminal.store, ui_terminal.store.get(mine).id)
    status = open_status(kiosk)
    assert status.ids.pin_input.password, "the PIN is shown as typed"
    ask(kiosk, status, mine, pin)
    assert status.result.found and status.ids.status_words.text
    kiosk.screenshot("status-pin-hidden")
    kiosk.tap(status.ids.pin_input)
    kiosk.press_special("backspace")
    kiosk.type("0" if pin[-1] != "0" else "1")
    kiosk.frames(2)
    assert status.result is None and status.ids.status_words.text == "" and status.ids.answer.opacity == 0
    kiosk.tap(status.ids.look_up_button)
    assert status.result.found is False and status.problem
    kiosk.tap(status.ids.reference_input)
    kiosk.press_special("backspace")
    kiosk.frames(2)
    assert status.problem == "", "the last answer's message stays after the number changed"


def test_a_declines_reason_is_in_view_at_1024x600_and_ditolak_is_not_the_blue_of_diterima(kiosk, ui_terminal):
    import datetime as dt

    from tests.ui.fitting import window_rect

    mine = file_one(kiosk, ui_terminal, "SKD")
    app_id = ui_terminal.store.get(mine).id
    ui_terminal.store.set_central_statuses([(app_id, "declined", dt.datetime.now(dt.UTC),
                                             "Surat pengantar RT belum dilampirkan. Silakan datang membawa surat RT.")])
    pin = status_pin(ui_terminal.store, app_id)
    kiosk.resize(1024, 600)
    status = open_status(kiosk)
    ask(kiosk, status, mine, pin)
    kiosk.frames(6)
    assert status.result.status == "declined"
    _x0, bottom, _x1, top = window_rect(status.ids.scroll)
    for widget in (status.ids.status_words, status.ids.decline_reason):
        y0, y1 = window_rect(widget)[1], window_rect(widget)[3]
        assert y0 >= bottom - 1 and y1 <= top + 1, f"{widget.text[:40]!r} is below the fold ({y0:.0f}..{y1:.0f})"
    theme = kiosk.app.theme
    assert tuple(status.ids.status_words.color) == tuple(theme.error) != tuple(theme.primary)
    assert "\u26a0" in status.ids.status_words.text  # an icon too, never colour alone
    kiosk.screenshot("status-declined-1024x600")


def shown_text(label) -> str:
    """What a Label draws (Kivy's laid-out lines), "…" included when it cut the words."""
    label.texture_update()
    return " ".join(" ".join(w.text for w in line.words) for line in label._label._cached_lines).strip()


@pytest.mark.parametrize(("size", "large"), [((1080, 1920), False), ((1080, 1920), True), ((1920, 1080), True),
                                             ((1024, 600), True)], ids=["portrait", "portrait-large", "large",
                                                                        "1024x600-large"])
def test_the_offices_name_is_never_cut(kiosk, size, large):
    app = kiosk.app
    kiosk.resize(*size)
    app.office_name = "Kelurahan Bojongloa Kidul"
    if large:
        kiosk.tap(app.root.ids.text_size_button)
    kiosk.frames(4)
    label = app.root.ids.office_name
    assert shown_text(label) == "Kelurahan Bojongloa Kidul", shown_text(label)
    tw, th = label.texture_size
    assert tw <= label.width + 1 and th <= label.height + 1
    kiosk.screenshot(f"office-name-{size[0]}x{size[1]}{'-large' if large else ''}")


def test_portrait_welcome_leaves_no_large_gap_and_keeps_its_actions_low(kiosk):
    from tests.ui.fitting import shown, window_rect

    kiosk.resize(1080, 1920)
    kiosk.frames(4)
    welcome = kiosk.screen
    boxes = sorted(window_rect(w) for w in welcome.walk(restrict=True)
                   if w is not welcome and shown(w) and (getattr(w, "text", "") or w.__class__.__name__ == "Image"))
    tops = sorted(((b[1], b[3]) for b in boxes), key=lambda b: -b[1])
    gaps = [upper[0] - lower[1] for upper, lower in zip(tops, tops[1:], strict=False) if upper[0] > lower[1]]
    assert max(gaps, default=0) < 400, f"a gap of {max(gaps):.0f} px"
    assert window_rect(welcome.ids.file_button)[3] <= 1920 * 2 / 3, "the actions are out of reach from a wheelchair"
    kiosk.screenshot("portrait-welcome")
