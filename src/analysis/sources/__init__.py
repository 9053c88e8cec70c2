"""Fetchers for external sources (today SSB's PxWebApi v2), writing curated observations.

Commands: may import the library layers below them.
"""
