"""What ``fetch-ssb --plan`` prints for a resolved table: the mapping of each content code to its
indicator, category and unit, the regions asked for each entity, as a plain text table.

May import ssb siblings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from analysis.sources.ssb.resolution import Resolved


def plan_rows(res: Resolved) -> list[dict[str, str]]:
    """The mapping table of one resolved table: one row per ContentsCode and indicator."""
    rows: list[dict[str, str]] = []
    outputs = res.outputs()
    for code, label in res.labels.get("ContentsCode", {}).items():
        base = {"table": res.table_id, "code": code, "label": label}
        if code in outputs:
            for ind, cat, unit in outputs[code]:
                rows.append({**base, "indicator": ind, "category": cat, "unit": unit})
        elif code in res.dropped:
            rows.append(
                {**base, "indicator": "-", "category": "", "unit": f"not fetched: {res.dropped[code]}"}
            )
        else:
            rows.append({**base, "indicator": "-", "category": "", "unit": "not fetched: matches no rule"})
    return rows


def regions_requested(res: Resolved) -> list[str]:
    """``entity: code 'label', ...`` for each requested entity (what the region variable asks for)."""
    if res.region_var is None:
        return [f"(no region variable: recorded for {res.spec.national_entity})"]
    labels = res.labels.get(res.region_var, {})
    out = []
    for ent, codes in res.entity_regions.items():
        shown = ", ".join(f"{c} '{labels.get(c, c)}'" for c in codes) or "not in this table"
        out.append(f"{ent}: {shown}")
    return out


def format_table(rows: Sequence[Mapping[str, str]], columns: Sequence[str]) -> str:
    """A plain fixed-width text table (header, rule, rows)."""
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) if rows else len(c) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns).rstrip()]
    lines.append("  ".join("-" * widths[c] for c in columns))
    lines += ["  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns).rstrip() for r in rows]
    return "\n".join(lines)
