"""`python -m microcalc`: the same program as the `microcalc` command."""

import sys

from .cli import main

sys.exit(main())
