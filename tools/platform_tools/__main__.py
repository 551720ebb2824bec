"""``python -m platform_tools`` is the ``infra`` command (for ``python -I`` and environments without scripts)."""

import sys

from platform_tools.cli import main

sys.exit(main())
