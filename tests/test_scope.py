"""Which entity codes a run reads (analysis.scope): predecessors and successors, never siblings."""

from __future__ import annotations

import pandas as pd

from analysis.observations.dataset import read_text_table
from analysis.observations.lineage import related_codes
from analysis.paths import project_paths


def _entities(*links: tuple[str, str]) -> pd.DataFrame:
    """An invented entities table (test data): (code, successor_code) pairs."""
    return pd.DataFrame(
        [{"entity_code": c, "successor_code": s} for c, s in links],
        columns=["entity_code", "successor_code"],
    )


def test_related_codes_walks_predecessors_and_successors_never_siblings() -> None:
    # invented lineage: A and B merge into M, M is renumbered N; C is renumbered A (A's predecessor)
    entities = _entities(("C", "A"), ("A", "M"), ("B", "M"), ("M", "N"), ("N", ""), ("Z", ""))
    assert related_codes(entities, "A") == {"C", "A", "M", "N"}  # not B, A's sibling in M
    assert related_codes(entities, "B") == {"B", "M", "N"}  # not A, nor A's predecessor C
    assert related_codes(entities, "M") == {"C", "A", "B", "M", "N"}
    assert related_codes(entities, "N") == {"C", "A", "B", "M", "N"}
    assert related_codes(entities, "Z") == {"Z"}


def test_related_codes_on_the_real_reforms() -> None:
    # data/reference/entities.csv: Ski 0213 + Oppegård 0217 → Nordre Follo 3020 → 3207; 1201 → 4601
    entities = read_text_table(project_paths().entities)
    assert related_codes(entities, "0213") == {"0213", "3020", "3207"}
    assert related_codes(entities, "0217") == {"0217", "3020", "3207"}
    assert related_codes(entities, "3020") == {"0213", "0217", "3020", "3207"}
    assert related_codes(entities, "1201") == {"1201", "4601"}
    assert related_codes(entities, "030109") == {"030109"}
