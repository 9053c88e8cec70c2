"""One-off record: how the ``quality`` column of ``observations.csv`` was first filled (issue 12).

Run once from the repository root (``python data/curated/notes/fill_quality.py``); kept as a record
of the rule, not as a step of the pipeline. New rows get their ``quality`` by hand (data/CURATION.md).

Rule, per row (the first that applies):
1. ``suspect``: the note says the digits were lost in extraction, "do not use", or a misprint.
2. ``upper_bound`` / ``lower_bound``: a hedge word stands right before the number in the excerpt
   ("nesten", "i underkant av", "nærmere", "nearly" / "over", "drygt", "i overkant av", "more
   than", "oversteg"), or the note says "upper bound" / "lower bound" about this row.
3. ``rounded``: a hedge word before the number ("ca.", "cirka", "om lag", "omtrent", "rundt",
   "about"), the note says rounded / approximate / approx., or the unit is ``NOK_billion``.
4. ``exact`` otherwise.
A ``suspect`` row is also set ``preferred=false`` (Oppegård 2015 "692" was ``true``).
``OVERRIDES`` holds the rows (by CSV line) where a note shared by a whole table row or a mention
of another figure would mislead the rule; each says why.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "src"))
from analysis.observations.numbers import printed_forms  # noqa: E402

PATH = Path("data/curated/observations.csv")
UPPER = r"nesten|nærmere|i underkant av|underkant av|nearly|almost|just under|opp mot"
LOWER = r"drygt|drøyt|i overkant av|overkant av|mer enn|more than|exceeded|oversteg|minst|at least|over"
ROUND = r"ca\.?|cirka|om lag|omtrent|rundt|about|approximately|around"

OVERRIDES: dict[int, tuple[str, str]] = {
    79: ("exact", "'67 år og over' is the age band's label, not a bound"),
    1883: ("exact", "the table-row note's '<45 (upper bound)' is the 2023 target, not this result"),
    1884: ("exact", "as line 1883"),
    1886: ("exact", "as line 1883"),
    1887: ("exact", "as line 1883"),
    3109: ("exact", "the note's 'approximately' is about two figures not recorded"),
    2354: ("rounded", "table 5.3 prints whole percent; the note says rounded"),
}


def hedge(value: str, excerpt: str) -> str:
    """The hedge word class standing right before ``value`` in ``excerpt`` ('' if none)."""
    for form in sorted(printed_forms(value), key=len, reverse=True):
        for m in re.finditer(re.escape(form), excerpt):
            before = excerpt[max(0, m.start() - 22) : m.start()].lower()
            after = excerpt[m.end() : m.end() + 1]
            if after.isdigit() or (m.start() > 0 and excerpt[m.start() - 1].isdigit()):
                continue
            for quality, words in (("upper_bound", UPPER), ("lower_bound", LOWER), ("rounded", ROUND)):
                if re.search(rf"(?:^|[\s(']|\b)(?:{words})\s*$", before):
                    return quality
    return ""


def classify(line: int, row: dict[str, str]) -> str:
    if line in OVERRIDES:
        return OVERRIDES[line][0]
    note = row["note"].lower()
    if "digits apparently lost" in note or "do not use" in note or "misprint" in note:
        return "suspect"
    near = hedge(row["value"], row["excerpt"])
    if near in ("upper_bound", "lower_bound"):
        return near
    if "upper bound" in note and "lower bound" not in note:
        return "upper_bound"
    if "lower bound" in note and "upper bound" not in note:
        return "lower_bound"
    words = ("rounded", "approximate", "approx.")
    if near == "rounded" or row["unit"] == "NOK_billion" or any(w in note for w in words):
        return "rounded"
    return "exact"


def main() -> None:
    raw = PATH.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(raw)))
    header = rows[0]
    if "quality" in header:
        raise SystemExit("observations.csv already has a quality column")
    out = [[*header, "quality"]]
    for i, cells in enumerate(rows[1:], start=2):
        row = dict(zip(header, cells, strict=True))
        quality = classify(i, row)
        if quality == "suspect":  # never the row a series uses (validate enforces it)
            cells[header.index("preferred")] = "false"
        out.append([*cells, quality])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(out)
    PATH.write_text(buffer.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
