"""Run by test_watchdog.py: the real `loket run` (windowed), whose main loop a SIGUSR2 blocks for argv[2] s."""

import signal
import sys
import time
from pathlib import Path

from screens.launch import run_kiosk


def block_the_main_loop(*_args: object) -> None:
    time.sleep(float(sys.argv[2]))  # the handler runs on the main thread: the Kivy loop stands still


signal.signal(signal.SIGUSR2, block_the_main_loop)
sys.exit(run_kiosk(Path(sys.argv[1]), windowed=True, size=(1024, 600)))
