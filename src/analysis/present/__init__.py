"""Presentation: numbers and units as text, tables and charts in the house style.

May import :mod:`analysis.schema` only; knows nothing of runs or series selection.
"""
