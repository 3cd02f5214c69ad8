"""Run in a child process by test_kiosk_mode.py: opens the real window in kiosk mode and reports on it."""

import json
import sys
from pathlib import Path

from screens.launch import configure_kivy, lock_window

configure_kivy(kiosk_mode=sys.argv[1] == "kiosk")

from kivy.base import EventLoop  # noqa: E402
from kivy.config import Config  # noqa: E402
from kivy.core.window import Window  # noqa: E402

from loket.runtime import Runtime  # noqa: E402
from screens.app import LoketApp  # noqa: E402

app = LoketApp(Runtime(Path(sys.argv[2])))
lock_window(sys.argv[1] == "kiosk")
app._run_prepare()
for _ in range(3):
    EventLoop.idle()
closing_refused = bool(Window.dispatch("on_request_close"))
escape_refused = not bool(Window.dispatch("on_keyboard", 27, 41, None, []))
for _ in range(2):
    EventLoop.idle()
print(json.dumps({
    "fullscreen": Window.fullscreen, "borderless": bool(Window.borderless), "size": list(Window.size),
    "system_size": list(Window.system_size), "cursor": Config.get("graphics", "show_cursor"),
    "exit_on_escape": Config.get("kivy", "exit_on_escape"), "mouse": Config.get("input", "mouse"),
    "closing_refused": closing_refused, "still_running": EventLoop.status != "stopped",
    "escape_refused": escape_refused, "screen": app.screen_manager.current,
}))
