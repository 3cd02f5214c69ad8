"""The systemd units shipped in loket/units/: each passes `systemd-analyze verify`, and each one's
exposure (`systemd-analyze security --offline=yes`) stays within what docs/deployment.md records:
sync ≤ 3.0, kiosk ≤ 6.0, central ≤ 3.0. Rendered with the installer's own path substitution into a
temp dir whose `current` points at this checkout's venv (verify checks that ExecStart exists)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from loket.install import Changes, Target, install_units

pytestmark = pytest.mark.skipif(not shutil.which("systemd-analyze") or not shutil.which("cage"),
                                reason="needs systemd-analyze and cage (scripts/setup installs them)")
MOST_EXPOSED = {"loket-sync.service": 3.0, "loket-kiosk.service": 6.0, "loket-central.service": 3.0}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("units")
    bin_dir = root / "opt" / "current" / "bin"
    bin_dir.mkdir(parents=True)
    for program in ("loket", "loket-central"):
        (bin_dir / program).symlink_to(Path(sys.executable).parent / program)
    target = Target(prefix=root / "opt", data=root / "data", config=root / "etc", root=root)
    install_units(target, Changes())
    return target.units


@pytest.mark.parametrize("unit", sorted(MOST_EXPOSED))
def test_each_unit_passes_systemd_analyze_verify(rendered: Path, unit: str) -> None:
    done = subprocess.run(["systemd-analyze", "verify", str(rendered / unit)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    own = [line for line in done.stderr.splitlines() if unit in line]
    assert own == [], own  # no warning about this unit (others' lines are the host's)


@pytest.mark.parametrize(("unit", "most"), sorted(MOST_EXPOSED.items()))
def test_each_unit_is_hardened_within_its_recorded_exposure(rendered: Path, unit: str, most: float) -> None:
    done = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(rendered / unit)],
                          capture_output=True, text=True)
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert found, done.stdout[-2000:] + done.stderr
    assert float(found.group(1)) <= most, done.stdout
