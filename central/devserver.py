"""Running central as its own process on loopback, as an office would (`python -m central serve`):
start it, wait until it answers, stop it (SIGTERM, then SIGKILL), kill it like a power cut.

`loket demo` starts its central with this, and so do central's tests and the benchmarks (through
`tests/harness/central.py`), so there is one way to run central locally.

    central = start_central("sqlite:///tmp/x/central.db", log_path=Path("/tmp/x/central.log"))
    ...;  central.stop()
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from central.errors import CentralError
from central.settings import ENV_KEK, ENV_KEY_FILE

REPO = Path(__file__).resolve().parent.parent


def use_dev_key_file() -> None:
    """Unless central's settings name a key-encryption key already, this process (and every central it
    starts) keeps one in a private temporary folder, never in the user's config directory. The folder
    goes when this process exits: a throwaway key must not outlive the centrals that used it."""
    if not (os.environ.get(ENV_KEY_FILE) or os.environ.get(ENV_KEK)):
        folder = tempfile.mkdtemp(prefix="loket-kek-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ[ENV_KEY_FILE] = str(Path(folder) / "central.key")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class RunningCentral:
    """A `loket-central serve` subprocess on 127.0.0.1; `url` has no trailing slash."""

    db_url: str
    port: int
    workers: int = 1
    log_path: Path | None = None
    key_file: Path | None = None
    environment: dict[str, str] = field(default_factory=dict)  # central's settings, beside the inherited ones
    process: subprocess.Popen | None = field(default=None, repr=False)
    #: stop (SIGTERM) when the process that started it dies, however it dies: the demo's central must
    #: not outlive a kiosk whose X server went away. Tests leave it off: they start central from threads.
    die_with_parent: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> RunningCentral:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "central", "serve", "--db", self.db_url, "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(self.workers)],
            cwd=REPO, stdout=log, stderr=log, start_new_session=True,
            preexec_fn=_terminated_with(os.getpid()) if self.die_with_parent else None,  # noqa: PLW1509
            env={**os.environ, **({ENV_KEY_FILE: str(self.key_file)} if self.key_file else {}), **self.environment},
        )
        deadline = time.monotonic() + timeout
        while not _answers(self.url):
            if self.process.poll() is not None:
                raise CentralError(f"central exited with {self.process.returncode} on start"
                                   + (f": see {self.log_path}" if self.log_path else ""))
            if time.monotonic() > deadline:
                self.stop()
                raise CentralError(f"central did not answer on {self.url} within {timeout:.0f} s")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stops central the way an operator would (SIGTERM, then SIGKILL if it hangs)."""
        self._signal(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """Kills central at once (a power cut, as far as the server process can tell)."""
        self._signal(signal.SIGKILL, 10.0)

    def restart(self) -> RunningCentral:
        self.stop()
        return self.start()

    def _signal(self, sig: signal.Signals, timeout: float) -> None:
        if signal_group(self.process, sig, timeout):  # the whole group: uvicorn workers too
            _wait_port_free(self.port)

    def __enter__(self) -> RunningCentral:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def signal_group(process: subprocess.Popen | None, sig: signal.Signals, timeout: float) -> bool:
    """Sends `sig` to the process group `process` leads (started with `start_new_session`) and waits
    for it, SIGKILL after `timeout`; False when it had already ended."""
    if process is None or process.poll() is not None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout)
    return True


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _terminated_with(parent: int) -> Callable[[], None]:
    """For `preexec_fn`: the child gets SIGTERM when `parent` (the thread that started it) dies.

    Linux only (prctl); elsewhere the child just runs on. If the parent died before the call, the
    child leaves at once instead of running orphaned."""

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the child only calls it
    except (OSError, AttributeError):
        prctl = None

    def arrange() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:
            os._exit(0)

    return arrange


def _wait_port_free(port: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.05)


def start_central(db_url: str, port: int | None = None, *, workers: int = 1,
                  log_path: Path | None = None, key_file: Path | None = None,
                  environment: dict[str, str] | None = None, die_with_parent: bool = False,
                  timeout: float = 30.0) -> RunningCentral:
    """Central on `db_url` (migrated on start), answering on 127.0.0.1:`port` (a free one by default), with
    its key-encryption key in `key_file` (default: central's settings, else see `use_dev_key_file`)."""
    use_dev_key_file()
    return RunningCentral(db_url, port or free_port(), workers, log_path, key_file, environment or {},
                          die_with_parent=die_with_parent).start(timeout)
