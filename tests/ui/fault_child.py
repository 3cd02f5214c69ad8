"""Run (as an unprivileged user) by test_fault_screen.py: opens what `loket run` would show and reports on it."""

import json
import sys
from pathlib import Path

from screens.launch import kiosk_app

app, kiosk_mode = kiosk_app(Path(sys.argv[1]), windowed=True, size=(1280, 800))

from kivy.base import EventLoop  # noqa: E402
from kivy.core.window import Window  # noqa: E402

app._run_prepare()
for _ in range(4):
    EventLoop.idle()
shot = Window.screenshot(name=sys.argv[2])
ids = app.root.ids
print(json.dumps({"app": type(app).__name__, "kiosk_mode": kiosk_mode, "screenshot": shot,
                  "title_id": ids.title_id.text, "title_en": ids.title_en.text, "detail": ids.detail.text}))
app.stop()
