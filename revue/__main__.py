"""``python -m revue`` is the ``revue`` command."""

import sys

from revue.cli import main

sys.exit(main())
