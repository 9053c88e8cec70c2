"""The papermill runner: the declared grid, fingerprints, execution, normalisation and diffs."""
