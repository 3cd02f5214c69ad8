"""`python -m kiosk.cli` is `loket`."""

import sys

from kiosk.cli import main

sys.exit(main())
