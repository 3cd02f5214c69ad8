"""`loket run` and `loket demo` are `loket` commands (plugged in by entry point: loket/ never imports Kivy),
and `loket run` shows what a sync round brought without a restart."""

from __future__ import annotations

import pytest

from central.cli import main as central_cli
from loket.cli import build_parser


def test_run_and_demo_plug_into_the_loket_command():
    parser = build_parser()
    run = parser.parse_args(["run", "--windowed", "--size", "1080x1920"])
    assert run.windowed and run.size == (1080, 1920) and callable(run.func)
    assert callable(parser.parse_args(["demo"]).func)
    with pytest.raises(Exception, match="WIDTHxHEIGHT"):
        parser.parse_args(["run", "--size", "big"])


def test_loket_run_shows_what_a_sync_round_brought_without_a_restart(kiosk, central, tmp_path) -> None:
    """`loket run` builds the app on a `Runtime` of the terminal's home; `App.run()` calls `on_start`,
    which starts the runtime's sync worker. After its round, the screens read the new catalog and key."""
    from kiosk.terminal import Terminal
    from loket import provisioning
    from loket.runtime import Runtime
    from tests.ui.test_provisioning_ui import publish_catalog

    terminal = Terminal(tmp_path / "home")
    provisioning.enroll(terminal, central.url, central.enrollment_code())
    provisioning.set_pin(terminal, "402915", "402915")
    provisioning.finish(terminal)
    home, old_key = terminal.paths.home, terminal.identity.office_key
    office = terminal.identity.office_code
    terminal.close()

    app = kiosk.app
    session_runtime, app.runtime = app.runtime, Runtime(home)  # what run_kiosk() makes
    try:
        app.reset()
        assert len(app.terminal.catalog.services) == 10
        publish_catalog(central, office, tmp_path, "2027.02.1")
        assert central_cli(["office", "rotate-key", "--code", office, "--db", central.db_url]) == 0
        rounds = []
        app.runtime.round_listeners.append(rounds.append)
        app.on_start()
        assert kiosk.wait_until(lambda: app.sync_worker is not None and app.sync_worker.running, timeout_s=5)
        assert kiosk.wait_until(lambda: rounds, timeout_s=30), "no sync round"
        assert rounds[0].catalog_updated == "2027.02.1" and rounds[0].office_key_rotated, rounds[0].errors
        assert app.terminal.identity.office_key != old_key
        kiosk.tap(kiosk.screen.ids.file_button)
        assert kiosk.screen_name == "services" and len(kiosk.screen.cards()) == 3
    finally:
        app.runtime.close()
        app.runtime = session_runtime
        app.reset()
