"""Benchmark: the kiosk's cold start, tap-to-frame latency, and memory over many citizens.

    xvfb-run -a -s "-screen 0 1920x1080x24" python -m bench.ui [--taps 120] [--journeys 200]

- cold start: from launching a new Python process to the first frame with the Welcome screen drawn
  (median of 3 launches, each a real `App.run()` in a 1920x1080 window);
- tap to frame: a touch dispatched on a button, to the first frame flipped with the next screen,
  at the app's own frame cap (60 fps, so the wait for the next frame is part of it); the taps go
  round Welcome -> services -> form -> services -> Welcome;
- memory: resident set size after 1 and after N whole journeys by touch (every answer typed key by
  key on the on-screen keyboard, consent, submit, receipt printed to the PDF folder, Done).
Prints figures, then one line of JSON with `cold_start_s`, `tap_to_frame_p95_ms`, `rss_growth_mb`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def make_home(folder: Path) -> Path:
    from kiosk.crypto import new_office_keypair
    from kiosk.terminal import Terminal

    terminal = Terminal(folder / "home")
    terminal.provision_offline(terminal_code="B3NC", office_code="3273010001", office_name="Kelurahan Braga",
                               office_key=new_office_keypair().public_key)
    terminal.update_settings(printer_backend="pdf", printer_pdf_dir=str(terminal.paths.receipts))
    terminal.close()
    return folder / "home"


# -- cold start (each run in its own process) ---------------------------------------------------

def cold_start_child(home: str) -> None:
    """In the child: start the real app and print the monotonic time of the first Welcome frame."""
    from screens.launch import configure_kivy

    configure_kivy(kiosk_mode=False, size=(1920, 1080))
    from kivy.core.window import Window

    from loket.runtime import Runtime
    from screens.app import LoketApp

    app = LoketApp(Runtime(Path(home)))

    def flipped(*_args) -> None:
        if app.screen_manager is not None and app.screen_manager.current == "welcome":
            print(f"FIRST_FRAME {time.monotonic():.6f}", flush=True)
            Window.unbind(on_flip=flipped)
            app.stop()

    Window.bind(on_flip=flipped)
    app.run()


def cold_starts(home: Path, runs: int = 3) -> list[float]:
    env = {**os.environ, "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1", "PYTHONPATH": str(ROOT),
           "KIVY_HOME": tempfile.mkdtemp(prefix="loket-bench-kivy-")}
    times = []
    for _ in range(runs):
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "bench.ui", "--cold-start-child", str(home)],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("FIRST_FRAME")), None)
        if line is None:
            raise RuntimeError(f"the app did not draw its first frame: {done.stderr[-1500:]}")
        times.append(float(line.split()[1]) - started)
    return times


# -- taps and journeys (in this process, one app) -----------------------------------------------

def start_app(home: Path, *, unthrottled: bool):
    from screens.launch import configure_kivy

    configure_kivy(kiosk_mode=False, size=(1920, 1080))
    if unthrottled:
        from kivy.config import Config

        Config.set("graphics", "maxfps", "0")
    from loket.runtime import Runtime
    from screens.app import LoketApp
    from tests.harness.driver import Driver

    return Driver(LoketApp(Runtime(home))).start()


def tap_to_frame(driver, taps: int) -> list[float]:
    """Milliseconds from a touch to the first flipped frame showing the screen it leads to."""
    from kivy.base import EventLoop
    from kivy.core.window import Window

    from tests.harness.driver import Touch

    flips: list[float] = []

    def flipped(*_args) -> None:
        flips.append(time.perf_counter())

    Window.bind(on_flip=flipped)
    route = [("welcome", lambda s: s.ids.file_button, "services"),
             ("services", lambda s: next(c for c in s.cards() if c.service.code == "SKD"), "form"),
             ("form", lambda s: s.ids.nav.ids.back_button, "services"),
             ("services", lambda s: s.ids.nav.ids.back_button, "welcome")]
    samples = []
    random.seed(4)
    while len(samples) < taps:
        for expected, target, leads_to in route:
            assert driver.screen_name == expected, (driver.screen_name, expected)
            widget = target(driver.screen)
            driver.frames(3)
            x, y = widget.to_window(*widget.center)
            time.sleep(random.uniform(0, 0.017))  # a finger lands at any moment between frames
            flips.clear()
            touched = time.perf_counter()
            touch = Touch(x, y)
            touch.down()
            touch.up()
            while not flips:
                EventLoop.idle()
            assert driver.screen_name == leads_to
            samples.append((flips[0] - touched) * 1000)
    Window.unbind(on_flip=flipped)
    return samples[:taps]


def journeys(driver, count: int) -> tuple[dict[int, float], float]:
    """RSS (MB) after journey 1, 10 (every service seen once) and `count`; the seconds per journey."""
    from kiosk.samples import sample_answers

    terminal = driver.app.terminal
    services = list(terminal.catalog.services)
    rss: dict[int, float] = {}
    started = time.perf_counter()
    for number in range(1, count + 1):
        service = services[(number - 1) % len(services)]
        driver.file(service.code, sample_answers(service))
        receipt = driver.screen
        if not driver.wait_until(lambda r=receipt: r.printing != "printing", timeout_s=30):
            raise RuntimeError("a receipt never finished printing")
        driver.tap(receipt.ids.nav.ids.next_button)
        if number in (1, len(services)):
            gc.collect()
            rss[number] = rss_mb()
        if number % 50 == 0:
            print(f"  {number} journeys, RSS {rss_mb():.1f} MB", flush=True)
    gc.collect()
    rss[count] = rss_mb()
    return rss, (time.perf_counter() - started) / count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--taps", type=int, default=120)
    parser.add_argument("--journeys", type=int, default=200)
    parser.add_argument("--cold-start-child", metavar="HOME", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cold_start_child:
        cold_start_child(args.cold_start_child)
        return 0
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="loket-bench-kivy-"))
    with tempfile.TemporaryDirectory(prefix="loket-bench-ui-") as folder:
        home = make_home(Path(folder))
        starts = cold_starts(home)
        runs = ", ".join(f"{s:.2f}" for s in starts)
        print(f"cold start to Welcome: {runs} s (median {statistics.median(starts):.2f})")

        driver = start_app(home, unthrottled=False)
        taps = tap_to_frame(driver, args.taps)
        print(f"tap to frame over {len(taps)} taps (60 fps cap): p50 {statistics.median(taps):.1f} ms, "
              f"p95 {percentile(taps, 95):.1f} ms, max {max(taps):.1f} ms")

        from kivy.clock import Clock

        Clock._max_fps = 0  # the journeys only measure memory: render as fast as possible
        rss, per_journey = journeys(driver, args.journeys)
        first, warm, last = rss[1], rss.get(10, rss[1]), rss[args.journeys]
        print(f"RSS after 1 journey {first:.1f} MB, after 10 (each service once) {warm:.1f} MB, after "
              f"{args.journeys}: {last:.1f} MB (growth {last - first:+.1f} MB; {last - warm:+.1f} MB after "
              f"the first 10); {per_journey:.2f} s per journey by touch")
        result = {
            "cold_start_s": round(statistics.median(starts), 3),
            "cold_start_runs_s": [round(s, 3) for s in starts],
            "tap_to_frame_p50_ms": round(statistics.median(taps), 2),
            "tap_to_frame_p95_ms": round(percentile(taps, 95), 2),
            "taps": len(taps),
            "rss_after_1_mb": round(first, 1),
            "rss_after_10_mb": round(warm, 1),
            f"rss_after_{args.journeys}_mb": round(last, 1),
            "rss_growth_mb": round(last - first, 1),
            "rss_growth_after_10_mb": round(last - warm, 1),
            "journeys": args.journeys,
            "seconds_per_journey": round(per_journey, 2),
        }
        driver.stop()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
