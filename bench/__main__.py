"""`python -m bench`: run the roster sync benchmark."""

import sys

from bench.run import main

if __name__ == "__main__":
    sys.exit(main())
