"""Cek Status on the screen: a neighbour's number with my PIN says only "not found"; five misses rest it."""

from __future__ import annotations

import datetime as dt

from kiosk.samples import sample_answers
from kiosk.status_pin import LookupGuard, status_pin


def file_one(kiosk, terminal, code: str) -> str:
    kiosk.file(code, sample_answers(terminal.catalog.service(code)))
    kiosk.wait_until(lambda: kiosk.screen.printing != "printing")
    return kiosk.screen.reference


def open_status(kiosk):
    """Welcome's Cek Status, its five-miss guard fresh (the kiosk's count is shared by all tests)."""
    kiosk.app.reset()
    kiosk.tap(kiosk.screen.ids.status_button)
    status = kiosk.screen
    status.guard = LookupGuard()
    return status


def ask(kiosk, status, reference: str, pin: str) -> None:
    status.clear()
    kiosk.tap(status.ids.reference_input)
    kiosk.type(reference)
    kiosk.tap(status.ids.pin_input)
    kiosk.type(pin)
    kiosk.tap(status.ids.look_up_button)


def test_the_receipt_screen_shows_the_pin_and_cek_status_asks_for_it(kiosk, ui_terminal):
    mine = file_one(kiosk, ui_terminal, "SKU")
    receipt = kiosk.screen
    pin = status_pin(ui_terminal.store, ui_terminal.store.get(mine).id)
    assert receipt.ids.pin.text == f"PIN cek status: {pin}"
    kiosk.screenshot("receipt-with-pin")
    kiosk.app.reset()
    kiosk.tap(kiosk.screen.ids.status_button)
    status = kiosk.screen
    status.guard = LookupGuard()
    kiosk.type(mine)
    kiosk.tap(status.ids.look_up_button)
    assert status.result is None and "PIN" in status.ids.problem.ids.error_text.text, "a PIN is asked for"
    ask(kiosk, status, mine, pin)
    assert status.result.found and status.ids.status_words.text == "Menunggu dikirim"
    kiosk.screenshot("status-with-pin")


def test_a_neighbours_number_with_my_pin_says_only_not_found_and_five_misses_rest_the_lookup(kiosk, ui_terminal):
    mine = file_one(kiosk, ui_terminal, "SKD")
    kiosk.app.reset()
    neighbour = file_one(kiosk, ui_terminal, "SKD")
    my_pin = status_pin(ui_terminal.store, ui_terminal.store.get(mine).id)
    status = open_status(kiosk)
    ask(kiosk, status, neighbour, my_pin)
    assert status.result.found is False and status.ids.answer.opacity == 0
    problem = status.ids.problem.ids.error_text.text
    assert "Tidak ada permohonan dengan nomor dan PIN ini" in problem
    assert status.ids.status_words.text == "", "nothing of the neighbour's application is shown"
    kiosk.screenshot("status-wrong-pin")
    for _ in range(4):
        ask(kiosk, status, neighbour, my_pin)
    ask(kiosk, status, mine, my_pin)  # even the right PIN waits out the minute
    assert status.result is None and "tunggu satu menit" in status.ids.problem.ids.error_text.text
    kiosk.screenshot("status-cooling-down")
    status.guard.cooling_until = dt.datetime.now(dt.UTC)  # the minute has passed
    ask(kiosk, status, mine, my_pin)
    assert status.result.found
