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
from analysis.sources.ssb.resolution import TableSpecError, lineage_codes, resolve
from analysis.sources.ssb.tables import KOSTRA_EXPENDITURE_MAPPING, TableSpec, table_spec

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
    old = list(cat["label"].items())
    cat["index"] = {f"NEW{i}": i for i in range(len(old))}
    cat["label"] = {f"NEW{i}": lab for i, (_c, lab) in enumerate(old)}
    res = resolve(table_spec("13995"), meta, entities, ["0301", "9999"], 2023, None)
    by_label = {m.label: (m.indicator, m.unit) for m in res.content_map.values()}
    assert by_label["Sosialhjelpstilfeller"] == ("sa_cases", "cases")
    assert by_label["Utbetalt økonomisk sosialhjelp (1000 kr)"] == ("sa_payout_gross", "NOK_1000")
    assert by_label["Gjennomsnittlig stønadstid (måneder)"] == ("sa_duration_months", "months")
    assert by_label["Gjennomsnittlig sosialhjelp per måned (kr)"] == ("sa_payment_per_recipient_month", "NOK")
    assert dict(res.selection.variables)["Tid"] == ("2023", "2024", "2025")
    assert any("9999" in n for n in res.notes)

    # no label for either cases or recipients: the run stops and lists the labels it saw
    for code, label in cat["label"].items():
        if label in ("Sosialhjelpstilfeller", "Sosialhjelpsmottakere (antall)"):
            cat["label"][code] = "Noe annet"
    with pytest.raises(
        TableSpecError, match="no ContentsCode label for indicator sa_cases or sa_recipients .*Noe"
    ):
        resolve(table_spec("13995"), meta, entities, ["0301"], 2023, None)


def test_fake_server_accounts_tables_have_the_real_variables(entities: pd.DataFrame) -> None:
    doc = fixture("12367_kostra_accounts_v0.json")
    srv = FakeSsb()
    srv.httpd.server_close()
    # the served 12367 has exactly the real response's variable ids, in the same order, and the
    # real labels of accounts scope and types
    served = srv.metadata(srv.tables["12367"])
    assert served["id"] == doc["id"]
    for var in ("KOKregnskapsomfa0000", "KOKart0000"):
        real = doc["dimension"][var]["category"]["label"]
        mine = served["dimension"][var]["category"]["label"]
        assert {c: mine[c] for c in mine if c in real} == {c: real[c] for c in mine if c in real}
    # 12362 as published has no accounts-scope variable (statbank page, README source D)
    assert "KOKregnskapsomfa0000" not in srv.metadata(srv.tables["12362"])["id"]


def test_rows_from_real_fixture_keep_suppressed_cells_out(entities: pd.DataFrame) -> None:
    doc = fixture("12367_kostra_accounts_v0.json")
    spec = TableSpec(
        "12367",
        "fixture",
        fixed={
            "KOKfunksjon0000": ("100", "110", "120"),
            "KOKart0000": ("AGD10", "AGD2"),
            "KOKregnskapsomfa0000": ("B",),
        },
        accounts_scope="B",
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
    # provenance names table, content code and SSB's label of it
    assert first["source_id"] == "ssb-12367-KOSbelop0000-2021-06-13"
    assert first["locator"].startswith("table 12367: KOKkommuneregion0000=")
    assert "ContentsCode=KOSbelop0000" in first["locator"]
    assert first["excerpt"].startswith(
        "Landet | Kommuner/fylkeskommuner eksl. foretak, IKS, og samarbeid. | "
    )
    assert set(rows.observations["category"]) <= {
        f"function={f};accounts=municipal_fund" for f in ("100", "110", "120")
    }
    # values are the JSON numbers as printed (compare with the raw file by position)
    values = {str(v) for v in doc["value"] if v is not None}
    assert set(rows.observations["value"]) <= values
    [source] = rows.sources
    assert source["source_id"] == first["source_id"]
    assert source["title"].endswith("| ContentsCode KOSbelop0000 'Beløp (1000 kr)'")
    assert source["title"].startswith("12367: Detaljerte regnskapstall driftsregnskapet")
    assert source["sha256"] == "ab" * 32 and source["kind"] == "api"


def test_plain_decimal_and_source_id() -> None:
    assert plain_decimal("1234") == "1234"
    assert plain_decimal("12.50") == "12.5"
    assert plain_decimal("1e-05") == "0.00001"
    assert plain_decimal("-17440.0") == "-17440"
    assert source_id("12362", "2025-06-15T06:00:00Z") == "ssb-12362-2025-06-15"
    assert source_id("13995", "2025-06-15T06:00:00Z", "KOSsosantkliente0000") == (
        "ssb-13995-KOSsosantkliente0000-2025-06-15"
    )


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
            _row(value="10", source_id="ssb-12362-KOSbelop0000-2025-03-15", locator="x"),
            _row(value="11", source_id="ssb-12362-KOSbelop0000-2025-06-15", locator="x"),
        ]
    )
    out, conflicts = reconcile(ssb, pd.DataFrame(columns=list(OBSERVATION_COLUMNS)))
    assert out["preferred"].tolist() == ["false", "true"]
    assert "superseded by ssb-12362-KOSbelop0000-2025-06-15" in out.loc[0, "note"]
    assert conflicts.empty
