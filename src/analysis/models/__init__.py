"""Models over series: the payout decomposition, structural breaks, count trends, budget and
projection.

Pure numerical functions; may import :mod:`analysis.schema` only.
"""
