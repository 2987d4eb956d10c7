"""`python -m telketen` runs the command line."""

import sys

from telketen.cli import main

sys.exit(main())
