"""Benchmark: the kiosk's cold start against a bare Kivy app, tap-to-frame latency, and memory over
many citizens.

    xvfb-run -a -s "-screen 0 1920x1080x24" python -m bench.ui [--taps 40] [--journeys 300] [--rounds 3]

- cold start: from launching a new Python process to the first frame with the Welcome screen drawn
  (a real `App.run()` in a 1920x1080 window), and in the same run, alternating with it, the first
  frame of a bare two-screen Kivy app in the same window (`bare_kivy_first_frame_s`): their ratio
  is what the code costs above Kivy itself. Each is launched once unmeasured (page cache, compiled
  bytecode in a private pycache, as an installed package has it), then `--rounds` times;
- tap to frame: a touch dispatched on a button, to the first frame flipped with the next screen,
  at the app's own frame cap (60 fps, so the wait for the next frame is part of it); the taps go
  round Welcome -> services -> form -> services -> Welcome, `--taps` per round;
- memory: resident set size, open file descriptors and threads after journeys 100, 200 and 300
  (`--journeys`) of whole journeys by touch (every answer typed key by key on the on-screen
  keyboard, consent, submit, receipt printed to the PDF folder, Done); the first 100 are warm-up
  (every service, page and glyph seen many times), the figure is the growth from 100 to the end.
  Each reading is taken after the kiosk has rested two seconds on Welcome, as between two citizens
  (it gives freed heap back then, `loket.memory`); `--trim` also trims just before reading.
Prints median (min–max) of the rounds, then one line of JSON with `cold_start_s`,
`bare_kivy_first_frame_s`, `cold_start_over_bare`, `tap_to_frame_p95_ms`, `rss_growth_100_to_300_mb`,
`fds` and `threads`.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.repeat import ROUNDS, percentile, spread, text
from loket.memory import give_back_freed_memory

ROOT = Path(__file__).resolve().parent.parent
CHECKPOINTS = (100, 200)  # journeys after which memory is read (and at the end)
#: seconds the kiosk rests on Welcome before memory is read, as between two citizens: it gives memory
#: back after a second's rest (screens.app.REST_BEFORE_GIVING_BACK_S), seen by its idle check every 0.25 s
REST_S = 2.0


def _status() -> dict[str, str]:
    """/proc/self/status as {field: value}."""
    return dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)


def _kib_as_mb(value: str) -> float:
    return round(int(value.split()[0]) / 1024, 2)


def _sqlite_heap_mb() -> float | None:
    """What SQLite holds (page caches of every connection, statements), from its own count."""
    try:
        return round(ctypes.CDLL("libsqlite3.so.0").sqlite3_memory_used() / 2**20, 2)
    except (OSError, AttributeError):
        return None


def process_counts(*, trim: bool = False) -> dict[str, float]:
    """RSS (MB; in all, then its anonymous and file-backed parts), SQLite's heap, Python's live blocks,
    open file descriptors and OS threads of this process, after a full collection (and, with `trim`,
    after `malloc_trim(0)`: then RSS counts live memory rather than what the allocator kept)."""
    gc.collect()
    if trim and not give_back_freed_memory():
        raise RuntimeError("--trim needs glibc's malloc_trim")
    status = _status()
    return {"rss_mb": _kib_as_mb(status["VmRSS"]), "rss_anon_mb": _kib_as_mb(status["RssAnon"]),
            "rss_file_mb": _kib_as_mb(status["RssFile"]), "sqlite_heap_mb": _sqlite_heap_mb(),
            "python_blocks": sys.getallocatedblocks(), "fds": len(os.listdir("/proc/self/fd")),
            "threads": int(status["Threads"])}


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


def bare_kivy_child() -> None:
    """In the child: a bare two-screen Kivy app (a label and a button each), same window settings."""
    from screens.launch import configure_kivy

    configure_kivy(kiosk_mode=False, size=(1920, 1080))
    from kivy.app import App
    from kivy.core.window import Window
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.button import Button
    from kivy.uix.label import Label
    from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

    class Bare(App):
        def build(self):
            manager = ScreenManager(transition=NoTransition())
            for name in ("first", "second"):
                screen = Screen(name=name)
                box = BoxLayout(orientation="vertical")
                box.add_widget(Label(text=f"Selamat datang ({name})", font_size="40sp"))
                box.add_widget(Button(text="Lanjut", on_release=lambda *_: setattr(manager, "current", "second")))
                screen.add_widget(box)
                manager.add_widget(screen)
            return manager

    app = Bare()

    def flipped(*_args) -> None:
        print(f"FIRST_FRAME {time.monotonic():.6f}", flush=True)
        Window.unbind(on_flip=flipped)
        app.stop()

    Window.bind(on_flip=flipped)
    app.run()


def _launch(argv: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bench.ui", *argv], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("FIRST_FRAME")), None)
    if line is None:
        raise RuntimeError(f"the app did not draw its first frame: {done.stderr[-1500:]}")
    return float(line.split()[1]) - started


def cold_starts(home: Path, runs: int = ROUNDS) -> tuple[list[float], list[float]]:
    """(Loket's first Welcome frame, a bare Kivy app's first frame) in seconds, `runs` of each,
    alternating, after one unmeasured launch of each."""
    cache = tempfile.mkdtemp(prefix="loket-bench-pycache-")
    env = {**os.environ, "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1", "PYTHONPATH": str(ROOT),
           "KIVY_HOME": tempfile.mkdtemp(prefix="loket-bench-kivy-"), "PYTHONPYCACHEPREFIX": cache}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode compiled
    loket, bare = ["--cold-start-child", str(home)], ["--bare-kivy-child"]
    _launch(loket, env)
    _launch(bare, env)
    pairs = [(_launch(loket, env), _launch(bare, env)) for _ in range(runs)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


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


def journeys(driver, count: int, *, trim: bool = False) -> tuple[dict[int, dict[str, float]], float]:
    """{journey number: process counts} after journeys 100, 200 and `count`; the seconds per journey."""
    from kiosk.samples import sample_answers

    terminal = driver.app.terminal
    services = list(terminal.catalog.services)
    counts: dict[int, dict[str, float]] = {}
    started = time.perf_counter()
    for number in range(1, count + 1):
        service = services[(number - 1) % len(services)]
        driver.file(service.code, sample_answers(service))
        receipt = driver.screen
        if not driver.wait_until(lambda r=receipt: r.printing != "printing", timeout_s=30):
            raise RuntimeError("a receipt never finished printing")
        driver.tap(receipt.ids.nav.ids.next_button)
        if driver.screen_name == "survey":  # the optional satisfaction survey: this citizen skips it
            driver.tap(driver.screen.ids.nav.ids.back_button)
        if number in CHECKPOINTS or number == count:
            rested = time.monotonic() + REST_S  # as between two citizens: the kiosk gives freed heap back
            driver.wait_until(lambda r=rested: driver.screen_name == "welcome" and time.monotonic() > r, timeout_s=10)
            counts[number] = process_counts(trim=trim)
            print(f"  {number} journeys: {counts[number]}", flush=True)
    return counts, (time.perf_counter() - started) / count


def start_and_taps(driver, starts: list[float], bares: list[float], rounds: int, taps: int) -> dict:
    """The cold starts' figures against a bare Kivy app, then rounds of taps on the running app (`driver`)."""
    start, bare = spread(starts), spread(bares)
    ratios = spread(s / b for s, b in zip(starts, bares, strict=True))
    print(f"cold start to Welcome  {text(start, ' s')}")
    print(f"bare Kivy first frame  {text(bare, ' s')}   ratio {text(ratios)}")
    idle_until = time.monotonic() + 3  # a kiosk waits on Welcome before its first citizen: let it settle
    driver.wait_until(lambda: time.monotonic() > idle_until, timeout_s=10)
    tap_rounds = [tap_to_frame(driver, taps) for _ in range(rounds)]
    p95, p50 = spread(percentile(t, 95) for t in tap_rounds), spread(statistics.median(t) for t in tap_rounds)
    everything = [t for one_round in tap_rounds for t in one_round]
    print(f"tap to frame (60 fps cap), {rounds} rounds of {taps}: p50 {text(p50, ' ms')}, "
          f"p95 {text(p95, ' ms')}, max {max(everything):.1f} ms")
    return {
        "cold_start_s": start["median"], "bare_kivy_first_frame_s": bare["median"],
        "cold_start_over_bare": ratios["median"],
        "tap_to_frame_p95_ms": p95["median"], "tap_to_frame_p50_ms": p50["median"],
        "spread": {"cold_start_s": start, "bare_kivy_first_frame_s": bare, "cold_start_over_bare": ratios,
                   "tap_to_frame_p95_ms": p95, "tap_to_frame_p50_ms": p50},
        "cold_start_runs_s": [round(x, 3) for x in starts], "bare_kivy_runs_s": [round(x, 3) for x in bares],
        "taps": len(everything),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--taps", type=int, default=40, help="taps per round")
    parser.add_argument("--journeys", type=int, default=300, help="0 leaves the memory part out")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--memory-only", action="store_true", help="leave out the cold starts and the taps")
    parser.add_argument("--trim", action="store_true",
                        help="read RSS after malloc_trim(0): live memory, not what the allocator kept")
    parser.add_argument("--cold-start-child", metavar="HOME", help=argparse.SUPPRESS)
    parser.add_argument("--bare-kivy-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cold_start_child:
        cold_start_child(args.cold_start_child)
        return 0
    if args.bare_kivy_child:
        bare_kivy_child()
        return 0
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="loket-bench-kivy-"))
    with tempfile.TemporaryDirectory(prefix="loket-bench-ui-") as folder:
        home = make_home(Path(folder))
        launches = cold_starts(home, args.rounds) if not args.memory_only else None
        driver = start_app(home, unthrottled=False)
        result: dict = {}
        if launches is not None:
            result = start_and_taps(driver, *launches, args.rounds, args.taps)
        if args.journeys:
            from kivy.clock import Clock

            Clock._max_fps = 0  # the journeys only measure memory: render as fast as possible
            counts, per_journey = journeys(driver, args.journeys, trim=args.trim)
            first = counts.get(CHECKPOINTS[0])
            last = counts[args.journeys]
            steps = [counts[n] for n in sorted(counts) if n >= CHECKPOINTS[0]]
            growth = round(last["rss_mb"] - first["rss_mb"], 2) if first else None
            print(f"memory after journeys {sorted(counts)}: {[c['rss_mb'] for c in counts.values()]} MB RSS, "
                  f"fds {[c['fds'] for c in counts.values()]}, threads {[c['threads'] for c in counts.values()]}; "
                  f"growth {CHECKPOINTS[0]} -> {args.journeys}: {growth} MB; {per_journey:.2f} s per journey")
            result.update({
                f"rss_growth_{CHECKPOINTS[0]}_to_{args.journeys}_mb": growth,
                "rss_growth_per_100_mb": [round(b["rss_mb"] - a["rss_mb"], 2) for a, b in itertools.pairwise(steps)],
                "fds": {n: c["fds"] for n, c in counts.items()},
                "threads": {n: c["threads"] for n, c in counts.items()},
                "rss_mb": {n: c["rss_mb"] for n, c in counts.items()},
                "readings": counts,
                "journeys": args.journeys, "seconds_per_journey": round(per_journey, 2),
                "rss_after_malloc_trim": args.trim,
            })
        driver.stop()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
