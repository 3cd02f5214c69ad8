"""A release from a USB stick, as maintenance's "Perbarui dari USB" takes it: the kiosk (its own user)
checks the bundle at once, so the technician reads a refusal on screen, then hands it to the root
applier through the spool (`loket-update.path`), which checks it again and applies it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from kiosk import __version__
from kiosk.release.bundle import SUFFIX, check_applicable, read_header, verify_wheels
from kiosk.release.manifest import read_trusted_keys

DEFAULT_KEYS = Path("/etc/loket/release-keys")


def bundles_on(folders: list[Path]) -> list[Path]:
    """Release bundles at the top of each stick folder, newest name first."""
    found: list[Path] = []
    for folder in folders:
        try:
            found += [p for p in folder.iterdir() if p.name.endswith(SUFFIX) and p.is_file()]
        except OSError:
            continue
    return sorted(found, key=lambda p: p.name, reverse=True)


def hand_to_updater(bundle: Path, spool: Path, keys_file: Path = DEFAULT_KEYS, running: str = __version__) -> str:
    """Verifies `bundle` as the applier will (raises `BundleRefused` with one line), then copies it into
    the spool in one rename; returns what the technician reads."""
    header = read_header(bundle, read_trusted_keys(keys_file))
    verify_wheels(header)
    spool.mkdir(parents=True, exist_ok=True)
    check_applicable(header.manifest, running=running, free_bytes=shutil.disk_usage(spool).free)
    final = spool / bundle.name
    partial = final.with_name(final.name + ".part")
    shutil.copyfile(bundle, partial)
    with open(partial, "rb") as f:
        os.fsync(f.fileno())
    os.replace(partial, final)
    return (f"release {header.manifest.version} checked (signature and every file) and handed to the updater: "
            "it is installed beside this one and switched to when the screen is free")
