"""The installed kiosk under a real cage, as the unprivileged kiosk user (headless wlroots, pixman, no
input devices): it reaches Welcome (READY=1 on its `NOTIFY_SOCKET`, then watchdog pings), fills the
screen in landscape and portrait (`cage -r`), and a kiosk killed with SIGKILL ends the session (so
that systemd's `Restart=always` starts it again). Screenshots (grim) go to out/deployment/.

The headless output shows a client that covers it exactly by scanning its buffer out, and `grim` then
reads black; a rotated output (`-r`, `-r -r`) is composited, so the screenshots are taken rotated:
`-r -r` (180 degrees) gives the landscape screen the right way up.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import pytest
from PIL import Image

from tests.deploy.conftest import SCREENSHOTS, InstalledKiosk
from tests.harness.cage import CageSession, kiosk_home

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not shutil.which("cage") or not shutil.which("grim"),
                                reason="needs cage and grim (scripts/setup installs them)")]
CAGE_BACKGROUND = (0, 0, 0)


@pytest.fixture
def provisioned_home(installed_kiosk: InstalledKiosk):
    home = kiosk_home(provision_with=installed_kiosk.ensure().loket)
    yield home
    shutil.rmtree(home, ignore_errors=True)


def covered(image: Image.Image) -> bool:
    """Whether the kiosk covers the whole screen: no corner shows cage's black background."""
    rgb = image.convert("RGB")
    width, height = rgb.size
    return all(rgb.getpixel(p) != CAGE_BACKGROUND for p in ((2, height - 2), (width - 2, 2), (width - 2, height - 2)))


@pytest.mark.parametrize(("cage_args", "size", "name"), [
    (("-r", "-r"), (1280, 720), "kiosk-cage-landscape.png"),
    (("-r",), (720, 1280), "kiosk-cage-portrait.png"),
])
def test_the_installed_kiosk_reaches_welcome_under_cage_and_fills_the_screen(installed_kiosk, provisioned_home,
                                                                              cage_args, size, name) -> None:
    with CageSession([str(installed_kiosk.loket), "run"], cage_args=cage_args, home=provisioned_home,
                     watchdog_usec=1_000_000) as session:
        _, ready = session.wait_ready()
        assert "STATUS=on screen: welcome" in ready
        pings = session.messages(time.monotonic() + 1.6)
        assert sum("WATCHDOG=1" in m for _, m in pings) >= 2, pings
        shot = Image.open(session.screenshot(SCREENSHOTS / name))
        assert shot.size == size
        assert covered(shot), "the kiosk must fill the panel (not Kivy's 800x600 in a corner)"


def test_a_killed_kiosk_ends_its_session_so_systemd_restarts_it(installed_kiosk, provisioned_home) -> None:
    with CageSession([str(installed_kiosk.loket), "run"], home=provisioned_home) as session:
        session.wait_ready()
        kiosk = subprocess.run(["pgrep", "-u", "loket", "-f", f"{installed_kiosk.loket} run"], capture_output=True,
                               text=True).stdout.split()
        assert kiosk, "the kiosk program runs inside cage"
        os.kill(int(kiosk[0]), signal.SIGKILL)
        assert session.process.wait(20) is not None  # cage ends with its client: the unit's Restart=always acts
