"""Tests for the JSON-stat 2.0 decoder (analysis.sources.ssb.jsonstat).

The real SSB responses in ``../shared/fixtures/ssb`` are decoded and compared cell by cell with
``pyjstat`` as an independent decoder (values equal, nulls in the same places); the status
symbols, which pyjstat drops, are compared with the raw ``status`` object of the file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.sources.ssb import jsonstat

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pyjstat")

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "ssb"
DATASETS = [
    "12367_kostra_accounts_v0.json",
    "12191_kostra_health_v0.json",
    "08655_building_cost_index_v0.json",
    "07221_house_price_index_v0.json",
    "03024_salmon_export_v2.json",
]


def _fixture(name: str) -> Path:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"SSB fixture {path} not available (../shared/fixtures/ssb is absent)")
    return path


def _pyjstat_values(text: str) -> list[float]:
    pyjstat = pytest.importorskip("pyjstat.pyjstat")
    frame = pyjstat.Dataset.read(text).write("dataframe", naming="id")
    return [math.nan if v is None else float(v) for v in frame["value"].tolist()]


@pytest.mark.parametrize("name", DATASETS)
def test_fixture_matches_pyjstat_and_keeps_status(name: str) -> None:
    text = _fixture(name).read_text(encoding="utf-8")
    raw = json.loads(text)
    frame = jsonstat.decode(text)

    n = math.prod(raw["size"])
    assert len(frame) == n
    # values: equal to pyjstat, with nulls in the same cells (never zero)
    ours = frame["value"].tolist()
    theirs = _pyjstat_values(text)
    assert len(theirs) == n
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        assert (math.isnan(a) and math.isnan(b)) or a == b, f"cell {i}: {a} != {b}"
    # every null in the file is NaN here, never 0
    nulls = [i for i, v in enumerate(raw["value"]) if v is None]
    assert sorted(frame.index[frame["value"].isna()].tolist()) == nulls
    # status: exactly the file's symbols, by position
    raw_status = raw.get("status") or {}
    if isinstance(raw_status, list):
        raw_status = {str(i): s for i, s in enumerate(raw_status) if s}
    got = {str(i): s for i, s in frame["status"].items() if isinstance(s, str) and s}
    assert got == raw_status
    # dimension columns follow 'id' order, and the last dimension varies fastest
    dim_cols = [c for c in frame.columns if c in raw["id"]]
    assert dim_cols == raw["id"]
    last = raw["id"][-1]
    last_codes = sorted(
        raw["dimension"][last]["category"]["index"], key=raw["dimension"][last]["category"]["index"].get
    )
    assert frame[last].iloc[: len(last_codes)].tolist() == last_codes
    assert frame.attrs["updated"] == raw["updated"]


def test_kostra_fixture_suppressed_cells_are_not_zero() -> None:
    frame = jsonstat.decode(_fixture("12367_kostra_accounts_v0.json").read_bytes())
    suppressed = frame.loc[frame["status"] == ":"]
    assert len(suppressed) > 0
    assert suppressed["value"].isna().all()
    assert not (suppressed["value"] == 0).any()
    # the labels of the KOSTRA dimensions are kept for excerpts
    row = frame.iloc[0]
    assert row["KOKkommuneregion0000"] == "EAK" and row["KOKkommuneregion0000_label"] == "Landet"
    assert row["ContentsCode_label"] == "Beløp (1000 kr)"


def test_house_price_query_codes_match_decoded_dimensions() -> None:
    query = json.loads(_fixture("07221_query_v0.json").read_text(encoding="utf-8"))
    frame = jsonstat.decode(_fixture("07221_house_price_index_v0.json").read_bytes())
    for item in query["query"]:
        codes = list(dict.fromkeys(frame[item["code"]]))
        assert codes == item["selection"]["values"]


# ------------------------------------------------------------------ hand-made documents


def _doc(**over: object) -> dict:
    doc = {
        "class": "dataset",
        "version": "2.0",
        "updated": "2025-06-15T06:00:00Z",
        "id": ["Region", "ContentsCode", "Tid"],
        "size": [2, 1, 3],
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        # dimension dict deliberately NOT in 'id' order
        "dimension": {
            "Tid": {"label": "år", "category": {"index": ["2022", "2023", "2024"]}},
            "ContentsCode": {
                "label": "statistikkvariabel",
                "category": {"label": {"X": "Sosialhjelpsmottakere"}},
            },
            "Region": {
                "label": "region",
                "category": {"index": {"0301": 0, "EAK": 1}, "label": {"0301": "Oslo", "EAK": "Landet"}},
            },
        },
        "value": [1, None, 3, 4, 5, None],
        "status": {"1": ":", "5": ".."},
    }
    doc.update(over)
    return doc


def test_dimension_order_follows_id_and_size() -> None:
    frame = jsonstat.decode(_doc())
    assert list(frame.columns[:6]) == [
        "Region",
        "Region_label",
        "ContentsCode",
        "ContentsCode_label",
        "Tid",
        "Tid_label",
    ]
    assert frame["Region"].tolist() == ["0301"] * 3 + ["EAK"] * 3
    assert frame["Tid"].tolist() == ["2022", "2023", "2024"] * 2
    assert frame["ContentsCode"].unique().tolist() == ["X"]  # single category without index
    assert frame.loc[1, "status"] == ":" and math.isnan(frame.loc[1, "value"])
    assert frame.loc[5, "status"] == ".." and math.isnan(frame.loc[5, "value"])
    assert frame["value_text"].iloc[0] == "1" and pd.isna(frame["value_text"].iloc[1])


def test_sparse_value_and_status_objects() -> None:
    dense = jsonstat.decode(_doc())
    sparse = jsonstat.decode(
        _doc(value={"0": 1, "2": 3, "3": 4, "4": 5}, status=[None, ":", None, None, None, ".."])
    )
    pd.testing.assert_series_equal(dense["value"], sparse["value"])
    assert dense["status"].fillna("").tolist() == sparse["status"].fillna("").tolist()


def test_scalar_status_applies_to_all_cells() -> None:
    frame = jsonstat.decode(_doc(value=[None] * 6, status=".."))
    assert frame["status"].tolist() == [".."] * 6
    assert frame["value"].isna().all()


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"size": [2, 1, 4]}, "size 4 but 3 categories"),
        ({"value": [1, 2]}, "'value' has 2 entries"),
        ({"value": {"9": 1}}, "outside"),
        ({"value": ["1", 2, 3, 4, 5, 6]}, "not a number"),
        ({"id": ["Region", "Tid"]}, "'id' has 2 entries"),
        ({"class": "collection"}, "expected class 'dataset'"),
    ],
)
def test_malformed_documents_raise_clear_errors(over: dict, message: str) -> None:
    with pytest.raises(jsonstat.JsonStatError, match=message):
        jsonstat.decode(_doc(**over))


def test_malformed_json_bytes() -> None:
    with pytest.raises(jsonstat.JsonStatError, match="malformed JSON"):
        jsonstat.decode(b'{"class": "dataset", "value": [1,')


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=3),
    data=st.data(),
)
def test_random_datasets_match_pyjstat(sizes: list[int], data: st.DataObject) -> None:
    pytest.importorskip("pyjstat")
    n = math.prod(sizes)
    values = data.draw(st.lists(st.one_of(st.none(), st.integers(-(10**6), 10**6)), min_size=n, max_size=n))
    ids = [f"D{i}" for i in range(len(sizes))]
    doc = {
        "class": "dataset",
        "version": "2.0",
        "id": ids,
        "size": sizes,
        "dimension": {
            d: {"label": d, "category": {"index": {f"{d}c{j}": j for j in range(s)}}}
            for d, s in zip(ids, sizes, strict=True)
        },
        "value": values,
        "status": {str(i): ":" for i, v in enumerate(values) if v is None},
    }
    text = json.dumps(doc)
    ours = jsonstat.decode(text)["value"].tolist()
    theirs = _pyjstat_values(text)
    for a, b in zip(ours, theirs, strict=True):
        assert (math.isnan(a) and math.isnan(b)) or a == b
    assert (jsonstat.decode(text)["status"] == ":").sum() == values.count(None)
