"""Running `loket` as an unprivileged user, so that file permissions bind (root ignores them).

The child runs as `nobody` through `setpriv`, with a Python that user can execute (a venv whose
interpreter lives under /root cannot be) and our code plus the venv's packages on PYTHONPATH.
"""

from __future__ import annotations

import functools
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
USER = "nobody"
GROUP = "nogroup"


def _setpriv() -> list[str]:
    return ["setpriv", f"--reuid={USER}", f"--regid={GROUP}", "--clear-groups"]


def _pythonpath() -> str:
    paths = sysconfig.get_paths()
    return os.pathsep.join(dict.fromkeys([str(ROOT), paths["purelib"], paths["platlib"]]))


@functools.cache
def python_for_nobody() -> str | None:
    """An interpreter `nobody` can run that imports our dependencies, or None (then the test skips)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, os.path.realpath(sys.executable), f"/usr/bin/{version}"):
        probe = subprocess.run([*_setpriv(), "env", f"PYTHONPATH={_pythonpath()}", candidate, "-c",
                                "import sqlite_utils, pydantic, nacl"], capture_output=True, cwd="/")
        if probe.returncode == 0:
            return candidate
    return None


def give_to_nobody(*paths: Path) -> None:
    """chown -R nobody:nogroup on each path."""
    user = pwd.getpwnam(USER)
    for path in paths:
        os.chown(path, user.pw_uid, user.pw_gid)
        for folder, _dirs, files in os.walk(path):
            os.chown(folder, user.pw_uid, user.pw_gid)
            for name in files:
                os.chown(os.path.join(folder, name), user.pw_uid, user.pw_gid)


def python_as_nobody(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python ARGS…` run as nobody with our code importable; stdout and stderr as text."""
    python = python_for_nobody()
    assert python, "call python_for_nobody() in a skipif first"
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "PYTHONPATH": _pythonpath(), **(env or {})}
    return subprocess.run([*_setpriv(), "env", *(f"{k}={v}" for k, v in env.items()), python, *args],
                          capture_output=True, text=True, timeout=timeout, cwd="/")


def loket_as_nobody(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`loket --home HOME ARGS…` run as nobody."""
    return python_as_nobody("-m", "loket.cli", "--home", str(home), *args, timeout=timeout)
