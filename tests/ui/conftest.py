"""UI test fixtures: one real Kivy window and one `LoketApp` for the whole session, reset between tests.

Building a Kivy App again and again in one process is fragile (the window, the Clock and the kv
rules are process-wide), so the app is built once and `app.reset()` (the idle reset itself) returns
it to the Welcome screen before each test. Kivy is configured here, before anything imports it.
Screenshots go to out/screens/ (git-ignored); a few good ones are copied to docs/screens/.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ["KIVY_NO_ARGS"] = "1"
os.environ["KIVY_NO_CONSOLELOG"] = "1"
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="loket-kivy-home-"))

from kivy.config import Config  # noqa: E402, I001

from screens.launch import configure_kivy  # noqa: E402  (after the environment above)

configure_kivy(kiosk_mode=False, size=(1920, 1080))
Config.set("graphics", "maxfps", "0")  # tests render frames as fast as they can; the app itself caps at 60

SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screens"
OFFICE = "Kelurahan Braga"


@pytest.fixture(scope="session")
def ui_terminal(tmp_path_factory):
    from kiosk.crypto import new_office_keypair
    from kiosk.terminal import Terminal

    terminal = Terminal(tmp_path_factory.mktemp("ui") / "home")
    terminal.provision_offline(terminal_code="K7Q2", office_code="3273010001", office_name=OFFICE,
                               office_key=new_office_keypair().public_key)
    terminal.update_settings(printer_backend="pdf", printer_pdf_dir=str(terminal.paths.receipts))
    return terminal


@pytest.fixture(scope="session")
def ui_runtime(ui_terminal):
    """The runtime the app runs on, with `ui_terminal` as the UI thread's terminal."""
    from loket.runtime import Runtime

    return Runtime(terminal=ui_terminal)


@pytest.fixture(scope="session")
def session_driver(ui_runtime):
    from screens.app import LoketApp
    from tests.harness.driver import Driver

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    driver = Driver(LoketApp(ui_runtime), SCREENSHOTS).start()
    yield driver
    driver.stop()


@pytest.fixture
def kiosk(session_driver, ui_terminal, ui_runtime):
    """The app on its Welcome screen, 1920x1080, nothing of an earlier test left."""
    from kivy.core.window import Window

    app = session_driver.app
    if tuple(Window.size) != (1920, 1080):
        session_driver.resize(1920, 1080)
    app.runtime = ui_runtime
    app.idle.timeout_s, app.idle.warning_s = ui_terminal.settings.idle_timeout_s, ui_terminal.settings.idle_warning_s
    app.reset()
    session_driver.frames(2)
    yield session_driver
    app.reset()
