"""`python -m classhub.clever.sandbox`: serve the Clever sandbox."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
