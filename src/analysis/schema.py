"""The vocabulary every layer shares: table columns, units, statuses, the national code.

Plain constants only; this module imports nothing from the package.
"""

from __future__ import annotations

#: Entity code of Norway as a whole in ``data/reference/entities.csv``.
NATIONAL_CODE = "EAK"
#: Statistics Norway's PxWebApi v2 (``src/analysis/sources/ssb/README.md``), the default of
#: ``fetch-ssb --base-url``.
SSB_BASE_URL = "https://data.ssb.no/api/pxwebapi/v2"
#: ``diff``'s default tolerance: key figures within this relative distance are the same figure (the
#: last digits of a least-squares fit differ between CPUs; nothing is printed to nine digits).
DIFF_RTOL = 1e-9

OBSERVATION_COLUMNS: tuple[str, ...] = (
    "entity_code",
    "period",
    "indicator",
    "category",
    "value",
    "unit",
    "status",
    "source_id",
    "locator",
    "excerpt",
    "preferred",
    "note",
    "quality",
)
#: How exactly the source printed a figure (``data/CURATION.md``, column ``quality``):
#: ``exact`` as printed to its last digit; ``rounded`` ("om lag 131 000", "7,4 milliarder", "ca.");
#: ``lower_bound`` ("over 130 000", "i overkant av"); ``upper_bound`` ("nesten", "i underkant av");
#: ``suspect`` (the printed digits are wrong, e.g. lost in extraction: listed, never computed with).
QUALITIES: tuple[str, ...] = ("exact", "rounded", "lower_bound", "upper_bound", "suspect")
#: Qualities of a figure printed less precisely than its digits suggest.
APPROXIMATE_QUALITIES: frozenset[str] = frozenset({"rounded", "lower_bound", "upper_bound"})
SOURCE_COLUMNS: tuple[str, ...] = (
    "source_id",
    "title",
    "publisher",
    "published",
    "kind",
    "url",
    "file",
    "sha256",
    "licence",
    "accessed",
)
ENTITY_COLUMNS: tuple[str, ...] = (
    "entity_code",
    "name",
    "level",
    "parent",
    "valid_from",
    "valid_to",
    "successor_code",
    "note",
)
INDICATOR_COLUMNS: tuple[str, ...] = (
    "indicator",
    "label_en",
    "label_no",
    "unit",
    "definition",
    "ssb_table",
    "ssb_content_code",
)

UNITS: frozenset[str] = frozenset(
    {
        "persons",
        "cases",
        "households",
        "participants",
        "NOK",
        "NOK_1000",
        "NOK_million",
        "NOK_billion",
        "percent",
        "percentage_points",
        "months",
        "days",
        "weeks",
        "years",
        "index_2015_100",
        "fte",
        "count",
        "per_1000_inhabitants",
    }
)
STATUSES: frozenset[str] = frozenset(
    {"actual", "budget", "revised_budget", "target", "forecast", "preliminary"}
)


#: NOK per one unit of each money scale.
MONEY_SCALE: dict[str, float] = {
    "NOK": 1.0,
    "NOK_1000": 1_000.0,
    "NOK_million": 1_000_000.0,
    "NOK_billion": 1_000_000_000.0,
}
MONEY_UNITS: frozenset[str] = frozenset(MONEY_SCALE)
#: Counts of people, cases or households: they add up over parts of a whole but never convert
#: into each other (a person may have several cases; a household holds several persons).
COUNT_UNITS: frozenset[str] = frozenset({"persons", "cases", "households", "participants", "count"})
#: Units whose values add up across parts of a whole .
ADDITIVE_UNITS: frozenset[str] = frozenset({"persons", "cases", "households", "participants", *MONEY_SCALE})
#: Units that are ratios, averages or indices: never summed across entities.
RATIO_UNITS: frozenset[str] = frozenset(
    {"percent", "percentage_points", "per_1000_inhabitants", "index_2015_100"}
)
