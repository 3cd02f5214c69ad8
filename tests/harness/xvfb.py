"""Starting a throwaway Xvfb on a display number it picks itself (`-displayfd`), for tests and benchmarks.

Xvfb writes the number and then a newline to the pipe, in two writes, and dies ("Cannot write display
number") if the second finds the pipe closed: so the whole line is read before the pipe is closed (the
server listens by then), and the server is checked to be alive before its display is handed out.

    server, display = start_xvfb("1024x600x24", log=Path("/tmp/x/xvfb.log"))
    ...; stop_xvfb(server)
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def start_xvfb(screen: str, *options: str, log: Path | None = None) -> tuple[subprocess.Popen, str]:
    """An Xvfb with one screen of `screen` (e.g. "1024x600x24"), no TCP, and `options`; returns the
    server and its display (":N"). Its output goes to `log` when given."""
    read, write = os.pipe()
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    try:
        server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", screen, "-nolisten", "tcp",
                                   *options], pass_fds=(write,), stdout=out, stderr=subprocess.STDOUT)
    finally:
        os.close(write)
        if log:
            out.close()
    with os.fdopen(read) as answer:
        number = answer.readline().strip()  # empty when the server died before it listened
    if not number.isdigit() or server.poll() is not None:
        stop_xvfb(server)
        raise RuntimeError(f"Xvfb did not start (display {number!r}, exit {server.returncode})"
                           + (f": {log.read_text()[-500:]}" if log else ""))
    return server, f":{number}"


def stop_xvfb(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
