"""From observations to series: units, selection, harmonisation across code changes, derived
indicators, prices and comparison.

May import :mod:`analysis.observations` and :mod:`analysis.schema`.
"""
