"""`python -m bench NAME [--quick]` (the same as `civicflow bench NAME`)."""
import sys

from .cli import main

sys.exit(main(sys.argv[1:]))
