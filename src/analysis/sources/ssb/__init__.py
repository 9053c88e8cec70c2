"""Online data path: Statistics Norway's PxWebApi v2 -> on-disk cache -> curated-schema rows.

Modules: :mod:`.jsonstat` (decoder keeping status symbols), :mod:`.transport` (HTTP, retries,
pace), :mod:`.client` (API endpoints, cache policy, splitting), :mod:`.cache` (response cache),
:mod:`.selection` (a table selection), :mod:`.rules` (reading a content label), :mod:`.tables`
(which tables), :mod:`.resolution` (a table's request from its metadata), :mod:`.plan`
(``--plan``'s review), :mod:`.observations` (rows in the dataset schema and the merge rule with the
curated snapshot), :mod:`.cli` (``python -m analysis fetch-ssb``).
See ``README.md`` in this folder.

Only ``cli`` is a command; the other modules may import the library layers and each other.
"""
