"""Online data path: Statistics Norway's PxWebApi v2 -> on-disk cache -> curated-schema rows.

Modules: :mod:`.jsonstat` (decoder keeping status symbols), :mod:`.client` (API client),
:mod:`.cache` (response cache, rate limit), :mod:`.selection` (a table selection), :mod:`.tables`
(which tables, resolved from metadata by label), :mod:`.observations` (rows in the dataset schema
and the merge rule with the curated snapshot), :mod:`.cli` (``python -m analysis fetch-ssb``).
See ``README.md`` in this folder.

Only ``cli`` is a command; the other modules may import the library layers and each other.
"""
