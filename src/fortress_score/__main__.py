"""``python -m fortress_score``: the same as the ``fortress-score`` command."""

import sys

from .cli import main

sys.exit(main())
