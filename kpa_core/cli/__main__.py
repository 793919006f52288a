"""``python -m kpa_core.cli``: the same as the ``kpa`` command."""

import sys

from kpa_core.cli.program import main

sys.exit(main())
