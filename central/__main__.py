"""`python -m central` runs the `loket-central` command (used by the dev launcher's subprocess)."""

import sys

from central.cli import main

sys.exit(main())
