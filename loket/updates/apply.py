"""Applying a signed bundle: verify, install beside the running release, wait until no citizen is at the
screen, switch `current`, and keep the new release only if it comes up; else go back by itself.

Every step leaves a terminal that boots: nothing changes before the bundle is verified, the new
release is complete (its `release.json`) before `current` can point at it, the switch is one
rename, and a trial the power cut interrupted is finished by `boot_check` at the next boot.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from kiosk.release.bundle import SUFFIX, BundleHeader, check_applicable, read_header, unpack_wheels, verify_wheels
from kiosk.release.manifest import BundleRefused, parse_version, read_trusted_keys
from loket.release import (
    SYSTEM_PYTHON,
    ReleaseError,
    install_release,
    prune_releases,
    remove_unfinished,
    switch_current,
)
from loket.updates.services import Services
from loket.updates.state import UpdatePaths, UpdateState, came_up, read_state, write_state
from loket.updates.window import may_switch

Log = Callable[[str], None]


@dataclass(frozen=True)
class ApplyOptions:
    #: how long a new release has to put Welcome on screen after the switch
    ready_timeout_s: float = 180.0
    poll_s: float = 0.5
    #: None: wait for the screen to be free as long as it takes (the idle reset ends every journey)
    max_idle_wait_s: float | None = None
    python: Path = SYSTEM_PYTHON
    #: boots that may try a release on trial before it is given up (a crash loop that reboots)
    max_boot_attempts: int = 3
    #: the clock the office's hours are read on (tests); None: the system clock
    now: Callable[[], dt.datetime] | None = None


def queue_schema(queue: Path) -> int | None:
    """The queue's `PRAGMA user_version`, read-only; None when there is no queue yet."""
    if not queue.exists():
        return None
    db = sqlite3.connect(f"file:{queue}?mode=ro", uri=True)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def backup_queue(queue: Path, dest: Path) -> Path:
    """A consistent copy of the queue (SQLite's online backup) while the kiosk may still write it."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    source, target = sqlite3.connect(queue), sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    dest.chmod(0o600)
    return dest


@contextmanager
def applier_lock(paths: UpdatePaths) -> Iterator[None]:
    paths.prefix.mkdir(parents=True, exist_ok=True)
    with open(paths.prefix / "update.lock", "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BundleRefused("another update is being applied on this terminal; try again when it is done") from None
        yield


def verify_for_terminal(paths: UpdatePaths, bundle: Path) -> BundleHeader:
    """Signature, anti-rollback, disk space, queue schema and every wheel's hash: every refusal before
    anything is written (the wheels are hashed again as they are unpacked)."""
    header = read_header(bundle, read_trusted_keys(paths.trusted_keys))
    paths.prefix.mkdir(parents=True, exist_ok=True)
    check_applicable(header.manifest, running=paths.layout.current_version(),
                     free_bytes=shutil.disk_usage(paths.prefix).free, queue_schema=queue_schema(paths.queue))
    verify_wheels(header)
    return header


def install_bundle(paths: UpdatePaths, header: BundleHeader, options: ApplyOptions) -> Path:
    """Unpacks (hashing every wheel) and installs the release offline beside the running one."""
    version = header.manifest.version
    staging = paths.incoming / version
    try:
        wheels = unpack_wheels(header, staging)
        release, _ = install_release(paths.layout, wheelhouse=wheels, version=version, python=options.python)
    except ReleaseError as e:
        raise BundleRefused(f"release {version} did not install: {e}") from None
    finally:
        shutil.rmtree(paths.incoming, ignore_errors=True)
    return release


def wait_until_screen_free(paths: UpdatePaths, options: ApplyOptions, log: Log) -> str:
    """Waits until no citizen is mid-journey, or the office is closed (its `office_hours`); returns why."""
    started = time.monotonic()
    said = False
    while True:
        free, why = may_switch(paths, options.now() if options.now else None)
        if free:
            return why
        if not said:
            log("a citizen is using the kiosk: the switch waits until the screen is back at Welcome "
                "or the office closes")
            said = True
        if options.max_idle_wait_s is not None and time.monotonic() - started > options.max_idle_wait_s:
            raise BundleRefused("the kiosk stayed in use; the update is installed and waits for the next try")
        time.sleep(options.poll_s)


def apply_bundle(paths: UpdatePaths, bundle: Path, services: Services, options: ApplyOptions,
                 log: Log = print) -> UpdateState:
    """The whole update from one bundle file; refusals raise `BundleRefused` with nothing switched."""
    with applier_lock(paths):
        try:
            header = verify_for_terminal(paths, bundle)
        except BundleRefused as e:
            write_state(paths, UpdateState("refused", reason=str(e)))
            raise
        manifest = header.manifest
        running = paths.layout.current_version()
        write_state(paths, UpdateState("installing", manifest.version, previous=running))
        log(f"release {manifest.version}: signature and anti-rollback good; installing beside {running}")
        try:
            install_bundle(paths, header, options)
        except BundleRefused as e:
            write_state(paths, UpdateState("refused", manifest.version, previous=running, reason=str(e)))
            raise
        write_state(paths, UpdateState("waiting", manifest.version, previous=running))
        log(f"switching now: {wait_until_screen_free(paths, options, log)}")
        schema = queue_schema(paths.queue)
        if schema is not None and schema < manifest.queue_schema:
            copy = backup_queue(paths.queue, paths.data / "backups" / f"queue-before-{manifest.version}.db")
            log(f"queue copied to {copy} before release {manifest.version} migrates it")
        keys = [header.signed_by, *([manifest.next_key] if manifest.next_key else [])]
        trial = write_state(paths, UpdateState("trial", manifest.version, previous=running, pin_keys=keys))
        return switch_and_watch(paths, trial, services, options, log)


def link_previous(paths: UpdatePaths, version: str | None) -> None:
    """`<prefix>/previous` -> the release to go back to: the boot check runs its program, which is known
    to start, so a release too broken to start cannot stop its own rollback."""
    if version is None:
        return
    staging = paths.prefix / f".previous.{os.getpid()}"
    staging.unlink(missing_ok=True)
    staging.symlink_to(f"releases/{version}")
    os.replace(staging, paths.prefix / "previous")


def switch_and_watch(paths: UpdatePaths, trial: UpdateState, services: Services, options: ApplyOptions,
                     log: Log) -> UpdateState:
    link_previous(paths, trial.previous)
    paths.up_file.unlink(missing_ok=True)
    switch_current(paths.layout, trial.version)
    log(f"current -> {trial.version}; restarting the kiosk and sync")
    services.restart()
    return watch_trial(paths, trial, services, options, log)


def watch_trial(paths: UpdatePaths, trial: UpdateState, services: Services, options: ApplyOptions,
                log: Log) -> UpdateState:
    """Keeps the release on trial if it marks itself up in time, else goes back to the previous one."""
    deadline = time.monotonic() + options.ready_timeout_s
    while time.monotonic() < deadline:
        if came_up(paths) == trial.version:
            return keep(paths, trial, log)
        time.sleep(options.poll_s)
    words = services.last_words()
    reason = f"release {trial.version} did not reach Welcome within {options.ready_timeout_s:.0f} s" + (
        f": {words}" if words else "")
    return roll_back(paths, trial, services, reason, log)


def keep(paths: UpdatePaths, trial: UpdateState, log: Log) -> UpdateState:
    if trial.pin_keys:  # rotation: the key that signed this release and the next one it named
        text = "# release public keys this terminal trusts (updated by signed releases)\n" + "".join(
            f"{k}\n" for k in trial.pin_keys)
        tmp = paths.trusted_keys.with_name(".release-keys.new")
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o644)
        tmp.replace(paths.trusted_keys)
    prune_releases(paths.layout, previous=trial.previous)  # keep this one and the one to go back to
    log(f"release {trial.version} is up (Welcome on screen): kept")
    return write_state(paths, UpdateState("good", trial.version, previous=trial.previous))


def roll_back(paths: UpdatePaths, trial: UpdateState, services: Services, reason: str, log: Log) -> UpdateState:
    log(f"{reason}; going back to {trial.previous}")
    if trial.previous is None:
        return write_state(paths, replace(trial, state="rolled_back", reason=reason + " (no previous release)"))
    paths.up_file.unlink(missing_ok=True)
    switch_current(paths.layout, trial.previous)
    state = write_state(paths, UpdateState("rolled_back", trial.version, previous=trial.previous, reason=reason))
    services.restart()
    return state


def discard_unfinished(paths: UpdatePaths) -> list[str]:
    """Removes what a killed applier left half made: the unpacked wheels and a release directory without its
    `release.json` (never the current one); returns what went. The next try starts these afresh anyway;
    this gives the disk back at the next boot."""
    gone = [str(paths.incoming)] if paths.incoming.exists() else []
    shutil.rmtree(paths.incoming, ignore_errors=True)
    return gone + remove_unfinished(paths.layout)


def boot_check(paths: UpdatePaths, services: Services, options: ApplyOptions, log: Log = print) -> UpdateState:
    """At boot (or any time): finishes a trial a power cut or crash interrupted."""
    with applier_lock(paths):
        state = read_state(paths)
        discard_unfinished(paths)
        if state.state in ("installing", "waiting"):  # the applier was killed before the switch
            return write_state(paths, UpdateState(
                "interrupted", state.version, previous=state.previous,
                reason="the update stopped before the switch (power cut?); the running release was kept"))
        if state.state != "trial" or state.version is None:
            return state
        if paths.layout.current_version() != state.version:
            interrupted = "the switch was interrupted; the previous release kept running"
            return write_state(paths, UpdateState("rolled_back", state.version, previous=state.previous,
                                                  reason=interrupted))
        state = write_state(paths, replace(state, attempts=state.attempts + 1))
        if state.attempts > options.max_boot_attempts:
            return roll_back(paths, state, services,
                             f"release {state.version} did not reach Welcome in {options.max_boot_attempts} boots",
                             log)
        return watch_trial(paths, state, services, options, log)


def spooled_bundles(paths: UpdatePaths) -> list[Path]:
    """Complete bundles waiting in the spool, newest version first (a `.part` download is not one)."""
    found = []
    for path in paths.spool.glob(f"*{SUFFIX}"):
        try:
            found.append((parse_version(path.name.removeprefix("loket-").removesuffix(SUFFIX)), path))
        except BundleRefused:
            found.append((parse_version("0"), path))
    return [p for _, p in sorted(found, reverse=True)]


def apply_spool(paths: UpdatePaths, services: Services, options: ApplyOptions, log: Log = print) -> UpdateState:
    """Applies the newest bundle waiting in the spool; every bundle there is taken out once tried."""
    bundles = spooled_bundles(paths)
    state = read_state(paths)
    try:
        if bundles:
            state = apply_bundle(paths, bundles[0], services, options, log)
    finally:
        for path in bundles:
            path.unlink(missing_ok=True)
    return state
