"""Releases on a terminal: `<prefix>/releases/<version>` (a venv built from Debian's python3) and the
`<prefix>/current` symlink that points at the one the units run.

The one place that installs a release (from this source tree or from a directory of wheels) and
switches `current` atomically; `scripts/install-terminal` and signed updates both call it. Standard
library only: it runs under `/usr/bin/python3` before any venv exists. A release directory is
complete once its `release.json` is written (last); one without it is a broken attempt, rebuilt.

    python3 -m loket.release install --prefix /opt/loket --source . [--wheelhouse DIR] [--no-switch]
    python3 -m loket.release switch VERSION --prefix /opt/loket
    python3 -m loket.release list --prefix /opt/loket
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PREFIX = Path("/opt/loket")
#: Debian's interpreter: readable by every user, unlike a pyenv Python under a home directory
SYSTEM_PYTHON = Path("/usr/bin/python3")
RELEASE_FILE = "release.json"
VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$")
#: a release's tree is read by the kiosk and sync users, written by root only
RELEASE_UMASK = 0o022


class ReleaseError(Exception):
    """A release cannot be installed or switched to (the message says why)."""


@dataclass(frozen=True)
class Layout:
    """Where releases live under one prefix (`/opt/loket` on a kiosk)."""

    prefix: Path = DEFAULT_PREFIX
    releases: Path = field(init=False)
    current: Path = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "releases", self.prefix / "releases")  # releases/<version>/
        object.__setattr__(self, "current", self.prefix / "current")  # -> releases/<version>

    def release(self, version: str) -> Path:
        check_version(version)
        return self.releases / version

    def installed(self) -> list[str]:
        """Versions whose release is complete, oldest first by install time."""
        if not self.releases.is_dir():
            return []
        done = [p for p in self.releases.iterdir() if (p / RELEASE_FILE).is_file()]
        return [p.name for p in sorted(done, key=lambda p: (p / RELEASE_FILE).stat().st_mtime)]

    def current_version(self) -> str | None:
        """The version `current` points at, None when there is no `current`."""
        try:
            return Path(os.readlink(self.current)).name
        except OSError:
            return None


def check_version(version: str) -> str:
    if not VERSION_PATTERN.match(version) or version in (".", ".."):
        raise ReleaseError(f"not a release version: {version!r}")
    return version


def source_version(source: Path) -> str:
    """The version in a source tree's pyproject.toml, with the git commit when it is a checkout
    (`0.1.0+g3fcd2c1`, `.d<hash of the changes>` after it when the tree has uncommitted ones), so that
    installing changed code never finds an older build of "the same" version already there."""
    try:
        with open(source / "pyproject.toml", "rb") as f:
            version = tomllib.load(f)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as e:
        raise ReleaseError(f"{source}: no project version in pyproject.toml ({e})") from None
    git = ["git", "-C", str(source)]
    try:
        commit = subprocess.run([*git, "rev-parse", "--short=10", "HEAD"], capture_output=True, text=True)
    except OSError:  # no git on this machine: the plain version
        return check_version(version)
    if commit.returncode == 0 and commit.stdout.strip():
        version += f"+g{commit.stdout.strip()}"
        changes = subprocess.run([*git, "diff", "HEAD", "--", ".", ":!tests", ":!docs"], capture_output=True)
        if changes.stdout:
            version += f".d{hashlib.sha256(changes.stdout).hexdigest()[:8]}"
    return check_version(version)


def read_release(path: Path) -> dict:
    """A complete release's record (version, built_at, python), e.g. `sys.prefix` of a running release."""
    return json.loads((Path(path) / RELEASE_FILE).read_text(encoding="utf-8"))


def _run(command: list[str]) -> None:
    # without PYTHONPATH: install-terminal sets it to the source tree, whose loket.egg-info would make
    # pip take `loket==version` as already installed and leave it out of the venv
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise ReleaseError(f"{' '.join(command[:4])} … failed: " + " | ".join(tail))


def install_release(
    layout: Layout,
    *,
    source: Path | None = None,
    wheelhouse: Path | None = None,
    version: str | None = None,
    python: Path = SYSTEM_PYTHON,
    extra_requirements: tuple[str, ...] = (),
    extras: tuple[str, ...] = (),
) -> tuple[Path, bool]:
    """Installs release `version` into `layout.release(version)` unless it is already complete there.

    From `wheelhouse` (a directory of wheels, no index: `loket==version` and its dependencies), else
    from the `source` tree (pip, with the machine's index or cache). Returns the release directory
    and whether anything was installed. `current` is not touched: see `switch_current`. `extras` are the
    package's optional parts (`("central",)` on central's machine; a terminal needs none).
    """
    if version is None:
        if source is None:
            raise ReleaseError("a wheelhouse install needs the version")
        version = source_version(source)
    target = layout.release(version)
    if (target / RELEASE_FILE).is_file():
        return target, False
    if not Path(python).is_file():
        raise ReleaseError(f"{python} is missing: install Debian's python3 and python3-venv")
    old_umask = os.umask(RELEASE_UMASK)
    try:
        shutil.rmtree(target, ignore_errors=True)  # what a broken attempt left
        layout.releases.mkdir(parents=True, exist_ok=True)
        # venvs are not relocatable (scripts name their interpreter), so the venv is built in place
        _run([str(python), "-m", "venv", str(target)])
        pip = [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        wanted = f"[{','.join(extras)}]" if extras else ""
        if wheelhouse is not None:
            _run([*pip, "--no-index", "--find-links", str(wheelhouse), f"loket{wanted}=={version}",
                  *extra_requirements])
        elif source is not None:
            _run([*pip, f"{source}{wanted}", *extra_requirements])
        else:
            raise ReleaseError("give a source tree or a wheelhouse")
        record = {"version": version, "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                  "python": str(python), "from": str(wheelhouse or source)}
        (target / RELEASE_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    finally:
        os.umask(old_umask)
    return target, True


def switch_current(layout: Layout, version: str) -> bool:
    """Points `current` at release `version` in one rename (a reader sees the old or the new, never
    none). Returns whether it changed."""
    target = layout.release(version)
    if not (target / RELEASE_FILE).is_file():
        raise ReleaseError(f"release {version} is not installed completely in {layout.releases}")
    link = f"releases/{version}"  # relative: the prefix can be moved or mounted elsewhere
    try:
        if os.readlink(layout.current) == link:
            return False
    except OSError:
        pass
    staging = layout.prefix / f".current.{os.getpid()}"
    staging.unlink(missing_ok=True)
    staging.symlink_to(link)
    os.replace(staging, layout.current)
    fd = os.open(layout.prefix, os.O_RDONLY)
    try:
        os.fsync(fd)  # the switch survives a power cut right after it
    finally:
        os.close(fd)
    return True


def remove_release(layout: Layout, version: str) -> None:
    if layout.current_version() == version:
        raise ReleaseError(f"release {version} is the current one; switch first")
    shutil.rmtree(layout.release(version), ignore_errors=True)


def remove_unfinished(layout: Layout) -> list[str]:
    """Removes release directories without their `release.json` (an install that was killed or failed),
    never the current one; returns their versions."""
    if not layout.releases.is_dir():
        return []
    complete, current = set(layout.installed()), layout.current_version()
    gone = [p.name for p in layout.releases.iterdir() if p.is_dir() and p.name not in complete and p.name != current]
    for version in gone:
        shutil.rmtree(layout.releases / version, ignore_errors=True)
    return sorted(gone)


def prune_releases(layout: Layout, keep: int = 2, previous: str | None = None) -> list[str]:
    """Removes all but `keep` releases and any unfinished one; returns what went. The current release always
    stays, then `previous` (the release to go back to, when known: the one an update or the installer
    switched from), then the newest others by install time. The installer and the updater both call it."""
    current = layout.current_version()
    others = [v for v in layout.installed() if v != current]
    kept = [previous] if previous in others else []
    for version in reversed(others):
        if len(kept) >= keep - 1:
            break
        if version not in kept:
            kept.append(version)
    gone = [v for v in others if v not in kept]
    for version in gone:
        remove_release(layout, version)
    return gone + remove_unfinished(layout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m loket.release", description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", type=Path, default=DEFAULT_PREFIX)
    commands = parser.add_subparsers(dest="command", required=True)
    install = commands.add_parser("install", help="install a release (and switch to it unless --no-switch)")
    install.add_argument("--source", type=Path, help="a source tree (default: this one)")
    install.add_argument("--wheelhouse", type=Path, help="a directory of wheels (no index)")
    install.add_argument("--version", help="the version (default: the source tree's)")
    install.add_argument("--no-switch", action="store_true")
    switch = commands.add_parser("switch", help="point current at an installed release")
    switch.add_argument("version")
    commands.add_parser("list", help="installed releases, the current one marked")
    args = parser.parse_args(argv)
    layout = Layout(args.prefix)
    try:
        if args.command == "install":
            source = args.source or (None if args.wheelhouse else Path(__file__).resolve().parent.parent)
            target, built = install_release(layout, source=source, wheelhouse=args.wheelhouse, version=args.version)
            print(f"{'installed' if built else 'already installed'}: {target}")
            if not args.no_switch and switch_current(layout, target.name):
                print(f"current -> {target.name}")
        elif args.command == "switch":
            print(f"current -> {args.version}" if switch_current(layout, args.version) else "current unchanged")
        else:
            for version in layout.installed():
                print(f"{'*' if version == layout.current_version() else ' '} {version}")
    except ReleaseError as e:
        print(f"loket.release: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
