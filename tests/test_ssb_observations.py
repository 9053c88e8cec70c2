"""Tests for table resolution (analysis.sources.ssb.tables) and observation rows / merge rule
(analysis.sources.ssb.observations), partly on the real KOSTRA fixture in ../shared/fixtures/ssb."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from ssb_fakeserver import FakeSsb

from analysis.observations.dataset import read_text_table
from analysis.schema import OBSERVATION_COLUMNS
from analysis.sources.ssb import jsonstat
from analysis.sources.ssb.client import DataResult, Response
from analysis.sources.ssb.observations import plain_decimal, reconcile, source_id, table_rows
from analysis.sources.ssb.tables import (
    KOSTRA_EXPENDITURE_MAPPING,
    ContentRule,
    TableSpec,
    TableSpecError,
    lineage_codes,
    resolve,
    table_spec,
)

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "ssb"


@pytest.fixture(scope="module")
def entities() -> pd.DataFrame:
    return read_text_table(REPO / "data" / "reference" / "entities.csv")


def fixture(name: str) -> dict:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"SSB fixture {path} not available (../shared/fixtures/ssb is absent)")
    return json.loads(path.read_text(encoding="utf-8"))


def test_lineage_uses_successor_codes(entities: pd.DataFrame) -> None:
    assert lineage_codes(entities, "4601") == ["4601", "1201"]
    assert set(lineage_codes(entities, "3207")) == {"3207", "3020", "0213", "0217"}
    assert lineage_codes(entities, "0301") == ["0301"]


def test_contents_resolved_by_label_not_code(entities: pd.DataFrame) -> None:
    srv = FakeSsb()
    srv.httpd.server_close()
    meta = srv.metadata(srv.tables["13995"])
    # rename the codes: resolution must still work from the labels
    cat = meta["dimension"]["ContentsCode"]["category"]
    cat["index"] = {f"NEW{i}": i for i in range(len(cat["index"]))}
    cat["label"] = {f"NEW{i}": lab for i, lab in enumerate(cat["label"].values())}
    res = resolve(table_spec("13995"), meta, entities, ["0301", "9999"], 2023, None)
    assert res.content_map == {
        "NEW0": ("sa_cases", "cases"),
        "NEW1": ("sa_payout_gross", "NOK_1000"),
        "NEW2": ("sa_duration_months", "months"),
    }
    assert dict(res.selection.variables)["Tid"] == ("2023", "2024")
    assert any("9999" in n for n in res.notes)

    cat["label"]["NEW0"] = "Noe annet"
    with pytest.raises(TableSpecError, match="no ContentsCode label for indicator sa_cases .*Noe annet"):
        resolve(table_spec("13995"), meta, entities, ["0301"], 2023, None)


def test_12362_spec_on_real_kostra_metadata_shape(entities: pd.DataFrame) -> None:
    doc = fixture("12367_kostra_accounts_v0.json")
    # the real fixture (table 12367) has the same KOSTRA variables as 12362 but other functions
    with pytest.raises(TableSpecError, match="KOKfunksjon0000 has none of 281, 276, 275"):
        resolve(table_spec("12362"), doc, entities, ["EAK"], 2015, None)
    # and the fake server's 12362 has exactly the fixture's variable ids, in the same order
    srv = FakeSsb()
    srv.httpd.server_close()
    assert srv.metadata(srv.tables["12362"])["id"] == doc["id"]


def test_rows_from_real_fixture_keep_suppressed_cells_out(entities: pd.DataFrame) -> None:
    doc = fixture("12367_kostra_accounts_v0.json")
    spec = TableSpec(
        "12367",
        "fixture",
        contents=(ContentRule(r"beløp", None),),
        fixed={
            "KOKfunksjon0000": ("100", "110", "120"),
            "KOKart0000": ("AGD10", "AGD2"),
            "KOKregnskapsomfa0000": ("A", "B"),
        },
        **KOSTRA_EXPENDITURE_MAPPING,
    )
    res = resolve(spec, doc, entities, ["EAK", "3001"], 2015, None)
    frame = jsonstat.decode(doc)
    sel = dict(res.selection.variables)
    mask = pd.Series(True, index=frame.index)
    for var, codes in sel.items():
        mask &= frame[var].isin(codes)
    part = frame.loc[mask].reset_index(drop=True)
    part.attrs = frame.attrs
    result = DataResult(
        part, [Response(doc, b"", {"sha256": "ab" * 32, "retrieved": "2026-01-01T00:00:00Z"}, True)]
    )
    rows = table_rows(result, res)

    assert len(rows.observations) + len(rows.missing) == len(part)
    assert len(rows.missing) == part["value"].isna().sum() > 0
    assert set(rows.missing["symbol"]) <= {":", ".", ".."}
    assert list(rows.observations.columns) == list(OBSERVATION_COLUMNS)
    assert not set(rows.observations["locator"]) & set(rows.missing["locator"])
    first = rows.observations.iloc[0]
    assert first["source_id"] == "ssb-12367-2021-06-13"
    assert first["locator"].startswith("table 12367: KOKkommuneregion0000=")
    assert first["excerpt"].startswith("Landet | Kommuner/fylkeskommuner | ")
    # values are the JSON numbers as printed (compare with the raw file by position)
    values = {str(v) for v in doc["value"] if v is not None}
    assert set(rows.observations["value"]) <= values
    assert rows.source["sha256"] == "ab" * 32 and rows.source["kind"] == "api"


def test_plain_decimal_and_source_id() -> None:
    assert plain_decimal("1234") == "1234"
    assert plain_decimal("12.50") == "12.5"
    assert plain_decimal("1e-05") == "0.00001"
    assert plain_decimal("-17440.0") == "-17440"
    assert source_id("12362", "2025-06-15T06:00:00Z") == "ssb-12362-2025-06-15"


def _row(**kw: str) -> dict[str, str]:
    base = dict.fromkeys(OBSERVATION_COLUMNS, "")
    base.update(
        entity_code="0301",
        period="2023",
        indicator="exp_net_operating",
        category="function=281",
        unit="NOK_1000",
        status="actual",
        preferred="true",
    )
    base.update(kw)
    return base


def test_merge_rule_curated_wins_and_conflicts_are_listed() -> None:
    ssb = pd.DataFrame(
        [
            _row(value="1000", source_id="ssb-12362-2025-06-15", locator="table 12362: a"),
            _row(value="5", period="2022", source_id="ssb-12362-2025-06-15", locator="table 12362: b"),
            _row(
                value="29712",
                indicator="sa_payout_gross",
                category="",
                source_id="ssb-13995-2025-06-15",
                locator="table 13995: c",
            ),
        ]
    )
    curated = pd.DataFrame(
        [
            _row(value="999", source_id="doc", locator="line 4"),
            _row(
                value="29.7",
                indicator="sa_payout_gross",
                category="",
                unit="NOK_million",
                source_id="doc2",
                locator="line 9",
            ),
            _row(value="5", period="2022", status="budget", source_id="doc3", locator="line 1"),
        ]
    )
    out, conflicts = reconcile(ssb, curated)
    assert out["preferred"].tolist() == ["false", "true", "true"]
    assert "conflicts with curated doc line 4: 999 NOK_1000" in out.loc[0, "note"]
    assert conflicts[["ssb_locator", "curated_locator"]].values.tolist() == [["table 12362: a", "line 4"]]


def test_merge_rule_newest_ssb_stamp_wins() -> None:
    ssb = pd.DataFrame(
        [
            _row(value="10", source_id="ssb-12362-2025-03-15", locator="x"),
            _row(value="11", source_id="ssb-12362-2025-06-15", locator="x"),
        ]
    )
    out, conflicts = reconcile(ssb, pd.DataFrame(columns=list(OBSERVATION_COLUMNS)))
    assert out["preferred"].tolist() == ["false", "true"]
    assert "superseded by ssb-12362-2025-06-15" in out.loc[0, "note"]
    assert conflicts.empty
