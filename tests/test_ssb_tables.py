"""Resolution of SSB table metadata to indicators (analysis.sources.ssb.tables) and ``fetch-ssb --plan``.

The metadata is ``tests/fixtures/ssb/metadata`` (built from SSB's published labels; README there).
The expected indicator of each label below is written by hand from the label's words, not read
from the code; the real 12367 response in ../shared/fixtures/ssb checks the accounts-scope labels.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from ssb_fakeserver import FakeSsb, project_root

from analysis.cli import main
from analysis.observations.dataset import read_text_table
from analysis.sources.ssb.resolution import TableSpecError, claim_across_tables, resolve
from analysis.sources.ssb.rules import SA_RULES, ContentRule
from analysis.sources.ssb.tables import TABLES, TableSpec, table_spec

REPO = Path(__file__).resolve().parents[1]
META = REPO / "tests" / "fixtures" / "ssb" / "metadata"
SHARED = REPO.parent / "shared" / "fixtures" / "ssb"


@pytest.fixture(scope="module")
def entities() -> pd.DataFrame:
    return read_text_table(REPO / "data" / "reference" / "entities.csv")


def meta(name: str) -> dict:
    return json.loads((META / f"{name}.json").read_text(encoding="utf-8"))


def resolve_fixture(name: str, entities: pd.DataFrame, year_from: int = 2015):
    return resolve(table_spec(name.split(".")[0]), meta(name), entities, ["0301", "4601"], year_from, None)


MAIN_INCOME_DURATION = (
    "Gjennomsnittlig stønadstid for mottakere med sosialhjelp som viktigste kilde til livsopphold (måneder)"
)
#: label -> (indicator, category), worked out by reading each label
EXPECTED = {
    # 13995
    "Sosialhjelpsmottakere per 1000 innbyggere": ("sa_recipients_per_1000_inhabitants", ""),
    "Sosialhjelpstilfeller": ("sa_cases", ""),
    "Sosialhjelpsmottakere (antall)": ("sa_recipients", ""),
    "Sosialhjelpsmottakere som forsørger barn under 18 år (antall)": ("sa_recipients_with_children", ""),
    "Sosialhjelpstilfeller 18-24 år": ("sa_cases", "age=18-24"),
    "Sosialhjelpstilfeller 25-66 år": ("sa_cases", "age=25-66"),
    "Sosialhjelpstilfeller 67 år og eldre": ("sa_cases", "age=67+"),
    "Sosialhjelpstilfeller med stønad i seks måneder eller mer": ("sa_cases_long_term", ""),
    "Sosialhjelpstilfeller som forsørger barn under 18 år": ("sa_cases_with_children", ""),
    "Andel sosialhjelpstilfeller med stønad i seks måneder eller mer (prosent)": (
        "sa_cases_long_term_share",
        "",
    ),
    "Sosialhjelpstilfeller med stønadstid 1-3 måneder": ("sa_cases_by_duration", "duration=1-3_months"),
    "Sosialhjelpstilfeller med stønadstid 4-6 måneder": ("sa_cases_by_duration", "duration=4-6_months"),
    "Sosialhjelpstilfeller med stønadstid 10-12 måneder": ("sa_cases_by_duration", "duration=10-12_months"),
    "Utbetalt økonomisk sosialhjelp (1000 kr)": ("sa_payout_gross", ""),
    "Utbetalt økonomisk sosialhjelp, bidrag (1000 kr)": ("sa_payout_gross", "type=grant"),
    "Utbetalt økonomisk sosialhjelp, lån (1000 kr)": ("sa_payout_gross", "type=loan"),
    "Utbetalt økonomisk sosialhjelp per tilfelle (kr)": ("sa_payout_per_case", ""),
    "Gjennomsnittlig sosialhjelp per måned (kr)": ("sa_payment_per_recipient_month", ""),
    "Gjennomsnittlig stønadstid (måneder)": ("sa_duration_months", ""),
    "Gjennomsnittlig stønadstid for mottakere 18-24 år (måneder)": ("sa_duration_months", "age=18-24"),
    "Gjennomsnittlig stønadstid for mottakere 25-29 år (måneder)": ("sa_duration_months", "age=25-29"),
    "Gjennomsnittlig stønadstid for mottakere 30-39 år (måneder)": ("sa_duration_months", "age=30-39"),
    "Gjennomsnittlig stønadstid for mottakere 40-49 år (måneder)": ("sa_duration_months", "age=40-49"),
    "Gjennomsnittlig stønadstid for mottakere 50-67 år (måneder)": ("sa_duration_months", "age=50-67"),
    MAIN_INCOME_DURATION: ("sa_duration_months", "main_income=social_assistance"),
    "Sosialhjelpstilfeller med sosialhjelp som hovedinntekt": ("sa_cases", "main_income=social_assistance"),
    # 12210 (English labels as published, Norwegian as assumed)
    "Number of cases on social assistance (number)": ("sa_cases", ""),
    "Number of cases on social assistance 18-24 years old (number)": ("sa_cases", "age=18-24"),
    "Sosialhjelpstilfeller (antall)": ("sa_cases", ""),
    "Sosialhjelpstilfeller 18-24 år (antall)": ("sa_cases", "age=18-24"),
    # 13138, 12203, 12213
    "Andel langtidsmottakere (prosent)": ("sa_long_term_share", ""),
    # 12362 / 12367 (indicator by KOKart)
    "Beløp (1000 kr)": (None, ""),
    "Sum (NOK 1000)": (None, ""),
    "Andel (prosent)": None,
    "Share (per cent)": None,
    "Beløp per innbygger (kr)": None,
    "Amount per capita (NOK)": None,
    # 07459, 03014
    "Personer": ("pop_inhabitants", ""),
    "Konsumprisindeks (2015=100)": ("cpi", ""),
    "Årsendring (prosent)": None,
}

FIXTURE_FILES = sorted(p.name.removesuffix(".json") for p in META.glob("*.json"))


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_each_indicator_of_each_table_resolves_to_exactly_one_code(name: str, entities: pd.DataFrame) -> None:
    res = resolve_fixture(name, entities)
    labels = meta(name)["dimension"]["ContentsCode"]["category"]["label"]
    for code, label in labels.items():
        assert label in EXPECTED, f"add {label!r} to EXPECTED"
        want = EXPECTED[label]
        if want is None:
            assert code in res.unmatched and code not in res.content_map
        else:
            got = res.content_map[code]
            assert (got.indicator, got.category) == want, label
    # exactly one code per (indicator, category) row key, over every output of the table
    seen: dict[tuple[str, str], str] = {}
    for code, rows in res.outputs().items():
        for ind, cat, _unit in rows:
            assert (ind, cat) not in seen, f"{code} and {seen[(ind, cat)]} both give {ind} {cat}"
            seen[(ind, cat)] = code
    assert seen


def test_two_matching_codes_give_a_one_line_error_naming_both(entities: pd.DataFrame) -> None:
    doc = meta("13995")
    cat = doc["dimension"]["ContentsCode"]["category"]
    cat["index"]["KOSsosmottakere0001"] = len(cat["index"])
    cat["label"]["KOSsosmottakere0001"] = "Sosialhjelpsmottakere i alt"
    doc["size"][doc["id"].index("ContentsCode")] += 1
    with pytest.raises(TableSpecError) as err:
        resolve(table_spec("13995"), doc, entities, ["0301"], 2022, None)
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith("table 13995: 2 ContentsCodes match indicator sa_recipients:")
    assert "KOSsosmottakere0000 'Sosialhjelpsmottakere (antall)'" in msg
    assert "KOSsosmottakere0001 'Sosialhjelpsmottakere i alt'" in msg


def test_a_label_matching_two_rules_is_an_error(entities: pd.DataFrame) -> None:
    spec = TableSpec(
        "13995",
        "overlapping rules",
        contents=(ContentRule("sa_cases", (r"tilfeller",)), ContentRule("sa_cases_long_term", (r"stønad",))),
    )
    with pytest.raises(
        TableSpecError, match=r"KOSsostilf6mnd0000 '.*' matches the rules for sa_cases and sa_"
    ):
        resolve(spec, meta("13995"), entities, ["0301"], 2022, None)


#: labels in SSB's wording about cases (tilfeller) and about recipients (mottakere)
CASE_LABELS = [
    "Sosialhjelpstilfeller",
    "Stønadstilfeller med økonomisk sosialhjelp",
    "Sosialhjelpstilfeller per 1000 innbyggere",
    "Sosialhjelpstilfeller med stønad i seks måneder eller mer",
    "Sosialhjelpstilfeller som forsørger barn under 18 år",
    "Number of cases on social assistance 18-24 years old (number)",
    "Andel sosialhjelpstilfeller med stønad i seks måneder eller mer (prosent)",
    "Sosialhjelpstilfeller med stønadstid 1-3 måneder",
]
RECIPIENT_LABELS = [
    "Sosialhjelpsmottakere",
    "Sosialhjelpsmottakere per 1000 innbyggere",
    "Sosialhjelpsmottakere 18-24 år",
    "Langtidsmottakere av økonomisk sosialhjelp",
    "Sosialhjelpsmottakere i seks måneder eller mer",
    "Sosialhjelpsmottakere som forsørger barn under 18 år",
    "Recipients of social assistance, caring for children up to 18 years",
    "Andel langtidsmottakere (prosent)",
    "Sosialhjelpsmottakere med stønadstid 1-3 måneder",
]


def _indicators(labels: list[str]) -> dict[str, str]:
    out = {}
    for label in labels:
        rules = [r for r in SA_RULES if r.matches(label)]
        assert len(rules) == 1, f"{label!r} matches {[r.indicator for r in rules]}"
        out[label] = rules[0].indicator
    return out


def test_cases_and_recipients_never_share_an_indicator() -> None:
    cases = _indicators(CASE_LABELS)
    recipients = _indicators(RECIPIENT_LABELS)
    assert not set(cases.values()) & set(recipients.values())
    assert all("cases" in ind for ind in cases.values())
    assert all("cases" not in ind for ind in recipients.values())
    # and the examples land on indicators of their own
    assert recipients["Sosialhjelpsmottakere per 1000 innbyggere"] == "sa_recipients_per_1000_inhabitants"
    assert cases["Sosialhjelpstilfeller med stønad i seks måneder eller mer"] == "sa_cases_long_term"
    assert cases["Sosialhjelpstilfeller som forsørger barn under 18 år"] == "sa_cases_with_children"
    assert recipients["Sosialhjelpsmottakere i seks måneder eller mer"] == "sa_long_term_recipients"


def test_every_indicator_a_rule_gives_is_defined(entities: pd.DataFrame) -> None:
    ind = read_text_table(REPO / "data" / "reference" / "indicators.csv").set_index("indicator")
    counted = {"persons", "cases", "per_1000_inhabitants", "percent", "months", "index_2015_100"}
    for spec in TABLES:
        names = [r.indicator for r in spec.contents if r.indicator]
        names += [i for m in spec.indicator_by.values() for i in m.values()]
        for rule in spec.contents:
            if rule.indicator and rule.unit in counted:
                assert ind.at[rule.indicator, "unit"] == rule.unit, rule.indicator
        missing = [n for n in names if n not in ind.index]
        assert not missing, f"table {spec.table_id}: {missing} not in indicators.csv"


# ------------------------------------------------------------------ accounts scope


def test_12362_gives_group_accounts_and_12367_the_municipal_fund(entities: pd.DataFrame) -> None:
    a = resolve_fixture("12362", entities)
    assert "KOKregnskapsomfa0000" not in dict(a.selection.variables)
    assert any("kommunekonsern (scope A)" in n for n in a.notes)
    assert {cat for rows in a.outputs().values() for _i, cat, _u in rows} == {
        "function=281",
        "function=276",
        "function=275",
    }
    b = resolve_fixture("12367", entities)
    assert dict(b.selection.variables)["KOKregnskapsomfa0000"] == ("B",)
    assert ("exp_net_operating", "function=281;accounts=municipal_fund", "NOK_1000") in b.outputs()[
        "KOSbelop0000"
    ]


def test_municipal_fund_needs_the_scope_variable_and_a_scope_variable_in_12362_gives_a_only(
    entities: pd.DataFrame,
) -> None:
    no_scope = meta("12362")
    with pytest.raises(TableSpecError, match="12367: has no accounts-scope variable.*municipal-fund"):
        resolve(table_spec("12367"), no_scope, entities, ["0301"], 2020, None)
    with_scope = meta("12367")  # as if 12362 gained the variable: only A is asked for
    res = resolve(table_spec("12362"), with_scope, entities, ["0301"], 2020, None)
    assert dict(res.selection.variables)["KOKregnskapsomfa0000"] == ("A",)


def test_scope_labels_checked_on_the_real_12367_response(entities: pd.DataFrame) -> None:
    path = SHARED / "12367_kostra_accounts_v0.json"
    if not path.exists():
        pytest.skip(f"{path} not available (../shared is absent)")
    doc = json.loads(path.read_text(encoding="utf-8"))
    with pytest.raises(TableSpecError, match="KOKfunksjon0000 has none of 281, 276, 275"):
        resolve(table_spec("12367"), doc, entities, ["EAK"], 2015, None)
    spec = dataclasses.replace(
        table_spec("12367"), fixed={**table_spec("12367").fixed, "KOKfunksjon0000": ("100", "110")}
    )
    res = resolve(spec, doc, entities, ["EAK"], 2015, None)  # SSB's own B label passes the check
    assert dict(res.selection.variables)["KOKregnskapsomfa0000"] == ("B",)
    doc["dimension"]["KOKregnskapsomfa0000"]["category"]["label"]["B"] = "Kommunekonsern"
    with pytest.raises(TableSpecError, match=r"KOKregnskapsomfa0000=B is labelled 'Kommunekonsern'"):
        resolve(spec, doc, entities, ["EAK"], 2015, None)


# ------------------------------------------------------------------ between tables, years


def test_a_figure_comes_from_one_table_only(entities: pd.DataFrame) -> None:
    first = resolve_fixture("13138", entities)
    later = resolve_fixture("12210", entities)
    claim_across_tables([first, later])
    assert "KOSsosantkliente0000" not in later.content_map
    assert "table 13138 (KOSsostilfeller0001)" in later.dropped["KOSsosantkliente0000"]
    assert dict(later.selection.variables)["ContentsCode"] == ("KOSant18240000",)
    assert "KOSsostilfeller0001" in first.content_map


def test_closed_tables_stop_where_13995_starts(entities: pd.DataFrame) -> None:
    res = resolve_fixture("12210", entities)  # the table itself runs to 2022
    assert res.years() == tuple(str(y) for y in range(2015, 2022))
    assert resolve_fixture("13995", entities).years()[0] == "2022"


# ------------------------------------------------------------------ fixtures and their sources


def test_every_fixture_label_has_a_status_and_a_source() -> None:
    with (META.parent / "provenance.csv").open(encoding="utf-8") as fh:
        prov = {(r["table"], r["code"]): r for r in csv.DictReader(fh)}
    readme = (META.parent / "README.md").read_text(encoding="utf-8")
    keys = set(re.findall(r"^\| ([A-Z]) \|", readme, flags=re.MULTILINE))
    for name in FIXTURE_FILES:
        doc = meta(name)
        tid = doc["extension"]["px"]["tableid"]
        for code in doc["dimension"]["ContentsCode"]["category"]["label"]:
            row = prov[(tid, code)]
            assert row["status"] in {"verified", "code", "wording", "invented"}
            assert row["status"] == "invented" or set(row["source"].split(",")) <= keys, row


# ------------------------------------------------------------------ fetch-ssb --plan


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return project_root(tmp_path)


def test_plan_offline_on_the_fixtures_prints_the_mapping(root: Path, capsys) -> None:
    rc = main(
        ["--root", str(root), "fetch-ssb", "--plan", "--offline", "--metadata", str(META)]
        + ["--entities", "0301,4601", "--from", "2015"]
    )
    out = capsys.readouterr().out
    assert rc == 0
    lines = out.splitlines()
    row = next(
        line for line in lines if line.strip().startswith("KOSsosantkliente0000  Sosialhjelpsmottakere per")
    )
    assert "sa_recipients_per_1000_inhabitants" in row and "per_1000_inhabitants" in row
    assert any(
        re.search(r"KOSbelopinnb0000 +Beløp per innbygger .* not fetched: matches no rule", x) for x in lines
    )
    assert "  regions for 4601: 4601 'Bergen', 1201 'Bergen (-2019)'" in lines
    assert any(line.startswith("table 12367: ") for line in lines)
    assert list((root / "data" / "curated").iterdir()) == []  # nothing written
    assert not (root / "data" / "raw").exists()


def test_plan_reads_only_metadata_from_the_network(root: Path, capsys) -> None:
    with FakeSsb() as srv:
        rc = main(
            ["--root", str(root), "fetch-ssb", "--plan", "--base-url", srv.base_url]
            + ["--entities", "0301", "--from", "2023"]
        )
        assert rc == 0, capsys.readouterr().err
        assert {r["endpoint"] for r in srv.requests} == {"config", "metadata"}
    # the metadata is now cached: the same plan works offline
    again = ["--plan", "--offline", "--base-url", srv.base_url, "--entities", "0301", "--from", "2023"]
    assert main(["--root", str(root), "fetch-ssb", *again]) == 0


def test_plan_offline_without_cache_names_what_is_missing(root: Path, capsys) -> None:
    rc = main(
        ["--root", str(root), "fetch-ssb", "--plan", "--offline", "--entities", "0301", "--from", "2023"]
    )
    err = capsys.readouterr().err
    assert rc == 1 and err.count("\n") == 1
    assert "table 13995 metadata" in err and "run without --offline first" in err


def test_committed_metadata_is_what_the_builder_makes() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_metadata", META.parent / "make_metadata.py")
    assert spec and spec.loader
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    for tid, (doc, _rows) in builder.tables().items():
        assert meta(tid) == doc, f"rerun tests/fixtures/ssb/make_metadata.py ({tid}.json is stale)"


def test_plan_goes_on_past_an_ambiguous_table_and_fails_naming_it(root: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "meta"
    folder.mkdir()
    for path in META.glob("*.json"):
        (folder / path.name).write_bytes(path.read_bytes())
    doc = meta("13995")
    cat = doc["dimension"]["ContentsCode"]["category"]
    cat["index"]["KOSx"] = len(cat["index"])
    cat["label"]["KOSx"] = "Sosialhjelpstilfeller i alt"
    doc["size"][doc["id"].index("ContentsCode")] += 1
    (folder / "13995.json").write_text(json.dumps(doc), encoding="utf-8")
    args = ["--plan", "--metadata", str(folder), "--entities", "0301", "--from", "2022"]
    rc = main(["--root", str(root), "fetch-ssb", *args])
    out, err = capsys.readouterr()
    assert rc == 1 and err.count("\n") == 1
    assert "table 13995: 2 ContentsCodes match indicator sa_cases: KOSsostilfeller0000" in err
    assert "KOSx 'Sosialhjelpstilfeller i alt'" in err
    assert "table 12362: " in out  # the other tables are still shown
