"""Generated reference pages of the book: data dictionary, coverage matrix, sources, contradictions.

They are written from the curated tables at build time (never by hand), so they cannot drift from
the data.

Computes text and writes nothing (``analysis.book.build`` writes); may import
:mod:`analysis.observations`.
"""

from __future__ import annotations

import pandas as pd

from analysis.observations.dataset import Dataset
from analysis.schema import OBSERVATION_COLUMNS

COLUMN_DOCS = {
    "entity_code": "SSB region code as text (`0301` Oslo; six digits for Oslo districts; `EAK` the country)",
    "period": "`YYYY` or `YYYY-MM`",
    "indicator": "indicator id (table below)",
    "category": "breakdown as `key=value;key=value`; empty for a total",
    "value": "the number as printed, as a plain decimal",
    "unit": "unit of `value` as printed (`NOK_1000` = thousand kroner)",
    "status": "actual, budget, revised_budget, target, forecast or preliminary",
    "source_id": "the source (see the list of sources)",
    "locator": "where in the source: `line N` of the document, or a section of a web page",
    "excerpt": "the source's own words around the number, verbatim",
    "preferred": "`true` for the value the analysis uses when sources disagree",
    "note": "the curator's note: table column, contradictions, footnotes",
    "quality": 'how exactly the number is printed: `exact`; `rounded` ("om lag 131 000", "7,4 '
    'milliarder", "ca."); `lower_bound` ("over", "i overkant av"); `upper_bound` ("nesten", '
    '"i underkant av"); `suspect` (digits wrong or lost: listed with the reason, never computed with)',
}


def _md_table(frame: pd.DataFrame) -> str:
    clean = frame.astype(str).apply(
        lambda col: col.str.replace("|", "\\|", regex=False).str.replace("\n", " ")
    )
    return clean.to_markdown(index=False)


def data_dictionary(data: Dataset) -> str:
    """Markdown of the data dictionary: observation columns and every indicator with its row count."""
    cols = pd.DataFrame(
        {"column": list(OBSERVATION_COLUMNS), "meaning": [COLUMN_DOCS[c] for c in OBSERVATION_COLUMNS]}
    )
    used = data.observations.groupby("indicator").size().rename("rows")
    ind = data.indicators.merge(used, left_on="indicator", right_index=True, how="left").fillna({"rows": 0})
    ind["rows"] = ind["rows"].astype(int)
    ind = ind[["indicator", "label_en", "label_no", "unit", "definition", "ssb_table", "rows"]]
    return "\n".join(
        [
            "# Data dictionary",
            "",
            "Generated from `data/curated/observations.csv` and `data/reference/indicators.csv`.",
            "",
            "## Columns of the observations table",
            "",
            _md_table(cols),
            "",
            f"## Indicators ({len(ind)})",
            "",
            _md_table(ind),
            "",
        ]
    )


def coverage(data: Dataset) -> str:
    """Markdown of the coverage matrix: figures per entity × year and per entity × indicator group."""
    obs = data.observations.assign(year=data.observations["period"].str[:4])
    names = data.entities.set_index("entity_code")["name"]
    matrix = obs.pivot_table(
        index="entity_code", columns="year", values="value", aggfunc="size", fill_value=0
    )
    matrix.insert(0, "entity", matrix.index.map(names))
    groups = obs.assign(group=obs["indicator"].str.split("_").str[0])
    by_group = groups.pivot_table(
        index="entity_code", columns="group", values="value", aggfunc="size", fill_value=0
    )
    by_group.insert(0, "entity", by_group.index.map(names))
    return "\n".join(
        [
            "# Coverage of the dataset",
            "",
            f"{len(obs)} published figures for {obs['entity_code'].nunique()} entities. "
            "Rows: entity; columns: year; cells: number of figures "
            "(all indicators, statuses and breakdowns).",
            "",
            _md_table(matrix.reset_index()),
            "",
            "## By indicator group",
            "",
            "Groups are the indicator prefixes: `sa` social assistance, `kvp` qualification programme, "
            "`intro` introduction programme, `exp` expenditure, `budget` budget comparison, `ri` result "
            "indicators, `pop` population, `staff` staffing, `cp` case processing, `th` temporary housing.",
            "",
            _md_table(by_group.reset_index()),
            "",
        ]
    )


def sources_page(data: Dataset) -> str:
    """Markdown of the source list and of the non-preferred rows (known contradictions)."""
    counts = data.observations.groupby("source_id").size().rename("figures")
    src = data.sources.merge(counts, left_on="source_id", right_index=True, how="left").fillna({"figures": 0})
    src["figures"] = src["figures"].astype(int)
    src["where"] = [
        f"<{u}>" if u else f"document `{f}`" for u, f in zip(src["url"], src["file"], strict=True)
    ]
    table = src[["source_id", "title", "publisher", "published", "kind", "where", "figures"]]
    contested = data.observations[data.observations["preferred"] == "false"]
    contested = contested[
        ["entity_code", "period", "indicator", "category", "value", "unit", "source_id", "locator", "note"]
    ]
    return "\n".join(
        [
            "# Sources and known contradictions",
            "",
            "Every figure in the book comes from one of these sources; the five municipal documents are "
            "cited by file and line, web pages by URL.",
            "",
            _md_table(table),
            "",
            "## Known contradictions",
            "",
            "Where two printed figures disagree, both are kept; the row below is the one the book does "
            "*not* use, and the note says why.",
            "",
            _md_table(contested) if len(contested) else "None recorded.",
            "",
        ]
    )


def data_pages(data: Dataset) -> dict[str, str]:
    """The data pages by file name: data_dictionary.md, coverage.md and sources.md."""
    return {
        "data_dictionary.md": data_dictionary(data),
        "coverage.md": coverage(data),
        "sources.md": sources_page(data),
    }
