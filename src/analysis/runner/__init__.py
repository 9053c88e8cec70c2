"""The papermill runner: the declared grid, fingerprints, execution, normalisation and diffs.

Commands sit on top of the library: runner modules may import any library layer and each other;
only ``cli`` (the ``run`` command) and ``diff`` (the ``diff`` command) are entry points, and no
other module imports ``cli``.
"""
