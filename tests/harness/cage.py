"""A kiosk session as the kiosk unit starts one, without systemd: cage (headless wlroots, pixman, no input
devices) as the unprivileged kiosk user, running the installed `loket run`, with a `NOTIFY_SOCKET` that
the test reads. Shared by tests/deploy and bench/kiosk_boot.py."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

KIOSK_USER = "loket"


class CageSession:
    """One cage session in a fresh directory (its runtime dir, data dir, Kivy home, notify socket)."""

    def __init__(self, command: list[str], *, cage_args: tuple[str, ...] = (), home: Path | None = None,
                 watchdog_usec: int = 2_000_000) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="loket-cage-"))
        os.chmod(self.dir, 0o755)
        user = _kiosk_user()
        for name in ("run", "kivy", "shots"):
            (self.dir / name).mkdir(mode=0o700)
            os.chown(self.dir / name, user.pw_uid, user.pw_gid)
        self.home = home or self.dir / "home"
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(self.dir / "notify.sock"))
        os.chmod(self.dir / "notify.sock", 0o777)  # the kiosk user sends to it, as to systemd's
        env = {"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(self.dir / "run"), "WLR_BACKENDS": "headless",
               "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1", "KIVY_NO_ARGS": "1",
               "KIVY_HOME": str(self.dir / "kivy"), "LOKET_HOME": str(self.home),
               "NOTIFY_SOCKET": str(self.dir / "notify.sock"), "WATCHDOG_USEC": str(watchdog_usec)}
        self.log = open(self.dir / "cage.log", "wb")  # noqa: SIM115  (closed in stop())
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            ["runuser", "-u", KIOSK_USER, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()),
             "cage", *cage_args, "--", *command],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True, cwd="/")

    def messages(self, until: float) -> list[tuple[float, str]]:
        """Notifications received before monotonic time `until` (seconds since the start, text)."""
        got = []
        while (left := until - time.monotonic()) > 0:
            self.notify.settimeout(left)
            try:
                got.append((time.monotonic() - self.started, self.notify.recv(4096).decode()))
            except TimeoutError:
                break
        return got

    def wait_ready(self, timeout_s: float = 90) -> tuple[float, str]:
        """(seconds from cage's start to READY=1, the message)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"cage ended ({self.process.returncode}): {self.output()[-3000:]}")
            for at, message in self.messages(min(deadline, time.monotonic() + 0.5)):
                if "READY=1" in message:
                    return at, message
        raise AssertionError(f"no READY=1 within {timeout_s} s: {self.output()[-3000:]}")

    def screenshot(self, target: Path) -> Path:
        """`grim` inside the session (on cage's Wayland display, as the kiosk user)."""
        shot = self.dir / "shots" / "screen.png"
        done = subprocess.run(["runuser", "-u", KIOSK_USER, "--", "env", f"XDG_RUNTIME_DIR={self.dir / 'run'}",
                               "WAYLAND_DISPLAY=wayland-0", "grim", str(shot)], capture_output=True, text=True,
                              timeout=30, cwd="/")
        assert done.returncode == 0, done.stderr
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
        return target

    def output(self) -> str:
        self.log.flush()
        return (self.dir / "cage.log").read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.notify.close()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> CageSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _kiosk_user():
    import pwd

    return pwd.getpwnam(KIOSK_USER)


def kiosk_home(*, provision_with: Path | None) -> Path:
    """A data directory (0700) for the kiosk user in /tmp; provisioned offline through `loket provision`
    when given the installed `loket`. The caller removes it."""
    from kiosk.crypto import new_office_keypair

    user = _kiosk_user()
    home = Path(tempfile.mkdtemp(prefix="loket-home-"))
    os.chown(home, user.pw_uid, user.pw_gid)
    os.chmod(home, 0o700)
    if provision_with is not None:
        done = subprocess.run(["runuser", "-u", KIOSK_USER, "--", str(provision_with), "--home", str(home), "provision",
                               "--terminal-code", "K7Q2", "--office-code", "3273010001", "--office-name",
                               "Kelurahan Braga", "--office-key", new_office_keypair().public_key],
                              capture_output=True, text=True, timeout=120, cwd="/")
        assert done.returncode == 0, done.stderr
    return home
