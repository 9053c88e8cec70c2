"""From the curated files to typed observations: load, validate, entity lineage and what a run may read.

May import :mod:`analysis.schema` and :mod:`analysis.paths` only.
"""
