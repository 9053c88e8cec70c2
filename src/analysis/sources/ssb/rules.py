"""How a ContentsCode label is read: the rule type, the words of each social-assistance concept,
and what a label says about category and unit.

Nothing trusts a hard-coded ``ContentsCode``: statistics variables are chosen from a table's
metadata *by label*, one :class:`ContentRule` per concept. A rule names the words a label must
contain (``all_of``, every regular expression must match) and the words it must not contain
(``none_of``); labels are compared lower-case with ``1 000`` read as ``1000``.

Concepts are kept apart instead of hidden by exclusions: *cases* (``tilfeller``, a person counted
once per municipality) and *recipients* (``mottakere``) are separate indicators; rates per 1,000
inhabitants, duration bands, "with children" (``forsørger barn``), average payment per month and
long-term shares are indicators of their own (``data/reference/indicators.csv``). An age band
(``18-24 år``), a duration band (``1-3 måneder``), social assistance as the main income
(``hovedinntekt``, ``viktigste kilde til livsopphold``) and grant/loan (``bidrag``/``lån``) in a
label become the row's category (``age=18-24``, ``duration=1-3_months``,
``main_income=social_assistance``, ``type=grant``).

Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def normalise_label(label: str) -> str:
    """Lower case, one space between words, ``1 000`` read as ``1000`` (how rules see a label)."""
    text = re.sub(r"\s+", " ", label.replace("\xa0", " ")).strip().lower()
    return re.sub(r"(\d) (\d{3})\b", r"\1\2", text)


@dataclass(frozen=True)
class ContentRule:
    """ContentsCode labels for one concept -> ``indicator``.

    ``all_of``: every pattern must be found in the (normalised) label; ``none_of``: none may be.
    ``indicator`` None means "decided by ``TableSpec.indicator_by``" (KOSTRA accounts: by KOKart).
    ``unit`` None means "read from the label" (``(1000 kr)`` -> NOK_1000 ...), else
    ``TableSpec.default_unit``. ``category`` is added to the row's category, after what
    :func:`label_category` reads from the label (age band, duration band, grant/loan).
    """

    indicator: str | None
    all_of: tuple[str, ...]
    none_of: str | None = None
    unit: str | None = None
    category: str = ""

    def matches(self, label: str) -> bool:
        text = normalise_label(label)
        if not all(re.search(p, text) for p in self.all_of):
            return False
        return not (self.none_of and re.search(self.none_of, text))

    @property
    def name(self) -> str:
        return self.indicator or "indicator by variable"


# ------------------------------------------------------------------ social-assistance rules

CASE = r"tilfell|\bcases?\b"
RECIP = r"mottaker|recipients?\b"
PER1000 = r"per 1000 (innbygg|inhabit)"
SHARE = r"\bandel\b|prosent|\bshare\b|per cent|\(%\)"
LONG = r"langtid|\b(6|seks) måneder eller (mer|lengre)|6 months or more|long[- ]term"
BAND = r"\d+ ?[-–] ?\d+ (måneder|months)"
CHILD = r"\bbarn\b|forsørg|children"
MONTHLY = r"per (stønads)?måned\b|per month"
DURATION = r"stønadslengde|stønadstid|\bduration\b|(gjennomsnittlig|average) (antall )?(stønads)?måneder"
MONEY = r"utbetal|\bkr\b|\bnok\b|expenditure|payment|bidrag|\blån\b|allowance|\bloan\b"
INCOME = r"hovedinntekt|kilde til livsopphold|source of income"
POP = r"innbygg|inhabitant|befolkning|population|capita"
AVERAGE = r"gjennomsnitt|average|\bper\b"


def _any(*parts: str) -> str:
    return "|".join(f"(?:{p})" for p in parts)


SA_RULES: tuple[ContentRule, ...] = (
    ContentRule("sa_recipients_per_1000_inhabitants", (RECIP, PER1000), CASE, "per_1000_inhabitants"),
    ContentRule("sa_cases_per_1000_inhabitants", (CASE, PER1000), None, "per_1000_inhabitants"),
    ContentRule("sa_long_term_share", (SHARE, LONG), _any(CASE, PER1000), "percent"),
    ContentRule("sa_cases_long_term_share", (CASE, SHARE, LONG), PER1000, "percent"),
    ContentRule("sa_long_term_recipients", (RECIP, LONG), _any(CASE, SHARE, PER1000, MONEY), "persons"),
    ContentRule("sa_cases_long_term", (CASE, LONG), _any(SHARE, PER1000, MONEY), "cases"),
    ContentRule("sa_cases_by_duration", (CASE, BAND), _any(SHARE, PER1000, MONEY, LONG, AVERAGE), "cases"),
    ContentRule(
        "sa_recipients_by_duration",
        (RECIP, BAND),
        _any(CASE, SHARE, PER1000, MONEY, LONG, AVERAGE),
        "persons",
    ),
    ContentRule(
        "sa_cases_with_children", (CASE, CHILD), _any(SHARE, PER1000, MONEY, LONG, BAND, DURATION), "cases"
    ),
    ContentRule(
        "sa_recipients_with_children",
        (RECIP, CHILD),
        _any(CASE, SHARE, PER1000, MONEY, LONG, BAND, DURATION),
        "persons",
    ),
    ContentRule(
        "sa_payment_per_recipient_month",
        (MONTHLY, r"utbetal|sosialhjelp|stønad|payment|assistance"),
        _any(CASE, SHARE, DURATION),
    ),
    ContentRule("sa_duration_months", (DURATION,), _any(SHARE, LONG, BAND, MONEY, PER1000), "months"),
    ContentRule(
        "sa_payout_per_recipient", (r"per (sosialhjelps)?mottaker|per recipient",), _any(MONTHLY, SHARE)
    ),
    ContentRule(
        "sa_payout_per_case", (r"per (stønads|sosialhjelps)?tilfelle|per case",), _any(MONTHLY, SHARE)
    ),
    ContentRule(
        "sa_payout_gross",
        (r"utbetal|brutto.*sosialhjelp|expenditure on social assistance|\(1000 kr\)|\(nok 1000\)",),
        _any(AVERAGE, SHARE, POP),
    ),
    ContentRule(
        "sa_cases",
        (CASE,),
        _any(SHARE, PER1000, LONG, BAND, CHILD, MONEY, DURATION, AVERAGE, POP),
        "cases",
    ),
    ContentRule(
        "sa_recipients",
        (r"sosialhjelpsmottaker|mottakere av (økonomisk )?sosialhjelp|recipients of social assistance",),
        _any(CASE, SHARE, PER1000, LONG, BAND, CHILD, MONEY, DURATION, AVERAGE, POP),
        "persons",
    ),
    ContentRule(
        "sa_recipients_rate_population",
        (SHARE, RECIP, r"av (innbygg|befolkning)|of (the )?(population|inhabitants)"),
        _any(CASE, LONG),
        "percent",
    ),
    ContentRule("sa_recipients_share", (SHARE, RECIP), _any(CASE, LONG, POP, PER1000), "percent"),
)


def label_category(label: str) -> str:
    """Category parts a label carries: age, duration band, main income, grant or loan (``;``-joined)."""
    text = normalise_label(label)
    parts: list[str] = []
    if m := re.search(r"(\d+) ?[-–] ?(\d+) (år|years)", text):
        parts.append(f"age={m.group(1)}-{m.group(2)}")
    elif m := re.search(r"(\d+) (år|years) (og eldre|or (more|older))", text):
        parts.append(f"age={m.group(1)}+")
    if m := re.search(r"(\d+) ?[-–] ?(\d+) (måneder|months)", text):
        parts.append(f"duration={m.group(1)}-{m.group(2)}_months")
    if re.search(INCOME, text):
        parts.append("main_income=social_assistance")
    if not re.search(r"bidrag (og|/) ?lån|allowance and loan", text):
        if re.search(r"\bbidrag\b|\bgrants?\b", text):
            parts.append("type=grant")
        elif re.search(r"\blån\b|\bloans?\b", text):
            parts.append("type=loan")
    return ";".join(parts)


#: What a label says about its unit: the first pattern found wins (order matters: ``1000 kr``
#: before ``kr``).
LABEL_UNITS: tuple[tuple[str, str], ...] = (
    (r"1000 kr|tusen kr|1000 nok|nok 1000", "NOK_1000"),
    (r"mill\.? ?kr", "NOK_million"),
    (r"\(kr\)|\bkroner\b|\(nok\)", "NOK"),
    (PER1000, "per_1000_inhabitants"),
    (r"prosent|\(%\)|per cent", "percent"),
    (r"2015 ?= ?100", "index_2015_100"),
    (r"måneder|\(months\)", "months"),
)


def unit_from_label(label: str) -> str | None:
    """The unit a label names (``(1000 kr)`` -> ``NOK_1000`` ...), None when it names none."""
    text = normalise_label(label)
    return next((unit for pattern, unit in LABEL_UNITS if re.search(pattern, text)), None)
