"""Analysis package for the social-assistance report book.

Pure, typed functions over the tidy observations in ``data/`` (see ``data/CURATION.md``), plus the
command-line interface (``python -m analysis``) that validates the data, runs the notebook grid and
builds the book.

The folders and their step of the data flow: ``src/analysis/README.md``; which may import which:
the import-linter contracts in ``pyproject.toml`` (checked by ``tests/test_layers.py``).
"""

__version__ = "0.1.0"
