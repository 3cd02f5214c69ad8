"""Making a Debian 12 PC a Loket kiosk, the part after the Debian packages: the kiosk user, the data and
configuration directories, a release with `current` pointing at it, the systemd units, enabled.

`scripts/install-terminal` installs the Debian packages and then runs this under `/usr/bin/python3`
(standard library only). Every step looks before it acts, so a second run changes nothing and says
so; `--uninstall` takes the program, units and configuration links away and keeps the data
directory (the queue), `--purge` removes that, `/etc/loket` and the user too. Every path can be
moved (flags, or `LOKET_INSTALL_*` in the environment) so that tests install into a temp dir.
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from loket.release import DEFAULT_PREFIX, Layout, ReleaseError, install_release, prune_releases, switch_current

UNITS_DIR = Path(__file__).resolve().parent / "units"
KIOSK_USER = "loket"
#: what a kiosk user needs: the GPU (video, render), the touchscreen (input), receipt printers (lp)
KIOSK_GROUPS = ("video", "input", "render", "lp")
SERVICES = ("loket-sync.service", "loket-kiosk.service", "loket-update.path", "loket-update-check.service")
#: started by loket-update.path, never enabled on its own (signed updates, docs/updates.md)
UPDATE_APPLIER = "loket-update.service"
#: the kiosk takes tty1; its getty would fight for it
GETTY = "getty@tty1.service"
DEFAULTS = {"prefix": str(DEFAULT_PREFIX), "data": "/var/lib/loket", "config": "/etc/loket", "root": "/"}


@dataclass
class Target:
    """Where things go. `root` holds the system's own directories (systemd, PAM, udev), like DESTDIR."""

    prefix: Path
    data: Path
    config: Path
    root: Path = Path("/")
    unit_dir: Path | None = None
    user: str = KIOSK_USER

    def __post_init__(self) -> None:
        #: where systemd reads units; the boot target's wants; the system files the installer adds
        self.units = self.unit_dir or self.root / "etc/systemd/system"
        self.wants = self.units / "multi-user.target.wants"
        self.journald_dropin = self.root / "etc/systemd/journald.conf.d/loket.conf"
        self.pam_file = self.root / "etc/pam.d/loket-kiosk"
        self.udev_rule = self.root / "etc/udev/rules.d/99-loket-touch.rules"

    @property
    def is_system(self) -> bool:
        """Whether units go where systemd reads them on this machine (then systemctl enables them)."""
        return self.units == Path("/etc/systemd/system")

    def render(self, text: str, *, terminal: bool = True) -> str:
        """A shipped file with this target's paths and user in place of the defaults (`terminal=False`:
        only the prefix, for central's unit, whose data and configuration are its own)."""
        moves = [(DEFAULTS["prefix"], self.prefix)]
        if terminal:
            moves += [(DEFAULTS["data"], self.data), (DEFAULTS["config"], self.config)]
        for default, value in moves:
            text = text.replace(default, str(value))
        if terminal and self.user != KIOSK_USER:
            text = text.replace(f"User={KIOSK_USER}\n", f"User={self.user}\n")
            text = text.replace(f"Group={KIOSK_USER}\n", f"Group={self.user}\n")
        return text


@dataclass
class Changes:
    """What a run did, in a technician's words; empty when nothing needed doing."""

    done: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __call__(self, what: str) -> None:
        self.done.append(what)
        print(f"  {what}", flush=True)


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise ReleaseError(f"{' '.join(command)}: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def write_if_different(path: Path, text: str, mode: int, changes: Changes) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text and (path.stat().st_mode & 0o7777) == mode:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.new")
    staging.write_text(text, encoding="utf-8")
    os.chmod(staging, mode)
    os.replace(staging, path)
    changes(f"wrote {path}")


def link_if_different(link: Path, target: str, changes: Changes) -> None:
    if link.is_symlink() and os.readlink(link) == target:
        return
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target)
    changes(f"linked {link} -> {target}")


def ensure_user(target: Target, changes: Changes) -> None:
    """The kiosk's system user: no shell, no password, no sudo, in the kiosk's groups."""
    try:
        pwd.getpwnam(target.user)
    except KeyError:
        _run(["useradd", "--system", "--user-group", "--home-dir", str(target.data), "--no-create-home",
              "--shell", "/usr/sbin/nologin", "--comment", "Loket kiosk", target.user])
        changes(f"created system user {target.user}")
    members = {g.gr_name for g in grp.getgrall() if target.user in g.gr_mem}
    for group in KIOSK_GROUPS:
        try:
            grp.getgrnam(group)
        except KeyError:  # a machine without udev's groups yet: they are made the way udev would
            _run(["groupadd", "--system", group])
            changes(f"created group {group}")
        if group not in members:
            _run(["usermod", "--append", "--groups", group, target.user])
            changes(f"added {target.user} to group {group}")


def ensure_directories(target: Target, changes: Changes) -> None:
    user = pwd.getpwnam(target.user)
    for path, mode, uid, gid in ((target.data, 0o700, user.pw_uid, user.pw_gid), (target.config, 0o755, 0, 0)):
        if not path.is_dir():
            path.mkdir(parents=True, mode=mode)
            changes(f"created {path}")
        stat = path.stat()
        if (stat.st_mode & 0o7777, stat.st_uid, stat.st_gid) != (mode, uid, gid):
            os.chown(path, uid, gid)
            os.chmod(path, mode)
            changes(f"set {path} to {mode:o}, owner {pwd.getpwuid(uid).pw_name}")
    for name in ("kiosk.env", "touch-calibration.rules"):  # the technician's: written once, never replaced
        path = target.config / name
        if not path.exists():
            write_if_different(path, target.render((UNITS_DIR / name).read_text(encoding="utf-8")), 0o644, changes)


def install_units(target: Target, changes: Changes) -> None:
    for name in (*SERVICES, UPDATE_APPLIER, "loket-central.service"):
        text = target.render((UNITS_DIR / name).read_text(encoding="utf-8"), terminal=name != "loket-central.service")
        write_if_different(target.units / name, text, 0o644, changes)
    write_if_different(target.journald_dropin, (UNITS_DIR / "journald-loket.conf").read_text(encoding="utf-8"),
                       0o644, changes)
    write_if_different(target.pam_file, (UNITS_DIR / "pam-loket-kiosk").read_text(encoding="utf-8"), 0o644, changes)
    link_if_different(target.udev_rule, str(target.config / "touch-calibration.rules"), changes)


def systemd_running() -> bool:
    return Path("/run/systemd/system").is_dir()


def enable_units(target: Target, changes: Changes) -> None:
    """Enabled at boot; getty@tty1 disabled. With systemd running, through systemctl; without (an
    image being built, a container, CI), offline: `systemctl --root=/` or, for units outside
    /etc/systemd, the symlinks `systemctl enable` would make."""
    if target.is_system and shutil.which("systemctl"):
        live = systemd_running()
        systemctl = ["systemctl"] if live else ["systemctl", f"--root={target.root}"]
        if live:
            _run([*systemctl, "daemon-reload"])
        for service in SERVICES:
            if unit_state(systemctl, service) != "enabled":
                _run([*systemctl, "enable", service])
                changes(f"enabled {service}")
        if unit_state(systemctl, GETTY) != "masked":
            _run([*systemctl, "mask", GETTY])
            changes(f"masked {GETTY} (the kiosk owns tty1)")
        if not live:
            changes.notes.append("systemd is not running here: the units were enabled offline "
                                 f"({' '.join(systemctl)}) and start at the next boot")
        return
    for service in SERVICES:
        link_if_different(target.wants / service, f"../{service}", changes)
    link_if_different(target.units / GETTY, "/dev/null", changes)
    changes.notes.append(f"units enabled by symlinks in {target.units} (not the system's unit directory)")


def unit_state(systemctl: list[str], unit: str) -> str:
    """`enabled`, `disabled`, `masked`, … as `systemctl is-enabled` says (it exits non-zero for most)."""
    return subprocess.run([*systemctl, "is-enabled", unit], capture_output=True, text=True).stdout.strip()


def pin_release_keys(target: Target, keys: list[str], changes: Changes) -> None:
    """Pins the release public keys signed updates must carry (`/etc/loket/release-keys`); an existing
    file is kept, since signed releases rotate it (docs/updates.md)."""
    path = target.config / "release-keys"
    if keys and not path.exists():
        text = "# release public keys this terminal trusts (updated by signed releases)\n" + "".join(
            f"{k.strip()}\n" for k in keys)
        write_if_different(path, text, 0o644, changes)


def install(target: Target, source: Path, wheelhouse: Path | None = None, release_keys: list[str] = (),
            extras: tuple[str, ...] = ()) -> Changes:
    changes = Changes()
    os.umask(0o022)
    print("install-terminal: kiosk user, directories", flush=True)
    ensure_user(target, changes)
    ensure_directories(target, changes)
    pin_release_keys(target, list(release_keys), changes)
    print("install-terminal: release (a venv from /usr/bin/python3; pip takes a minute the first time)", flush=True)
    layout = Layout(target.prefix)
    replaced = layout.current_version()
    release, built = install_release(layout, source=source, wheelhouse=wheelhouse, extras=extras)
    if built:
        changes(f"installed release {release.name} in {release}")
    if switch_current(layout, release.name):
        changes(f"{layout.current} -> releases/{release.name}")
    for version in prune_releases(layout, previous=replaced):  # the one it replaced stays, to go back to
        changes(f"removed the old release {version}")
    print("install-terminal: systemd units", flush=True)
    install_units(target, changes)
    enable_units(target, changes)
    return changes


def uninstall(target: Target, *, purge: bool) -> Changes:
    changes = Changes()
    if target.is_system and shutil.which("systemctl"):
        systemctl = ["systemctl"] if systemd_running() else ["systemctl", f"--root={target.root}"]
        for service in SERVICES:
            if (target.units / service).exists():
                subprocess.run([*systemctl, "disable", service], capture_output=True)
        if (target.units / GETTY).is_symlink():
            subprocess.run([*systemctl, "unmask", GETTY], capture_output=True)
            changes(f"unmasked {GETTY}")
    for path in (*(target.wants / s for s in SERVICES), target.units / GETTY,
                 *(target.units / s for s in (*SERVICES, UPDATE_APPLIER, "loket-central.service")),
                 target.journald_dropin, target.pam_file, target.udev_rule):
        if path.is_symlink() or path.exists():
            path.unlink()
            changes(f"removed {path}")
    if target.prefix.exists():
        shutil.rmtree(target.prefix)
        changes(f"removed {target.prefix}")
    if purge:
        for path in (target.data, target.config):
            if path.exists():
                shutil.rmtree(path)
                changes(f"removed {path}")
        try:
            pwd.getpwnam(target.user)
            if target.user == KIOSK_USER:
                _run(["userdel", target.user])
                changes(f"removed user {target.user}")
        except KeyError:
            pass
    elif target.data.exists():
        changes.notes.append(f"kept {target.data} (the queue); --purge removes it")
    return changes


def target_from(args: argparse.Namespace, environ: dict[str, str] | os._Environ = os.environ) -> Target:
    def pick(flag: Path | None, env: str, default: str) -> Path:
        return Path(flag or environ.get(env) or default)

    root = pick(args.root, "LOKET_INSTALL_ROOT", DEFAULTS["root"])
    unit_dir = args.unit_dir or environ.get("LOKET_INSTALL_UNIT_DIR")
    return Target(prefix=pick(args.prefix, "LOKET_INSTALL_PREFIX", DEFAULTS["prefix"]),
                  data=pick(args.data_dir, "LOKET_INSTALL_DATA", DEFAULTS["data"]),
                  config=pick(args.config_dir, "LOKET_INSTALL_CONFIG", DEFAULTS["config"]),
                  root=root, unit_dir=Path(unit_dir) if unit_dir else None,
                  user=args.user or environ.get("LOKET_INSTALL_USER") or KIOSK_USER)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="install-terminal", description="Make this Debian 12 PC a Loket kiosk.")
    parser.add_argument("--uninstall", action="store_true", help="remove the program and units, keep the data")
    parser.add_argument("--purge", action="store_true", help="with --uninstall: remove the data, config and user too")
    parser.add_argument("--source", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the source tree to install (default: this one)")
    parser.add_argument("--wheelhouse", type=Path, help="install the release from these wheels (no index)")
    parser.add_argument("--prefix", type=Path, help="releases and current (default /opt/loket; $LOKET_INSTALL_PREFIX)")
    parser.add_argument("--data-dir", type=Path, help="the queue (default /var/lib/loket; $LOKET_INSTALL_DATA)")
    parser.add_argument("--config-dir", type=Path, help="configuration (default /etc/loket; $LOKET_INSTALL_CONFIG)")
    parser.add_argument("--unit-dir", type=Path, help="systemd units (default ROOT/etc/systemd/system; "
                        "$LOKET_INSTALL_UNIT_DIR)")
    parser.add_argument("--root", type=Path, help="where etc/systemd, etc/pam.d, etc/udev are (default /)")
    parser.add_argument("--user", help=f"the kiosk's user (default {KIOSK_USER}; made when missing)")
    parser.add_argument("--with-central", action="store_true",
                        help="also install central's dependencies (loket[central]), on central's machine")
    parser.add_argument("--release-key", action="append", default=[], metavar="PUBLIC_KEY",
                        help="pin this release public key (base64) for signed updates (docs/updates.md)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.purge and not args.uninstall:
        print("install-terminal: --purge goes with --uninstall", file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("install-terminal: run as root (sudo ./scripts/install-terminal)", file=sys.stderr)
        return 2
    target = target_from(args)
    try:
        if args.uninstall:
            changes = uninstall(target, purge=args.purge)
        else:
            changes = install(target, args.source, args.wheelhouse, args.release_key,
                              ("central",) if args.with_central else ())
    except (ReleaseError, OSError) as e:
        print(f"install-terminal: {e}", file=sys.stderr)
        return 1
    for note in changes.notes:
        print(f"install-terminal: {note}")
    print(f"install-terminal: {len(changes.done)} change(s)" if changes.done else "install-terminal: nothing to change")
    return 0


if __name__ == "__main__":
    sys.exit(main())
