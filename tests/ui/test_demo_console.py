"""`loket demo` in a terminal: the console's address and the demo login stay in view. Every log line is
printed once (not by Kivy's logger and Python's both), and no line is printed per HTTP request."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_prints_its_addresses_and_no_line_twice_nor_one_per_request(tmp_path: Path) -> None:
    env = {**os.environ, "LOKET_HOME": str(tmp_path / "demo-home"), "KIVY_HOME": str(tmp_path / "kivy")}
    for name in ("KIVY_NO_CONSOLELOG", "KIVY_LOG_MODE"):
        env.pop(name, None)  # as a person runs it
    demo = subprocess.Popen([sys.executable, "-m", "loket.cli", "demo", "--windowed", "--size", "1024x600"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        receipts = tmp_path / "demo-home" / "terminal" / "logs" / "loket.log"
        # a sync round (three HTTP requests) done: it comes 0.3 s after the window
        while time.monotonic() < deadline and (not receipts.exists() or receipts.read_text().count("sync round") < 1):
            time.sleep(0.5)
        assert receipts.exists() and receipts.read_text().count("sync round") >= 1, "the demo's sync did not run"
    finally:
        demo.send_signal(signal.SIGTERM)
        out, _ = demo.communicate(timeout=30)
    lines = [line for line in out.splitlines() if line.strip()]
    assert any("office console at http://127.0.0.1:" in line and "password" in line for line in lines), out
    assert not [line for line in lines if "DEBUG" in line or "HTTP/1.1" in line or "urllib3" in line], out
    assert not [line for line in lines if "sync round" in line], out
    texts = [line.split("] ", 1)[-1].split(":", 2)[-1].strip() for line in lines]
    twice = {t for t in texts if texts.count(t) > 1}
    assert not twice, out
    assert len(lines) <= 12, out
