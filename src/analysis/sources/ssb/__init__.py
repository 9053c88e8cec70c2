"""Online data path: Statistics Norway's PxWebApi v2 -> on-disk cache -> curated-schema rows.

Modules: :mod:`.jsonstat` (decoder keeping status symbols), :mod:`.client` (API client and
cache), :mod:`.tables` (which tables, resolved from metadata by label), :mod:`.observations`
(rows in the dataset schema and the merge rule with the curated snapshot), :mod:`.cli`
(``python -m analysis fetch-ssb``). See ``README.md`` in this folder.
"""
