"""Releases under a prefix: `current` is switched in one rename and only to a complete release, a source
checkout's version names its commit, old releases are pruned (never the current one), and a version
that could climb out of the releases folder is refused. (Installing a venv for real: tests/deploy.)"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loket.release import (
    RELEASE_FILE,
    Layout,
    ReleaseError,
    check_version,
    prune_releases,
    source_version,
    switch_current,
)

ROOT = Path(__file__).resolve().parents[2]


def fake_release(layout: Layout, version: str, *, complete: bool = True) -> Path:
    """A release directory as `install_release` leaves it (no venv: `current` only needs the record)."""
    target = layout.release(version)
    target.mkdir(parents=True)
    if complete:
        (target / RELEASE_FILE).write_text(json.dumps({"version": version, "built_at": "2026-12-04T16:00:00+00:00"}))
    return target


def test_current_moves_in_one_rename_and_only_to_a_complete_release(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    fake_release(layout, "0.1.0")
    fake_release(layout, "0.2.0", complete=False)  # a broken attempt
    assert switch_current(layout, "0.1.0") and layout.current_version() == "0.1.0"
    assert os.readlink(layout.current) == "releases/0.1.0"  # relative: the prefix can move
    assert not switch_current(layout, "0.1.0"), "switching to the current one changes nothing"
    with pytest.raises(ReleaseError, match="not installed completely"):
        switch_current(layout, "0.2.0")
    assert layout.current_version() == "0.1.0"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".current")] == []


def test_pruning_keeps_the_current_and_the_one_before(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    for n, version in enumerate(("0.1.0", "0.2.0", "0.3.0", "0.4.0")):
        path = fake_release(layout, version)
        os.utime(path / RELEASE_FILE, (1_000_000 + n, 1_000_000 + n))
    switch_current(layout, "0.4.0")
    assert prune_releases(layout) == ["0.1.0", "0.2.0"]
    assert layout.installed() == ["0.3.0", "0.4.0"]


def test_pruning_keeps_the_release_to_go_back_to_even_when_a_failed_one_is_newer(tmp_path: Path) -> None:
    """After 1.0.0 -> 1.5.0 (rolled back) -> 2.0.0, the updater and the installer keep 2.0.0 and the one it
    replaced, 1.0.0, not the newer 1.5.0 that never came up; a half-made release goes too."""
    layout = Layout(tmp_path)
    for n, version in enumerate(("0.9.0", "1.0.0", "1.5.0", "2.0.0")):
        path = fake_release(layout, version)
        os.utime(path / RELEASE_FILE, (1_000_000 + n, 1_000_000 + n))
    fake_release(layout, "3.0.0", complete=False)  # an install killed half-way
    switch_current(layout, "2.0.0")
    assert prune_releases(layout, previous="1.0.0") == ["0.9.0", "1.5.0", "3.0.0"]
    assert layout.installed() == ["1.0.0", "2.0.0"] and sorted(p.name for p in layout.releases.iterdir()) == [
        "1.0.0", "2.0.0"]
    assert prune_releases(layout, previous="1.0.0") == []


@given(st.text(min_size=1, max_size=20))
def test_a_version_never_names_a_path_outside_the_releases_folder(text: str) -> None:
    try:
        check_version(text)
    except ReleaseError:
        return
    assert "/" not in text and text not in (".", "..") and not text.startswith(".")


def test_a_checkouts_release_names_its_commit() -> None:
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=10", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    assert source_version(ROOT).startswith(f"0.1.0+g{commit}")
