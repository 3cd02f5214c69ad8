"""The update units (loket-update.path/.service, loket-update-check.service) are installed with the
others, pass `systemd-analyze verify`, and stay within the exposure docs/updates.md records."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from loket.install import SERVICES, UPDATE_APPLIER
from tests.deploy.test_units import pytestmark, rendered  # noqa: F401  (the same rendered units)

UPDATE_UNITS = ("loket-update.path", UPDATE_APPLIER, "loket-update-check.service")
MOST_EXPOSED = {UPDATE_APPLIER: 6.0, "loket-update-check.service": 6.0}


def test_the_path_and_boot_check_are_enabled_and_the_applier_only_started_by_the_path() -> None:
    assert {"loket-update.path", "loket-update-check.service"} <= set(SERVICES) and UPDATE_APPLIER not in SERVICES


@pytest.mark.parametrize("unit", UPDATE_UNITS)
def test_each_update_unit_passes_systemd_analyze_verify(rendered: Path, unit: str) -> None:  # noqa: F811
    done = subprocess.run(["systemd-analyze", "verify", str(rendered / unit)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert [line for line in done.stderr.splitlines() if unit in line] == []


@pytest.mark.parametrize(("unit", "most"), sorted(MOST_EXPOSED.items()))
def test_each_update_service_is_hardened_within_its_recorded_exposure(rendered: Path, unit: str,  # noqa: F811
                                                                      most: float) -> None:
    done = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(rendered / unit)],
                          capture_output=True, text=True)
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert found, done.stdout[-2000:] + done.stderr
    print(unit, found.group(1))
    assert float(found.group(1)) <= most, done.stdout
