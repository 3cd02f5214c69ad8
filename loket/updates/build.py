"""`loket release build`: a signed bundle of Loket and every wheel it needs on a terminal.

pip builds the loket wheel from a source tree and fetches (or takes from its cache and
find-links) a wheel for every dependency, so the terminal installs with `--no-index`.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

from kiosk.release.bundle import bundle_name, write_body, write_bundle
from kiosk.release.manifest import MANIFEST_FORMAT, BundleRefused, Manifest, ReleaseFile, ReleaseKey, sha256_file

SCHEMA_LINE = re.compile(r"^def _v(\d+)\(", re.MULTILINE)


VERSION_LINE = re.compile(r'^__version__ = "([^"]+)"$', re.MULTILINE)


def source_version(source: Path) -> str:
    """The version in pyproject.toml, which must be the one the program reports (`kiosk.__version__`)."""
    try:
        with open(source / "pyproject.toml", "rb") as f:
            version = str(tomllib.load(f)["project"]["version"])
        reported = VERSION_LINE.search((source / "kiosk" / "__init__.py").read_text(encoding="utf-8"))
    except (OSError, KeyError, tomllib.TOMLDecodeError) as e:
        raise BundleRefused(f"{source}: no project version in pyproject.toml ({e})") from None
    if reported is None or reported.group(1) != version:
        raise BundleRefused(f"{source}: pyproject.toml says {version}, kiosk/__init__.py says "
                            f"{reported.group(1) if reported else 'nothing'}: make them agree")
    return version


def source_queue_schema(source: Path) -> int:
    """The queue schema the source tree's migrations reach (its highest `_vN` migration)."""
    try:
        text = (source / "kiosk" / "store" / "schema.py").read_text(encoding="utf-8")
    except OSError as e:
        raise BundleRefused(f"{source}: no kiosk/store/schema.py ({e.strerror})") from None
    numbers = [int(n) for n in SCHEMA_LINE.findall(text)]
    if not numbers:
        raise BundleRefused(f"{source}: kiosk/store/schema.py has no migrations")
    return max(numbers)


def build_wheelhouse(source: Path, into: Path, *, find_links: list[Path] = (), no_index: bool = False) -> None:
    """`pip wheel` of the source tree and all its dependencies into `into` (PyPI, cache or find-links;
    only find-links with `no_index`, for a build machine without the network)."""
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
               "--wheel-dir", str(into), *(["--no-index"] if no_index else [])]
    for folder in find_links:
        command += ["--find-links", str(folder)]
    done = subprocess.run([*command, str(source)], capture_output=True, text=True)
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise BundleRefused(f"pip wheel failed for {source}: {tail}")


def _unpacked_size(wheel: Path) -> int:
    with zipfile.ZipFile(wheel) as z:
        return sum(info.file_size for info in z.infolist())


def build_release(
    key: ReleaseKey,
    out_dir: Path,
    *,
    source: Path,
    fallback_version: str | None = None,
    min_queue_schema: int = 0,
    downgrade: bool = False,
    next_key: str | None = None,
    find_links: list[Path] = (),
    no_index: bool = False,
    now: dt.datetime | None = None,
) -> Path:
    """Builds, signs and writes `loket-<version>.loket-release` in `out_dir`; returns its path."""
    source = Path(source).resolve()
    version = source_version(source)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="loket-release-", dir=out_dir) as work:
        wheelhouse = Path(work)
        build_wheelhouse(source, wheelhouse, find_links=list(find_links), no_index=no_index)
        wheels = {f"wheels/{p.name}": p for p in sorted(wheelhouse.glob("*.whl"))}
        body = wheelhouse / "body.tar"
        body_sha256, body_bytes = write_body(body, wheels)
        manifest = Manifest(
            format=MANIFEST_FORMAT, version=version, min_queue_schema=min_queue_schema,
            queue_schema=source_queue_schema(source), fallback_version=fallback_version, downgrade=downgrade,
            built_at=(now or dt.datetime.now(dt.UTC)).replace(microsecond=0),
            files={name: ReleaseFile(sha256=sha256_file(p), bytes=p.stat().st_size) for name, p in wheels.items()},
            installed_bytes=sum(_unpacked_size(p) for p in wheels.values()),
            body_sha256=body_sha256, body_bytes=body_bytes,
            key=key.public_key, next_key=next_key,
        )
        out = out_dir / bundle_name(version)
        write_bundle(out, manifest, key.sign(manifest.to_bytes()), body)
    return out
