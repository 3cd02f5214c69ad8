"""Benchmark: the time from cage's start to the kiosk's first frame of Welcome (READY=1 on its notify
socket, sent after that frame is flipped), against a bare two-screen Kivy app in the same cage.

    sudo python -m bench.kiosk_boot [--rounds 3]

Needs root, an installed kiosk (`sudo ./scripts/install-terminal`: the release under /opt/loket/current
and the `loket` user) and cage. Both apps run as the kiosk user under headless cage (wlroots headless
backend, pixman, no input devices) with the release's Python, so the difference is Loket's own start:
imports, the queue, the catalog, the screens. Each round starts a fresh cage; the two alternate.
Prints median (min–max) of the rounds, then one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from bench.repeat import ROUNDS, spread, text
from tests.harness.cage import CageSession, kiosk_home

CURRENT = Path("/opt/loket/current")
#: the floor: two screens and a label each, READY after the first flipped frame (as the kiosk does)
BARE_APP = '''
import os
os.environ.setdefault("KIVY_NO_ARGS", "1")
from kivy.config import Config
Config.set("graphics", "fullscreen", "auto")
Config.set("graphics", "borderless", "1")
import sdnotify
from kivy.app import App
from kivy.core.window import Window
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen, ScreenManager


class Bare(App):
    def build(self):
        manager = ScreenManager()
        for name in ("welcome", "services"):
            screen = Screen(name=name)
            screen.add_widget(Label(text=name, font_size=48))
            manager.add_widget(screen)
        Window.bind(on_flip=self.flipped)
        return manager

    def flipped(self, *_):
        Window.unbind(on_flip=self.flipped)
        sdnotify.SystemdNotifier().notify("READY=1\\nSTATUS=on screen: welcome")


Bare().run()
'''


def boot_seconds(command: list[str], home: Path) -> float:
    with CageSession(command, home=home) as session:
        at, message = session.wait_ready()
        assert "welcome" in message, message
        return at


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    home = kiosk_home(provision_with=CURRENT / "bin" / "loket")
    scratch = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    scratch.chmod(0o755)
    bare = scratch / "bare.py"
    bare.write_text(BARE_APP)
    bare.chmod(0o644)
    kiosk_s, bare_s = [], []
    try:
        for _ in range(args.rounds):
            kiosk_s.append(boot_seconds([str(CURRENT / "bin" / "loket"), "run"], home))
            bare_s.append(boot_seconds([str(CURRENT / "bin" / "python"), str(bare)], home))
    finally:
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
    kiosk, floor = spread(kiosk_s), spread(bare_s)
    ratio = spread(k / b for k, b in zip(kiosk_s, bare_s, strict=True))
    print(f"cage start -> Welcome's first frame (loket run): {text(kiosk, ' s')}")
    print(f"cage start -> first frame, bare two-screen Kivy app: {text(floor, ' s')}")
    print(f"ratio (same round): {text(ratio, 'x')}")
    print(json.dumps({"bench": "kiosk_boot", "rounds": args.rounds, "kiosk_s": kiosk, "bare_kivy_s": floor,
                      "kiosk_over_bare": ratio}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
