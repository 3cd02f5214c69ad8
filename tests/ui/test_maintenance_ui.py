"""The technician's way in (hidden corner + PIN) and every dashboard action, by touch, each one audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.applications import file_application
from kiosk.crypto import new_office_keypair
from kiosk.samples import sample_answers
from kiosk.terminal import Terminal
from loket import provisioning
from loket.runtime import Runtime
from sync.bundle import open_bundle

PIN = "402915"


class FakeClock:
    """Stands in for the gesture's monotonic clock, so a 5 s press takes no real time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_terminal(home: Path, central=None) -> Terminal:
    terminal = Terminal(home)
    if central is not None:
        provisioning.enroll(terminal, central.url, central.enrollment_code())
    else:
        terminal.provision_offline(terminal_code="M4NT", office_code="3273010001", office_name="Kelurahan Braga",
                                   office_key=new_office_keypair().public_key)
    provisioning.choose_printer(terminal, provisioning.PrinterChoice("pdf", str(home / "printer"), "PDF"), "80mm")
    provisioning.set_pin(terminal, PIN, PIN)
    provisioning.finish(terminal)
    return terminal


@pytest.fixture
def technician(kiosk, ui_terminal, tmp_path):
    """The app on a terminal of its own (PIN set, PDF printer), its corner clock under the test's control."""
    terminal = make_terminal(tmp_path / "home")
    yield from _on(kiosk, ui_terminal, terminal)


@pytest.fixture
def online_technician(kiosk, ui_terminal, tmp_path, central):
    terminal = make_terminal(tmp_path / "home", central)
    yield from _on(kiosk, ui_terminal, terminal)


def _on(kiosk, ui_terminal, terminal):
    app = kiosk.app
    corner = app.hidden_corner
    real_clock, clock = corner.now, FakeClock()
    corner.now = clock
    session_runtime, app.runtime = app.runtime, Runtime(terminal=terminal)
    app.reset()
    kiosk.frames(2)
    yield kiosk, terminal, clock
    corner.now = real_clock
    app.runtime.close()
    app.runtime = session_runtime
    app.reset()


def hold_corner(kiosk, clock: FakeClock, seconds: float) -> None:
    from kivy.core.window import Window

    from tests.harness.driver import Touch

    touch = Touch(8, Window.height - 8)
    touch.down()
    kiosk.frames(1)
    clock.now += seconds
    touch.up()
    kiosk.frames(2)


def type_pin(kiosk, pin: str) -> None:
    pad = kiosk.screen
    keys = {key.text: key for key in pad.ids.keypad.children}
    for digit in pin:
        kiosk.tap(keys[digit], frames=0)
    kiosk.tap(pad.ids.ok_key)


def open_dashboard(kiosk, clock: FakeClock):
    hold_corner(kiosk, clock, 5.2)
    type_pin(kiosk, PIN)
    assert kiosk.screen_name == "maintenance"
    board = kiosk.screen
    settle(kiosk, board)
    return board


def settle(kiosk, board) -> None:
    assert kiosk.wait_until(lambda: not board.busy and not board.refreshing, 20), "the dashboard never settled"


def audit(terminal: Terminal) -> list[tuple[str, str]]:
    return [(e["action"], e["detail"]) for e in terminal.store.audit_entries(limit=1000)]


def file_some(terminal: Terminal, n: int) -> list[str]:
    service = terminal.catalog.service("SKU")
    return [file_application(terminal.store, terminal.catalog, "SKU", sample_answers(service)).reference
            for _ in range(n)]


def test_a_short_press_or_a_press_elsewhere_does_nothing(technician) -> None:
    kiosk, _terminal, clock = technician
    hold_corner(kiosk, clock, 2.0)
    assert kiosk.screen_name == "welcome"
    from kivy.core.window import Window

    from tests.harness.driver import Touch

    touch = Touch(Window.width / 2, Window.height / 2)
    touch.down()
    clock.now += 10
    touch.up()
    kiosk.frames(2)
    assert kiosk.screen_name == "welcome"


def test_a_five_second_press_on_the_corner_and_the_pin_open_maintenance(technician) -> None:
    kiosk, terminal, clock = technician
    hold_corner(kiosk, clock, 5.2)
    assert kiosk.screen_name == "maintenance_pin"
    kiosk.screenshot("maintenance-pin")
    type_pin(kiosk, PIN)
    assert kiosk.screen_name == "maintenance"
    board = kiosk.screen
    settle(kiosk, board)
    assert board.board.terminal_code == "M4NT" and board.board.office_name == "Kelurahan Braga"
    labels = {row.label: row.value for row in board.ids.figures.children}
    assert len(labels) >= 14 and "M4NT" in next(iter(v for k, v in labels.items() if k in ("Terminal",)))
    assert ("maintenance.entered", "") in audit(terminal)
    kiosk.tap(board.ids.nav.ids.next_button)
    assert kiosk.screen_name == "welcome"
    assert audit(terminal)[-1] == ("maintenance.left", "left by the technician")


def test_the_idle_reset_closes_maintenance_and_says_so_in_the_audit_log(technician) -> None:
    kiosk, terminal, clock = technician
    open_dashboard(kiosk, clock)
    kiosk.app.idle.last_activity -= kiosk.app.idle.timeout_s + kiosk.app.idle.warning_s + 1
    assert kiosk.wait_until(lambda: kiosk.screen_name == "welcome", 5), "maintenance stayed open unattended"
    assert audit(terminal)[-1] == ("maintenance.left", "idle reset")


def test_five_wrong_pins_lock_maintenance_and_the_wait_is_shown(technician) -> None:
    kiosk, terminal, clock = technician
    hold_corner(kiosk, clock, 6)
    pad = kiosk.screen
    for attempt in range(1, 5):
        type_pin(kiosk, "111222")
        assert kiosk.screen_name == "maintenance_pin"
        assert f"{5 - attempt}" in pad.ids.message.message
    type_pin(kiosk, "111222")
    assert "terkunci" in pad.ids.message.message and "5 mnt 0 dtk" in pad.ids.message.message
    kiosk.screenshot("maintenance-pin-locked")
    type_pin(kiosk, PIN)
    assert kiosk.screen_name == "maintenance_pin", "the right PIN does not open a locked maintenance"
    actions = [a for a, _ in audit(terminal)]
    assert actions.count("maintenance.pin_failed") == 5 and "maintenance.locked" in actions
    assert actions[-1] == "maintenance.pin_refused_locked" and "maintenance.entered" not in actions
    kiosk.tap(pad.ids.nav.ids.back_button)
    assert kiosk.screen_name == "welcome"


def test_sync_now_empties_the_queue_into_the_real_central(online_technician) -> None:
    kiosk, terminal, clock = online_technician
    file_some(terminal, 3)
    board = open_dashboard(kiosk, clock)
    assert board.board.unsynced == 3 and board.board.server_reachable is True
    kiosk.tap(board.ids.panels.get_screen("actions").ids.sync_button)
    settle(kiosk, board)
    assert terminal.store.unsynced_count() == 0 and terminal.store.counts()["synced"] == 3
    assert board.result_ok and "terkirim 3: 3 diterima" in board.result  # in the chosen language
    assert board.board.unsynced == 0 and board.board.last_sync_error is None
    kiosk.screenshot("maintenance-dashboard")
    assert ("maintenance.sync_now", "sent 3: 3 accepted, 0 duplicate, 0 rejected") in audit(terminal)


def test_test_print_and_reprint_write_pdfs(technician) -> None:
    kiosk, terminal, clock = technician
    [reference] = file_some(terminal, 1)
    board = open_dashboard(kiosk, clock)
    actions = board.ids.panels.get_screen("actions")
    kiosk.tap(actions.ids.test_print_button)
    settle(kiosk, board)
    printer = Path(terminal.settings.printer_pdf_dir)
    assert board.result_ok and len(list(printer.glob("*TEST*.pdf"))) == 1

    kiosk.tap(actions.ids.reprint_button)
    panel = board.ids.panels.get_screen("reprint")
    assert board.panel == "reprint"
    kiosk.tap(panel.ids.reference_input)
    kiosk.type(reference)
    kiosk.screenshot("maintenance-reprint")
    kiosk.tap(panel.ids.reprint_go)
    settle(kiosk, board)
    reprinted = printer / f"{reference}-reprint-1.pdf"
    assert board.result_ok, board.result
    assert reprinted.exists() and reprinted.read_bytes().startswith(b"%PDF")
    logged = [a for a, _ in audit(terminal)]
    assert {"maintenance.test_print", "maintenance.reprint"} <= set(logged)


def test_export_writes_a_bundle_and_only_then_provisioning_again_is_allowed(technician, tmp_path: Path) -> None:
    kiosk, terminal, clock = technician
    refs = file_some(terminal, 2)
    stick = tmp_path / "media" / "teknisi" / "LOKET-USB"
    stick.mkdir(parents=True)
    board = open_dashboard(kiosk, clock)
    board.usb_roots = (tmp_path / "media",)
    actions = board.ids.panels.get_screen("actions")

    kiosk.tap(actions.ids.reprovision_button)
    assert kiosk.screen_name == "maintenance" and not board.result_ok
    assert "2 application(s)" in board.ids.failure.message
    kiosk.screenshot("maintenance-reprovision-refused")

    kiosk.tap(actions.ids.export_button)
    panel = board.ids.panels.get_screen("export")
    kiosk.tap(next(b for b in panel.ids.folders.children if b.value == stick))
    settle(kiosk, board)
    [bundle] = list(stick.glob("*.bundle.json"))
    _header, contents = open_bundle(bundle.read_bytes(), terminal.identity.verify_key)
    assert sorted(a.reference for a in contents.applications) == sorted(refs)
    assert board.board.unexported == 0
    assert board.result.startswith("2 permohonan dan 0 jawaban survei diekspor ke "), board.result

    kiosk.tap(actions.ids.reprovision_button)
    assert kiosk.screen_name == "provisioning" and kiosk.screen.reprovisioning
    kiosk.tap(kiosk.screen.ids.nav.ids.back_button)
    assert kiosk.screen_name == "maintenance"
    reprovisions = [d for a, d in audit(terminal) if a == "maintenance.reprovision"]
    assert reprovisions[0].startswith("failed: 2 application(s)") and reprovisions[1].startswith("allowed")
    assert any(a == "maintenance.exported" for a, _ in audit(terminal))


def test_changing_the_idle_timeout_and_the_printer_persists(technician) -> None:
    kiosk, terminal, clock = technician
    board = open_dashboard(kiosk, clock)
    actions = board.ids.panels.get_screen("actions")
    kiosk.tap(actions.ids.idle_button)
    idle = board.ids.panels.get_screen("idle")
    kiosk.tap(next(b for b in idle.ids.choices.children if b.value == 180))
    settle(kiosk, board)
    assert Terminal(terminal.paths.home).settings.idle_timeout_s == 180
    assert kiosk.app.idle.timeout_s == 180 and board.panel == "actions"

    kiosk.tap(actions.ids.printer_button)
    printer = board.ids.panels.get_screen("printer")
    kiosk.tap(next(b for b in printer.ids.papers.children if b.value == "58mm"))
    kiosk.screenshot("maintenance-printer")
    kiosk.tap(printer.ids.save_button)
    settle(kiosk, board)
    assert Terminal(terminal.paths.home).settings.printer_paper == "58mm"
    logged = {a: d for a, d in audit(terminal)}
    assert logged["maintenance.change_idle_timeout"] == "180 s" and "58mm" in logged["maintenance.change_printer"]


def test_the_log_tail_exit_and_restart_are_reached_by_touch_and_audited(technician) -> None:
    kiosk, terminal, clock = technician
    from loket.dashboard import start_log_file

    start_log_file(terminal)
    board = open_dashboard(kiosk, clock)
    import logging

    logging.getLogger("loket.test").warning("printer cover opened")
    for handler in logging.getLogger("loket").handlers:
        handler.flush()
    actions = board.ids.panels.get_screen("actions")
    kiosk.tap(actions.ids.log_button)
    settle(kiosk, board)
    assert board.panel == "log" and board.log_lines[-1].endswith("printer cover opened")
    kiosk.screenshot("maintenance-log")
    kiosk.tap(board.ids.panels.get_screen("log").ids.back_button)
    left: list[bool] = []
    board.leave = lambda _app, restart: left.append(restart)
    kiosk.tap(actions.ids.exit_button)
    kiosk.tap(actions.ids.restart_button)
    assert left == [False, True]
    logged = [a for a, _ in audit(terminal)]
    assert {"maintenance.view_log", "maintenance.exit_to_desktop", "maintenance.restart"} <= set(logged)
    del board.leave


def test_provisioning_again_moves_the_kiosk_to_the_office_central_names(online_technician, central) -> None:
    kiosk, terminal, clock = online_technician
    old_code = terminal.identity.terminal_code
    new_office = central.create_office(name="Kelurahan Merdeka")
    board = open_dashboard(kiosk, clock)
    kiosk.tap(board.ids.panels.get_screen("actions").ids.reprovision_button)
    setup = kiosk.screen
    assert kiosk.screen_name == "provisioning" and setup.reprovisioning
    setup.ids.code.text = central.enrollment_code(new_office)
    kiosk.tap(setup.ids.nav.ids.next_button)
    assert kiosk.wait_until(lambda: setup.step == "office" or setup.problem), "enrollment never finished"
    assert setup.ids.office_name.text == "Kelurahan Merdeka", setup.problem
    for _step in ("office", "printer"):
        if setup.step == "printer":
            kiosk.tap(setup.ids.test_print_button)
            assert kiosk.wait_until(lambda: setup.tested or setup.problem)
        kiosk.tap(setup.ids.nav.ids.next_button)
    setup.ids.pin.text = setup.ids.pin_again.text = "730194"
    kiosk.tap(setup.ids.nav.ids.next_button)
    kiosk.tap(setup.ids.nav.ids.next_button)
    assert kiosk.screen_name == "welcome"
    assert "Kelurahan Merdeka" in kiosk.screen.ids.title.text, "the app must not keep the old office in memory"
    identity = kiosk.app.terminal.identity
    assert identity.office_code == new_office and identity.terminal_code != old_code
