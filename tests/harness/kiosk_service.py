"""What `systemctl restart loket-sync loket-kiosk` does on a kiosk, for tests without systemd as PID 1:
stops the kiosk this harness started (its whole process group) and starts `PREFIX/current/bin/loket run`
again, detached, on the X display in $DISPLAY, its output appended to LOG.

    python -m tests.harness.kiosk_service PREFIX HOME LOG      # the applier's --restart-command
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def stop(pid_file: Path) -> None:
    try:
        pid = int(pid_file.read_text())
    except (OSError, ValueError):
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
        for _ in range(50):
            os.killpg(pid, 0)
            time.sleep(0.1)
        os.killpg(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)


def start(prefix: Path, home: Path, log: Path, pid_file: Path) -> int:
    env = {**os.environ, "KIVY_NO_ARGS": "1", "KIVY_NO_FILELOG": "1", "LOKET_HOME": str(home)}
    env.pop("PYTHONPATH", None)  # the release runs its own code, not this tree's
    with open(log, "ab") as out:
        process = subprocess.Popen([str(prefix / "current" / "bin" / "loket"), "--home", str(home), "run",
                                    "--windowed", "--size", "1024x600"],
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                   cwd="/", start_new_session=True)
    pid_file.write_text(str(process.pid))
    return process.pid


def main(argv: list[str]) -> int:
    prefix, home, log = (Path(a) for a in argv)
    pid_file = log.with_suffix(".pid")
    stop(pid_file)
    start(prefix, home, log, pid_file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
