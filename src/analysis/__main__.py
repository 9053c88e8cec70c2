"""``python -m analysis`` entry point.

Imports the command line only.
"""

import sys

from analysis.cli import main

sys.exit(main())
