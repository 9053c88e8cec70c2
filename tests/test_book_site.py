"""The built HTML book as a static site: links, images, offline resources, provenance, completeness.

The book is built once per session (``built_book`` in conftest.py) and every page is parsed with
the standard library's ``html.parser``. The expected pages are derived here from ``book/runs.yml``
and ``notebooks/*.py`` on their own, not through ``analysis.book``, so that a bug in the table of
contents generator cannot hide a missing chapter.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

pytestmark = pytest.mark.slow

# Attributes that make the browser fetch a resource (as opposed to <a href>, which is a hyperlink).
RESOURCE_ATTRS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "embed": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "object": ("data",),
}
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)  # any scheme, or protocol-relative
REMOTE = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
HEADING = re.compile(r"^h[1-6]$")
REPO = Path(__file__).resolve().parents[1]


@dataclass
class Reference:
    tag: str
    attr: str
    value: str
    line: int
    classes: tuple[str, ...] = ()


@dataclass
class Page:
    """What the tests need from one HTML file."""

    path: Path
    references: list[Reference] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    title: str = ""
    # Events inside <article>, in document order: ("heading", text), ("provenance", ""),
    # ("download", href).
    article_events: list[tuple[str, str]] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self._stack: list[str] = []
        self._in_article = 0
        self._in_title = False
        self._strong_text: list[str] | None = None
        self._heading_text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs)
        if tag not in {"br", "img", "meta", "link", "input", "hr", "source", "col", "area", "base", "wbr"}:
            self._stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs)

    def _open(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        line = self.getpos()[0]
        for key in ("id", "name") if tag == "a" else ("id",):
            if a.get(key):
                self.page.ids.add(a[key] or "")
        classes = tuple((a.get("class") or "").split())
        if tag == "a" and a.get("href") is not None:
            self.page.references.append(Reference(tag, "href", a["href"] or "", line, classes))
            if self._in_article and "download" in classes:
                self.page.article_events.append(("download", a["href"] or ""))
        for attr in RESOURCE_ATTRS.get(tag, ()):
            value = a.get(attr)
            if value is None:
                continue
            if attr == "srcset":
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0]
                    if url:
                        self.page.references.append(Reference(tag, attr, url, line, classes))
            else:
                self.page.references.append(Reference(tag, attr, value, line, classes))
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            match = re.search(r"url=(.+)$", a.get("content") or "", re.IGNORECASE)
            if match:
                self.page.references.append(Reference(tag, "content", match.group(1).strip(), line))
        if tag == "img":
            self.page.images.append({**a, "_line": str(line)})
        if tag == "article":
            self._in_article += 1
        if tag == "title":
            self._in_title = True
        if self._in_article and tag == "strong":
            self._strong_text = []
        if self._in_article and HEADING.match(tag):
            self._heading_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass
        if tag == "article":
            self._in_article -= 1
        if tag == "title":
            self._in_title = False
        if tag == "strong" and self._strong_text is not None:
            if "".join(self._strong_text).strip() == "Provenance":
                self.page.article_events.append(("provenance", ""))
            self._strong_text = None
        if HEADING.match(tag) and self._heading_text is not None:
            self.page.article_events.append(("heading", "".join(self._heading_text).strip()))
            self._heading_text = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.page.title += data
        if self._strong_text is not None:
            self._strong_text.append(data)
        if self._heading_text is not None:
            self._heading_text.append(data)


@dataclass
class Site:
    root: Path
    pages: dict[Path, Page]  # keyed by path relative to root

    def resolve(self, page: Path, url: str) -> tuple[Path, str]:
        """The file (relative to the site root, possibly outside it) and fragment a local URL points to."""
        parts = urlsplit(url)
        target = unquote(parts.path)
        if not target:
            return page, parts.fragment
        resolved = Path(target.lstrip("/")) if target.startswith("/") else page.parent / target
        norm: list[str] = []
        for part in resolved.parts:
            if part == "..":
                if not norm:
                    return Path("..") / resolved, parts.fragment  # escapes the site root
                norm.pop()
            elif part != ".":
                norm.append(part)
        result = Path(*norm) if norm else Path(".")
        if target.endswith("/") or (self.root / result).is_dir():
            result = result / "index.html"
        return result, parts.fragment


def _parse(root: Path, rel: Path) -> Page:
    page = Page(rel)
    parser = _PageParser(page)
    parser.feed((root / rel).read_text(encoding="utf-8"))
    parser.close()
    return page


@cache
def _site(root: Path) -> Site:
    pages = {}
    for file in sorted(root.rglob("*.html")):
        rel = file.relative_to(root)
        if rel.parts[0] == "_static":  # theme template fragments, not pages
            continue
        pages[rel] = _parse(root, rel)
    return Site(root, pages)


@pytest.fixture(scope="module")
def site(built_book: Path) -> Site:
    return _site(built_book)


# --- what the book must contain, from runs.yml and notebooks/ ----------------------------------------


def expected_runs() -> list[tuple[str, int, list[str]]]:
    """(entity code, year, templates) for every entity-year of book/runs.yml; of the declared
    templates only those the data support (analysis.sections.plan, the library's rule, not the
    table-of-contents generator's)."""
    from analysis.observations.dataset import load_dataset
    from analysis.observations.run import run_context
    from analysis.sections.plan import PLAN, assess, template_verdict

    spec = yaml.safe_load((REPO / "book" / "runs.yml").read_text(encoding="utf-8"))
    all_templates = sorted(p.stem for p in (REPO / "notebooks").glob("*.py"))
    defaults = spec.get("defaults") or {}
    data = load_dataset()
    out = []
    for entry in spec["runs"]:
        code = entry["entity_code"]
        assert isinstance(code, str), f"runs.yml: entity code {code!r} must be a quoted string"
        templates = entry.get("templates") or defaults.get("templates") or all_templates
        params = {k: entry.get(k, defaults.get(k)) for k in ("cpi_base_year", "break_month")}
        params["comparison_entities"] = entry.get("comparison_entities", [])
        for year in entry["years"]:
            ctx = run_context(data, code, int(year), params["comparison_entities"])
            supported = [t for t in templates if t not in PLAN or template_verdict(assess(ctx, t, params))[0]]
            out.append((code, int(year), supported))
    return out


RUNS = expected_runs()
TEMPLATE_PAGES = [(code, year, t) for code, year, templates in RUNS for t in templates]


def test_runs_and_templates_are_found() -> None:
    assert RUNS, "book/runs.yml declares no runs"
    assert len({t for _, _, t in TEMPLATE_PAGES}) >= 1, "notebooks/ has no templates"


@pytest.mark.parametrize(("code", "year"), [(c, y) for c, y, _ in RUNS], ids=lambda v: str(v))
def test_every_entity_year_has_its_chapter(site: Site, code: str, year: int) -> None:
    chapter = Path("book", "reports", code, str(year), "index.html")
    assert chapter in site.pages, f"runs.yml declares {code}/{year} but {chapter} was not built"
    templates = next(t for c, y, t in RUNS if (c, y) == (code, year))
    missing = [t for t in templates if chapter.with_name(f"{t}.html") not in site.pages]
    assert not missing, f"{code}/{year}: no page for template(s) {missing}"
    # The chapter page links to each of its sections (through the navigation at least).
    linked = {site.resolve(chapter, r.value)[0] for r in site.pages[chapter].references if r.tag == "a"}
    unlinked = [t for t in templates if chapter.with_name(f"{t}.html") not in linked]
    assert not unlinked, f"{chapter} has no link to its section(s) {unlinked}"


def test_no_unexpected_report_pages(site: Site) -> None:
    """Pages under book/reports/ that runs.yml no longer asks for (a stale run left in the book)."""
    expected = {Path("book", "reports", c, str(y), f"{t}.html") for c, y, t in TEMPLATE_PAGES}
    expected |= {Path("book", "reports", c, str(y), "index.html") for c, y, _ in RUNS}
    expected |= {Path("book", "reports", c, "index.html") for c, _, _ in RUNS}  # one page per entity
    built = {p for p in site.pages if p.parts[:2] == ("book", "reports")}
    extra = sorted(str(p) for p in built - expected)
    assert not extra, f"report pages not declared in book/runs.yml: {extra}"


def test_every_page_is_reachable_from_the_front_page(site: Site) -> None:
    seen = {Path("index.html")}
    queue = deque(seen)
    while queue:
        page = queue.popleft()
        for ref in site.pages[page].references:
            if EXTERNAL.match(ref.value) or ref.tag not in {"a", "meta"}:
                continue
            target, _ = site.resolve(page, ref.value)
            if target in site.pages and target not in seen:
                seen.add(target)
                queue.append(target)
    wanted = {Path("book", "reports", c, str(y), f"{t}.html") for c, y, t in TEMPLATE_PAGES}
    wanted |= {p for p in site.pages if p.parts[0] == "book"}
    unreachable = sorted(str(p) for p in wanted - seen)
    assert not unreachable, f"pages no link leads to from index.html: {unreachable}"


# --- links, images, remote resources ---------------------------------------------------------------


def test_no_broken_internal_links(site: Site) -> None:
    broken = []
    for rel, page in site.pages.items():
        for ref in page.references:
            if EXTERNAL.match(ref.value):
                continue
            target, fragment = site.resolve(rel, ref.value)
            where = f"{rel}:{ref.line} <{ref.tag} {ref.attr}={ref.value!r}>"
            if target.parts and target.parts[0] == "..":
                broken.append(f"{where}: points outside the site")
            elif not (site.root / target).is_file():
                broken.append(f"{where}: {target} does not exist")
            elif fragment and target in site.pages and fragment not in site.pages[target].ids:
                broken.append(f"{where}: no id {fragment!r} in {target}")
    assert not broken, f"{len(broken)} broken internal link(s):\n" + "\n".join(broken[:50])


def test_images_exist_and_have_alt_text(site: Site) -> None:
    problems = []
    count = 0
    for rel, page in site.pages.items():
        for img in page.images:
            count += 1
            src = img.get("src") or ""
            where = f"{rel}:{img['_line']} <img src={src!r}>"
            if not (img.get("alt") or "").strip():
                problems.append(f"{where}: no alt text")
            if not src:
                problems.append(f"{where}: no src")
            elif not EXTERNAL.match(src):
                target, _ = site.resolve(rel, src)
                file = site.root / target
                if not file.is_file() or file.stat().st_size == 0:
                    problems.append(f"{where}: image file {target} is missing or empty")
    assert count, "the book has no images at all; the report pages should have figures"
    assert not problems, "\n".join(problems[:50])


def test_no_remote_resources(site: Site) -> None:
    """Nothing the browser loads to show a page may come from the network: the book works offline.

    Hyperlinks (<a href>) to the sources are fine; scripts, stylesheets, images, frames are not.
    """
    remote = [
        f"{rel}:{ref.line} <{ref.tag} {ref.attr}={ref.value!r}>"
        for rel, page in site.pages.items()
        for ref in page.references
        if ref.tag not in {"a", "meta"} and REMOTE.match(ref.value)
    ]
    for css in sorted((site.root / "_static").rglob("*.css")):
        text = css.read_text(encoding="utf-8", errors="replace")
        for match in re.finditer(r"(?:url\(\s*['\"]?|@import\s+['\"])((?:https?:)?//[^'\")\s]+)", text):
            remote.append(f"{css.relative_to(site.root)}: {match.group(1)}")
    assert not remote, "remote resources needed to show the book:\n" + "\n".join(remote[:50])


# --- provenance footer and downloads ---------------------------------------------------------------


@pytest.mark.parametrize(("code", "year", "template"), TEMPLATE_PAGES, ids=lambda v: str(v))
def test_report_page_ends_with_provenance_and_downloads(
    site: Site, code: str, year: int, template: str
) -> None:
    rel = Path("book", "reports", code, str(year), f"{template}.html")
    if rel not in site.pages:
        pytest.fail(f"{rel} was not built")
    events = site.pages[rel].article_events
    markers = [i for i, (kind, _) in enumerate(events) if kind == "provenance"]
    assert len(markers) == 1, f"{rel}: expected one 'Provenance' block, found {len(markers)}"
    after = events[markers[0] + 1 :]
    headings = [text for kind, text in after if kind == "heading"]
    assert not headings, f"{rel}: the Provenance block is not at the end; followed by headings {headings}"
    downloads = [href for kind, href in after if kind == "download"]
    by_name = {Path(unquote(urlsplit(h).path)).name: h for h in downloads}

    for name, source in [
        (f"{template}.data.csv", REPO / "book" / "reports" / code / str(year) / f"{template}.data.csv"),
        (f"{template}.ipynb", None),
    ]:
        assert name in by_name, f"{rel}: no download link to {name} after 'Provenance' (has {downloads})"
        target, _ = site.resolve(rel, by_name[name])
        assert target.parts[0] == "_downloads", f"{rel}: {name} links to {target}, not into _downloads/"
        file = site.root / target
        assert file.is_file(), f"{rel}: download {by_name[name]} -> {target} does not exist"
        if source is not None:
            assert file.read_bytes() == source.read_bytes(), (
                f"{rel}: {target} differs from {source.relative_to(REPO)}"
            )


def test_pages_have_titles(site: Site) -> None:
    # index.html at the root is only a redirect (<meta http-equiv="refresh">) to book/index.html.
    pages = {r: page for r, page in site.pages.items() if r != Path("index.html")}
    untitled = [str(r) for r, page in pages.items() if not page.title.strip()]
    assert not untitled, f"pages without <title>: {untitled}"


# --- pages decided by the data (issue 12) ------------------------------------------------------------

MISSING_NOTE = re.compile(
    r"^(?:No data|No figure for|No breakdown|No monthly|No comparable|The decomposition .* needs|"
    r"It would come from)|fetch-ssb",
)
STATSMODELS = re.compile(
    r"mle_retvals|ConvergenceWarning|Maximum Likelihood optimization|HessianInversion|"
    r"Optimization terminated|Inverting hessian",
    re.IGNORECASE,
)


@dataclass
class Block:
    """One <section> of the article: its heading and its own text (nested sections excluded)."""

    heading: str = ""
    own_text: list[str] = field(default_factory=list)


class _SectionParser(HTMLParser):
    """The article's <section> tree, flattened: each section's heading and the text it holds itself."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.text: list[str] = []  # the whole article's text
        self._open: list[Block] = []
        self._depth: list[str] = []
        self._in_article = 0
        self._in_heading = False
        self._skip = 0  # inside <script>/<style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self._in_article += 1
        if tag in {"script", "style"}:
            self._skip += 1
        if self._in_article and tag == "section":
            block = Block()
            self.blocks.append(block)
            self._open.append(block)
        if self._in_article and HEADING.match(tag):
            self._in_heading = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._in_article -= 1
        if tag in {"script", "style"}:
            self._skip -= 1
        if self._in_article and tag == "section" and self._open:
            self._open.pop()
        if HEADING.match(tag):
            self._in_heading = False

    def handle_data(self, data: str) -> None:
        if not self._in_article or self._skip:
            return
        self.text.append(data)
        if not self._open or not data.strip():
            return
        if self._in_heading and not self._open[-1].heading:
            self._open[-1].heading = data.strip().rstrip("#").strip()
        elif not self._in_heading:
            self._open[-1].own_text.append(data.strip())


@cache
def _sections(path: Path) -> _SectionParser:
    parser = _SectionParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def _report_pages(site: Site) -> list[Path]:
    return [p for p in site.pages if p.parts[:2] == ("book", "reports") and len(p.parts) == 5]


def test_no_section_is_only_a_missing_data_note(site: Site) -> None:
    bad = []
    for rel in _report_pages(site):
        for block in _sections(site.root / rel).blocks[1:]:  # the first is the page title's section
            text = " ".join(block.own_text).replace("\u00b6", "").strip()
            if not text:  # a group heading ("Composition") holds only its sections
                continue
            if MISSING_NOTE.search(text) and len(text) < 400:
                bad.append(f"{rel}: section {block.heading!r} is a missing-data note: {text[:120]!r}")
    assert not bad, f"{len(bad)} section(s) with nothing to show:\n" + "\n".join(bad[:40])


@pytest.mark.parametrize(("code", "year"), [(c, y) for c, y, _ in RUNS], ids=lambda v: str(v))
def test_one_not_published_list_per_chapter(site: Site, code: str, year: int) -> None:
    folder = Path("book", "reports", code, str(year))
    texts = {p: "".join(_sections(site.root / p).text) for p in _report_pages(site) if p.parent == folder}
    lists = sum(t.count("Not published for") for t in texts.values())
    fetch = sum(t.count("fetch-ssb") for t in texts.values())
    assert lists <= 1, f"{folder}: {lists} 'not published' lists (at most one per chapter)"
    assert fetch <= 1, f"{folder}: 'fetch-ssb' printed {fetch} times (at most once, in the chapter's list)"


@pytest.mark.parametrize(("code", "year"), [(c, y) for c, y, _ in RUNS], ids=lambda v: str(v))
def test_year_index_page_is_more_than_a_title(site: Site, code: str, year: int) -> None:
    rel = Path("book", "reports", code, str(year), "index.html")
    parser = _sections(site.root / rel)
    body = " ".join(t.strip() for b in parser.blocks for t in b.own_text)
    assert "What the pages show" in body, f"{rel}: no summary of the chapter's pages"
    assert len(body.split()) >= 30, f"{rel}: only {len(body.split())} words under the title"


def test_no_statsmodels_message_on_any_page(site: Site) -> None:
    hits = []
    for rel in site.pages:
        if rel.parts[0] != "book":
            continue
        text = "".join(_sections(site.root / rel).text)
        for match in STATSMODELS.finditer(text):
            hits.append(f"{rel}: {text[max(0, match.start() - 60) : match.end() + 40]!r}")
    assert not hits, "model-library messages on pages:\n" + "\n".join(hits[:20])


def test_no_2022_break_section_before_2020(site: Site) -> None:
    bad = [
        f"{rel}: {block.heading!r}"
        for rel in _report_pages(site)
        if int(rel.parts[3]) < 2020
        for block in _sections(site.root / rel).blocks
        if re.search(r"break", block.heading, re.IGNORECASE) and "2022" in block.heading
    ]
    assert not bad, "2022 break sections on pages before 2020:\n" + "\n".join(bad)


# --- reading comfort (issue 12): numbered captions, short alt texts, labels in words ---------------

# A category or parameter code as the data spell it: ``main_income=social_assistance``, ``age=18-24``.
RAW_CODE = re.compile(r"(?<![?&])\b[a-z][a-z_]*=[a-z0-9][a-z0-9_+\-]*\b")
VOID = {"br", "img", "meta", "link", "input", "hr", "source", "col", "area", "base", "wbr"}
ALT_LIMIT = 300


@dataclass
class Reading:
    """What a reader sees in one page's <article>, code cells and literals left out."""

    tables: list[str] = field(default_factory=list)  # caption text of each table ("" = none)
    figures: list[str] = field(default_factory=list)  # text of each <figcaption>
    alts: list[str] = field(default_factory=list)
    labels: list[tuple[str, str]] = field(default_factory=list)  # (element, text): headings, captions, cells


class _ReadingParser(HTMLParser):
    LABELS = {"h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption", "th", "td", "p", "li", "summary"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = Reading()
        self._stack: list[tuple[str, bool]] = []  # (tag, opens a region the reader does not read)
        self._article = 0
        self._text: list[tuple[str, list[str]]] = []  # open label elements and their text

    @property
    def _skipping(self) -> bool:
        return any(skip for _, skip in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if tag == "article":
            self._article += 1
        inside = self._article and not self._skipping
        if inside and tag == "img":
            self.out.alts.append(a.get("alt") or "")
        if tag in VOID:
            return
        skip = tag in {"pre", "code", "script", "style"} or bool(classes & {"cell_input", "highlight"})
        self._stack.append((tag, skip))
        if inside and not skip:
            if tag == "table":
                self.out.tables.append("")
            if tag in self.LABELS:
                self._text.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._article -= 1
        if not any(t == tag for t, _ in self._stack):
            return
        while self._stack:
            open_tag, _ = self._stack.pop()
            if self._text and self._text[-1][0] == open_tag:
                name, parts = self._text.pop()
                text = " ".join("".join(parts).split())
                self.out.labels.append((name, text))
                if name == "caption" and self.out.tables:
                    self.out.tables[-1] = text
                if name == "figcaption":
                    self.out.figures.append(text)
                if self._text:  # the text belongs to the enclosing label too
                    self._text[-1][1].append(" " + text + " ")
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._text and not self._skipping:
            self._text[-1][1].append(data)


@cache
def _reading(path: Path) -> Reading:
    parser = _ReadingParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.out


def _entity_pages(site: Site) -> list[Path]:
    pages = [p for p in site.pages if p.parts[:2] == ("book", "reports") and len(p.parts) == 5]
    return sorted(p for p in pages if p.name != "index.html")


def test_reading_parser_on_a_hand_made_page() -> None:
    """The parser behind the three tests below, on HTML written by hand."""
    html = (
        "<html><body><article><h2>Main income: social assistance</h2>"
        "<div class='cell_input'><pre>category='main_income=social_assistance'</pre></div>"
        "<table><caption>Table 1. Shares (%).</caption><tr><th>Group</th></tr><tr><td>age=18-24</td></tr>"
        "</table><table><tr><td>1</td></tr></table>"
        "<figure><img alt='Line chart: x.' src='a.png'/><figcaption><p>Figure 1. X.</p></figcaption>"
        "</figure></article></body></html>"
    )
    parser = _ReadingParser()
    parser.feed(html)
    out = parser.out
    assert out.tables == ["Table 1. Shares (%).", ""]
    assert out.figures == ["Figure 1. X."]
    assert out.alts == ["Line chart: x."]
    codes = [text for _, text in out.labels if RAW_CODE.search(text)]
    assert codes == ["age=18-24"]  # the table cell; the code in the code cell is not read


def test_entity_page_tables_are_numbered_and_captioned(site: Site) -> None:
    """Every table on an entity page has a caption "Table N. ..." and N runs 1, 2, 3 ... down the page."""
    problems = []
    count = 0
    for rel in _entity_pages(site):
        captions = _reading(site.root / rel).tables
        count += len(captions)
        numbers = []
        for i, caption in enumerate(captions, start=1):
            match = re.match(r"Table (\d+)\. \S", caption)
            if not match:
                problems.append(f"{rel}: table {i} has no numbered caption (caption {caption!r})")
            else:
                numbers.append(int(match.group(1)))
        if numbers and numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"{rel}: tables numbered {numbers}, not 1..{len(numbers)}")
    assert count, "no tables on the entity pages at all"
    assert not problems, f"{len(problems)} table(s) without number or caption:\n" + "\n".join(problems[:40])


def test_entity_page_figures_are_numbered_per_page(site: Site) -> None:
    """Figure captions start "Figure N." with N counting from 1 on each page (not across the book)."""
    problems = []
    for rel in _entity_pages(site):
        captions = _reading(site.root / rel).figures
        numbers = [int(m.group(1)) for c in captions if (m := re.match(r"Figure (\d+)\. \S", c))]
        if len(numbers) != len(captions) or numbers != list(range(1, len(captions) + 1)):
            problems.append(f"{rel}: figure captions {[c[:40] for c in captions]}")
    assert not problems, "\n".join(problems[:40])


def test_alt_texts_are_short(site: Site) -> None:
    """An alt text says what the chart shows in under 300 characters; sources are in the caption."""
    long = [
        f"{rel}: {len(alt)} characters: {alt[:80]}…"
        for rel in sorted(site.pages)
        for alt in _reading(site.root / rel).alts
        if len(alt) > ALT_LIMIT
    ]
    assert not long, f"{len(long)} alt text(s) over {ALT_LIMIT} characters:\n" + "\n".join(long[:40])


def test_no_raw_codes_on_entity_pages(site: Site) -> None:
    """Headings, captions, table cells and prose read in words: no ``main_income=social_assistance``."""
    found = [
        f"{rel}: <{tag}> {text[:100]!r}"
        for rel in _entity_pages(site)
        for tag, text in _reading(site.root / rel).labels
        if RAW_CODE.search(text)
    ]
    assert not found, f"{len(found)} label(s) with a raw code:\n" + "\n".join(sorted(set(found))[:40])
