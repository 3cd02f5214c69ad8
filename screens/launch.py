"""Starting the kiosk: Kivy's configuration (kiosk mode or windowed) and the `loket run` command.

`configure_kivy()` must run before anything imports `kivy.core.window`, because Kivy reads its
window settings once, when the window is created. `loket run` and `loket demo` plug into the
`loket` CLI through the `loket.commands` entry point, so loket/ never imports Kivy or the screens.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import signal
import tempfile
from pathlib import Path
from typing import Any


def screen_size() -> tuple[int, int] | None:
    """The X screen's size in pixels (under cage: Xwayland's, the panel's native size after rotation),
    None without an X display."""
    library = ctypes.util.find_library("X11")
    if not library or not os.environ.get("DISPLAY"):
        return None
    x11 = ctypes.CDLL(library)
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDisplayWidth.argtypes = x11.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    if not display:
        return None
    try:
        return x11.XDisplayWidth(display, 0), x11.XDisplayHeight(display, 0)
    finally:
        x11.XCloseDisplay(display)


def configure_kivy(*, kiosk_mode: bool, size: tuple[int, int] | None = None) -> None:
    """Kiosk mode: fullscreen at the screen's own size, borderless, no exit on Escape, no multitouch
    dots, no cursor."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_HOME", str(Path(tempfile.gettempdir()) / "loket-kivy"))
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("kivy", "log_level", "warning")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("graphics", "multisamples", "0")
    if kiosk_mode:
        Config.set("graphics", "fullscreen", "auto")
        Config.set("graphics", "borderless", "1")
        Config.set("graphics", "show_cursor", "0")
        # a borderless window of the screen's size rather than SDL's fullscreen: under cage, Xwayland's
        # window manager leaves a fullscreen X window at Kivy's default 800x600 (the UI cut off on the right)
        width, height = screen_size() or (0, 0)
        if width and height:
            Config.set("graphics", "fullscreen", "0")
            Config.set("graphics", "width", str(width))
            Config.set("graphics", "height", str(height))
    else:
        Config.set("graphics", "fullscreen", "0")
        Config.set("graphics", "borderless", "0")
        width, height = size or (1280, 800)
        Config.set("graphics", "width", str(width))
        Config.set("graphics", "height", str(height))


def lock_window(kiosk_mode: bool) -> None:
    """Window close and Alt+F4 do nothing in kiosk mode; SIGTERM/SIGINT still stop the app cleanly."""
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window

    if kiosk_mode:
        Window.bind(on_request_close=lambda *_args, **_kw: True)
        Window.show_cursor = False

    def stop(*_: Any) -> None:
        Clock.schedule_once(lambda *_: App.get_running_app() and App.get_running_app().stop())

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def run_kiosk(home: Path | None, *, windowed: bool = False, size: tuple[int, int] | None = None) -> int:
    """Opens the kiosk on the terminal in `home` and returns when it stops."""
    app, kiosk_mode = kiosk_app(home, windowed=windowed, size=size)
    lock_window(kiosk_mode)
    app.run()
    return 0


def kiosk_app(home: Path | None, *, windowed: bool = False, size: tuple[int, int] | None = None) -> tuple[Any, bool]:
    """The app `loket run` shows, and whether in kiosk mode: the fault screen when the terminal's queue
    or data directory cannot be used (the reason on screen, never a traceback)."""
    # here, not at the top: every `loket` command loads this module (entry point), and the
    # dashboard brings printing (reportlab, python-escpos: about a second) that only the kiosk needs
    from kiosk.errors import LoketError
    from loket.dashboard import start_log_file
    from loket.runtime import Runtime

    try:
        runtime = Runtime(home)
        terminal = runtime.terminal
        terminal.store  # noqa: B018  (opens the queue now, so a fault shows before the citizen screens)
        start_log_file(terminal)  # maintenance shows its tail
    except (LoketError, OSError) as e:
        configure_kivy(kiosk_mode=not windowed, size=size)
        from screens.fault import FaultApp

        return FaultApp(str(e)), not windowed
    kiosk_mode = terminal.settings.kiosk_mode and not windowed
    configure_kivy(kiosk_mode=kiosk_mode, size=size)
    from screens.app import LoketApp

    return LoketApp(runtime), kiosk_mode  # it starts the runtime's sync worker when sync is configured


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError("use WIDTHxHEIGHT, e.g. 1080x1920") from None
    return width, height


def _add_window_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--windowed", action="store_true", help="a normal window instead of kiosk mode")
    parser.add_argument("--size", type=_size, help="window size when windowed, e.g. 1080x1920")


def register_run(subparsers: Any) -> None:
    parser = subparsers.add_parser("run", help="open the citizen kiosk (fullscreen kiosk mode by default)")
    _add_window_options(parser)
    parser.set_defaults(func=lambda args: run_kiosk(args.home, windowed=args.windowed, size=args.size))


def register_demo(subparsers: Any) -> None:
    from screens.demo import run_demo

    parser = subparsers.add_parser("demo", help="make a demo terminal (PDF receipts) and open the kiosk windowed")
    _add_window_options(parser)
    parser.set_defaults(func=lambda args: run_demo(args.home, size=args.size))
