"""The papermill runner: the declared grid, fingerprints, execution, normalisation and diffs.

Commands sit on top of the library: runner modules may import any library layer and each other;
only ``cli`` (the ``run`` command) and ``diff`` (the ``diff`` command) are entry points, and no
other module imports ``cli``.
"""

import sys

# nbformat imports jsonschema, whose format checker imports ``rfc3987_syntax`` when it is installed
# (jsonschema[format-nongpl], pulled in by jupyter-events), and that package compiles 38 lark
# grammars at import: 1.5 s of CPU in the runner and again in every pool worker, before the first
# notebook runs. nbformat validates without a format checker, so the IRI formats those grammars
# check are never used here; with the import blocked jsonschema leaves them out (as it does when
# the package is absent). Set before any runner module imports nbformat; a process that has
# already imported it keeps it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
