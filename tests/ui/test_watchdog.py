"""The kiosk and systemd's watchdog, against a real `NOTIFY_SOCKET` datagram socket: READY once Welcome
is on screen, WATCHDOG pings while it idles, none while its main loop is blocked, and pings again after."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.crypto import new_office_keypair
from kiosk.terminal import Terminal

CHILD = Path(__file__).with_name("watchdog_child.py")
ROOT = Path(__file__).resolve().parents[2]
WATCHDOG_USEC = 400_000  # pings every 0.2 s
BLOCK_S = 2.5

pytestmark = pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a display (the suite runs under xvfb-run)")


def receive(sock: socket.socket, until: float) -> list[tuple[float, str]]:
    messages = []
    while (left := until - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            messages.append((time.monotonic(), sock.recv(4096).decode()))
        except TimeoutError:
            break
    return messages


def start_kiosk(tmp_path: Path, home: Path) -> tuple[subprocess.Popen, socket.socket]:
    """`loket run` on `home` with systemd's notify socket (a real datagram socket) and watchdog set."""
    address = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(address))
    env = {**os.environ, "NOTIFY_SOCKET": str(address), "WATCHDOG_USEC": str(WATCHDOG_USEC),
           "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1", "KIVY_HOME": str(tmp_path / "kivy"), "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, str(CHILD), str(home), str(BLOCK_S)], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return child, sock


def wait_ready(sock: socket.socket) -> str:
    started = time.monotonic()
    while time.monotonic() - started < 30:
        ready = [m for _, m in receive(sock, time.monotonic() + 1) if "READY=1" in m]
        if ready:
            return ready[0]
    raise AssertionError("no READY=1 within 30 s")


def stop(child: subprocess.Popen, sock: socket.socket) -> None:
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(20)
    except subprocess.TimeoutExpired:
        child.kill()
    sock.close()
    assert child.returncode == 0, child.stderr.read().decode()[-2000:]


def test_ready_after_welcome_pings_while_idle_and_none_while_the_main_loop_is_blocked(tmp_path):
    home = tmp_path / "home"
    terminal = Terminal(home)
    terminal.provision_offline(terminal_code="K7Q2", office_code="3273010001", office_name="Kelurahan Braga",
                               office_key=new_office_keypair().public_key)
    terminal.close()
    child, sock = start_kiosk(tmp_path, home)
    try:
        assert "STATUS=on screen: welcome" in wait_ready(sock)

        idle = receive(sock, time.monotonic() + 1.5)
        assert sum("WATCHDOG=1" in m for _, m in idle) >= 4, idle  # ~7 expected at 0.2 s

        child.send_signal(signal.SIGUSR2)
        blocked_at = time.monotonic()
        during = receive(sock, blocked_at + BLOCK_S - 0.3)
        # one ping may already be on its way when the signal lands
        assert [t for t, m in during if "WATCHDOG=1" in m and t > blocked_at + 0.3] == [], during
        after = receive(sock, blocked_at + BLOCK_S + 1.5)
        assert sum("WATCHDOG=1" in m for _, m in after) >= 3, "pings resume once the main loop runs again"
    finally:
        stop(child, sock)


def test_the_fault_screen_reports_ready_and_pings_so_a_broken_queue_is_no_restart_loop(tmp_path):
    home = tmp_path / "home"
    (home / "queue.db").mkdir(parents=True)  # a queue that cannot be opened, even by root
    child, sock = start_kiosk(tmp_path, home)
    try:
        assert "STATUS=on screen: fault" in wait_ready(sock)
        assert sum("WATCHDOG=1" in m for _, m in receive(sock, time.monotonic() + 1.5)) >= 4
    finally:
        stop(child, sock)
