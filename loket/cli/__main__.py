"""`python -m loket.cli` is `loket`."""

import sys

from loket.cli import main

sys.exit(main())
