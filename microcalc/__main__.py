"""`python -m microcalc`: the same program as the `microcalc` command."""

import sys

from .frontend.cli import main

sys.exit(main())
