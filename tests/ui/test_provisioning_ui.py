"""Staff set up a blank kiosk by touch against a real central, from the first screen to Welcome."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.maintenance import MaintenanceGate
from kiosk.terminal import Terminal
from loket.runtime import Runtime


@pytest.fixture
def blank_kiosk(kiosk, ui_terminal, tmp_path):
    """The app on a terminal that has never been provisioned; the session terminal comes back after."""
    blank = Terminal(tmp_path / "blank")
    app = kiosk.app
    session_runtime, app.runtime = app.runtime, Runtime(terminal=blank)
    app.reset()
    kiosk.frames(2)
    yield kiosk, blank
    app.runtime.close()  # stops its sync worker, closes its terminals
    app.runtime = session_runtime
    app.reset()


def type_into(kiosk, field, text: str) -> None:
    kiosk.tap(field)
    kiosk.type(text)


def test_staff_provision_a_blank_kiosk_by_touch_and_it_opens_on_welcome(blank_kiosk, central) -> None:
    kiosk, blank = blank_kiosk
    host, port = central.url.removeprefix("http://").split(":")
    code = central.enrollment_code()
    assert kiosk.screen_name == "not_provisioned"
    kiosk.tap(kiosk.screen.ids.setup_button)
    setup = kiosk.screen
    assert kiosk.screen_name == "provisioning" and setup.step == "server"
    assert setup.ids.title.subtitle.endswith("Langkah 1 dari 5")

    kiosk.tap(setup.ids.http_button)
    type_into(kiosk, setup.ids.server_host, host)
    type_into(kiosk, setup.ids.server_port, port)
    type_into(kiosk, setup.ids.code, code)
    assert kiosk.app.keyboard.visible, "the code is typed on the docked keyboard"
    assert (setup.ids.server_host.text, setup.ids.server_port.text, setup.ids.code.text) == (host, port, code)
    kiosk.screenshot("provisioning-1-server")
    kiosk.tap(setup.ids.nav.ids.next_button)
    assert kiosk.wait_until(lambda: setup.step != "server" or setup.problem), "enrollment never finished"
    assert setup.step == "office", setup.problem
    assert setup.ids.office_name.text == "Kelurahan Braga"
    assert "3273010001" in setup.ids.office_details.text
    assert blank.identity is not None and blank.identity.office_code == "3273010001"
    kiosk.screenshot("provisioning-2-office")
    kiosk.tap(setup.ids.nav.ids.next_button)

    assert setup.step == "printer"
    kiosk.tap(setup.ids.nav.ids.next_button)
    assert setup.step == "printer" and "test page" in setup.problem, "no test page, no next step"
    pdf_choice = next(b for b in setup.ids.printers.children if b.value.backend == "pdf")
    kiosk.tap(pdf_choice)
    kiosk.tap(next(b for b in setup.ids.papers.children if b.value == "58mm"))
    kiosk.tap(setup.ids.test_print_button)
    assert kiosk.wait_until(lambda: setup.tested or setup.problem), "the test print never finished"
    test_pages = list(blank.paths.receipts.glob("*TEST*.pdf"))
    assert len(test_pages) == 1 and test_pages[0].read_bytes().startswith(b"%PDF"), setup.problem
    assert str(test_pages[0]) in setup.ids.tested.text
    kiosk.screenshot("provisioning-3-printer")
    kiosk.tap(setup.ids.nav.ids.next_button)

    assert setup.step == "pin"
    type_into(kiosk, setup.ids.pin, "402915")
    assert kiosk.app.keyboard.kind == "numeric"
    type_into(kiosk, setup.ids.pin_again, "402916")
    kiosk.tap(setup.ids.nav.ids.next_button)
    assert setup.step == "pin" and "differ" in setup.problem
    type_into(kiosk, setup.ids.pin, "402915")
    type_into(kiosk, setup.ids.pin_again, "402915")
    kiosk.screenshot("provisioning-4-pin")
    kiosk.tap(setup.ids.nav.ids.next_button)

    assert setup.step == "settings"
    kiosk.tap(next(b for b in setup.ids.idle_choices.children if b.value == 120))
    kiosk.tap(next(b for b in setup.ids.languages.children if b.value == "en"))
    kiosk.screenshot("provisioning-5-settings")
    kiosk.tap(setup.ids.nav.ids.next_button)

    assert kiosk.screen_name == "welcome"
    assert "Welcome to the Kelurahan Braga self-service kiosk" in kiosk.screen.ids.title.text
    saved = Terminal(blank.paths.home)
    settings = saved.settings
    assert (settings.idle_timeout_s, settings.language, settings.printer_paper) == (120, "en", "58mm")
    assert settings.server_url == central.url and settings.printer_backend == "pdf"
    assert MaintenanceGate(saved.store, settings.maintenance_pin_hash).try_pin("402915").accepted
    actions = [e["action"] for e in saved.store.audit_entries(limit=1000)]
    assert actions.index("sync.enrolled") < actions.index("printer.tested") < actions.index("provisioning.finished")
    saved.close()
    assert kiosk.app.idle.timeout_s == 120
    assert kiosk.app.sync_worker is not None and kiosk.app.sync_worker.running


def test_a_wrong_address_or_code_is_explained_and_nothing_is_saved(blank_kiosk, central) -> None:
    kiosk, blank = blank_kiosk
    kiosk.app.go("provisioning")
    setup = kiosk.screen
    type_into(kiosk, setup.ids.server_host, "central.example.id")
    kiosk.tap(setup.ids.http_button)
    kiosk.tap(setup.ids.nav.ids.next_button)
    assert "plain http" in setup.ids.problem.message and setup.step == "server"
    type_into(kiosk, setup.ids.server_host, "")
    setup.ids.server_host.text = central.url.removeprefix("http://")
    type_into(kiosk, setup.ids.code, "AAAABBBBCCCC")
    kiosk.tap(setup.ids.nav.ids.next_button)
    assert kiosk.wait_until(lambda: not setup.busy)
    assert setup.step == "server" and "refused the enrollment code" in setup.problem
    kiosk.screenshot("provisioning-refused-code")
    assert blank.identity is None


def test_staff_who_see_the_wrong_office_go_back_to_the_code(blank_kiosk, central, tmp_path: Path) -> None:
    kiosk, blank = blank_kiosk
    kiosk.app.go("provisioning")
    setup = kiosk.screen
    kiosk.tap(setup.ids.http_button)
    setup.ids.server_host.text = central.url.removeprefix("http://")
    setup.ids.code.text = central.enrollment_code()
    kiosk.tap(setup.ids.nav.ids.next_button)
    assert kiosk.wait_until(lambda: setup.step == "office")
    kiosk.tap(setup.ids.wrong_office_button)
    assert setup.step == "server" and setup.ids.code.text == "" and "another office" in setup.problem


def test_a_setup_interrupted_after_enrolling_resumes_at_the_office_check(blank_kiosk, central) -> None:
    from loket import provisioning

    kiosk, blank = blank_kiosk
    provisioning.enroll(blank, central.url, central.enrollment_code())
    kiosk.app.reset()  # what a restart shows: not Welcome, the unfinished setup
    setup = kiosk.screen
    assert kiosk.screen_name == "provisioning" and setup.step == "office"
    assert setup.ids.office_name.text == "Kelurahan Braga"


def test_staff_provision_from_a_usb_file_central_wrote_without_any_network(blank_kiosk, central, tmp_path) -> None:
    from central.cli import main as central_cli

    kiosk, blank = blank_kiosk
    stick = tmp_path / "media" / "staf" / "LOKET-USB"
    stick.mkdir(parents=True)
    office = central.create_office(name="Kelurahan Cihapit")
    assert central_cli(["provisioning-file", "--office", office, "--server", central.url, "--out", str(stick),
                        "--db", central.db_url]) == 0
    central.stop()  # nothing below needs the network
    kiosk.app.go("provisioning")
    setup = kiosk.screen
    setup.usb_roots = (tmp_path / "media",)
    kiosk.tap(setup.ids.usb_button)
    assert setup.step == "usb" and setup.ids.title.subtitle.endswith("Langkah 1 dari 5")
    [choice] = setup.ids.usb_files.children
    assert choice.value.name.endswith(".loket-provisioning.json")
    kiosk.screenshot("provisioning-usb")
    kiosk.tap(choice)

    assert setup.step == "office" and setup.from_file
    assert setup.ids.office_name.text == "Kelurahan Cihapit" and setup.ids.pending_note.text
    assert blank.identity.office_code == office and blank.settings.server_url == central.url
    kiosk.tap(setup.ids.nav.ids.next_button)
    assert setup.step == "printer"
    actions = [e["action"] for e in blank.store.audit_entries(limit=100)]
    assert "terminal.provisioned_from_file" in actions


def test_without_a_stick_the_usb_step_says_what_to_do(blank_kiosk, tmp_path) -> None:
    kiosk, _blank = blank_kiosk
    kiosk.app.go("provisioning")
    setup = kiosk.screen
    setup.usb_roots = (tmp_path / "media",)
    kiosk.tap(setup.ids.usb_button)
    assert setup.ids.usb_files.children == [] and "Pasang flashdisk USB" in setup.ids.problem.message
    kiosk.tap(setup.ids.nav.ids.back_button)
    assert setup.step == "server"


def publish_catalog(central, office: str, folder: Path, version: str) -> None:
    """Central puts a smaller catalog (the first three services) in force for the office."""
    import json

    from central.cli import main as central_cli
    from kiosk.catalog.loader import DEFAULT_CATALOG

    document = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    document["version"], document["services"] = version, document["services"][:3]
    path = folder / f"catalog-{version}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert central_cli(["office", "catalog", "--code", office, str(path), "--db", central.db_url]) == 0


def finish_setup_by_touch(kiosk, setup) -> None:
    """From the office check to Welcome: PDF printer and its test page, the PIN, the settings."""
    kiosk.tap(setup.ids.nav.ids.next_button)
    assert setup.step == "printer"
    kiosk.tap(next(b for b in setup.ids.printers.children if b.value.backend == "pdf"))
    kiosk.tap(setup.ids.test_print_button)
    assert kiosk.wait_until(lambda: setup.tested or setup.problem), "the test print never finished"
    assert setup.tested, setup.problem
    kiosk.tap(setup.ids.nav.ids.next_button)
    type_into(kiosk, setup.ids.pin, "402915")
    type_into(kiosk, setup.ids.pin_again, "402915")
    kiosk.tap(setup.ids.nav.ids.next_button)
    assert setup.step == "settings"
    kiosk.tap(setup.ids.nav.ids.next_button)
    assert kiosk.screen_name == "welcome"


def test_a_kiosk_set_up_on_screen_sees_its_identity_and_catalog_refreshed_after_its_first_sync(
        blank_kiosk, central, tmp_path) -> None:
    from central.cli import main as central_cli

    kiosk, blank = blank_kiosk
    app = kiosk.app
    stick = tmp_path / "media" / "staf" / "LOKET-USB"
    stick.mkdir(parents=True)
    office = central.create_office(name="Kelurahan Cihapit")
    publish_catalog(central, office, tmp_path, "2027.01.1")
    assert central_cli(["provisioning-file", "--office", office, "--server", central.url, "--out", str(stick),
                        "--db", central.db_url]) == 0
    app.go("provisioning")
    setup = kiosk.screen
    setup.usb_roots = (tmp_path / "media",)
    kiosk.tap(setup.ids.usb_button)
    [choice] = setup.ids.usb_files.children
    kiosk.tap(choice)
    assert setup.step == "office" and setup.from_file
    from_file = app.terminal.identity
    assert from_file.terminal_id == from_file.terminal_code, "central has not enrolled it yet"
    assert app.terminal.catalog.version != "2027.01.1"
    rounds = []
    app.runtime.round_listeners.append(rounds.append)

    finish_setup_by_touch(kiosk, setup)
    assert app.sync_worker is not None and app.sync_worker.running
    assert kiosk.wait_until(lambda: rounds, timeout_s=30), "the sync worker never finished a round"
    assert rounds[0].ok and rounds[0].catalog_updated == "2027.01.1", rounds[0].errors

    # the app's own terminal, with nobody reloading it by hand: central's identity and catalog
    identity = app.terminal.identity
    assert identity.terminal_code == from_file.terminal_code and identity.terminal_id != from_file.terminal_id
    assert not app.terminal.store.values.pending_enrollment_code
    assert app.terminal.catalog.version == "2027.01.1"
    kiosk.tap(kiosk.screen.ids.file_button)
    assert kiosk.screen_name == "services" and len(kiosk.screen.cards()) == 3
    kiosk.screenshot("provisioning-refreshed-catalog")
