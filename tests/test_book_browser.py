"""The built book in a real browser (headless Chromium through Playwright).

The site is served over HTTP on 127.0.0.1 (as a reader's browser would see a deployed copy), each page
is opened, its images must have loaded, the console must stay free of errors and no request may leave
the machine. Full-page screenshots go to ``test-artifacts/screenshots/`` for a human to look at.

Needs ``/usr/bin/chromium`` (``apt-get install chromium``; ``.ci/run`` installs it) and the Python
package ``playwright`` (a dev dependency; its own browser download is not used). Without them the
tests are skipped, except that a missing Chromium fails them when the environment variable ``CI`` is set.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Console or page errors that come from the toolchain's own assets, cannot be fixed from this
# repository's configuration and do not affect what the reader sees. Each entry: a pattern and why.
KNOWN_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"Identifier 'THEBE_JS_URL' has already been declared"),
        # sphinx-thebe 0.3.1, which Jupyter Book 1.x always loads (even with launch_buttons.thebe
        # false), adds its inline `const THEBE_JS_URL = ...` script from an `env-before-read-docs`
        # handler; with Sphinx 7.4 the script lands twice in every page's <head>, and the second
        # `const` throws. The first declaration stands, thebe is not used by this book, and no option
        # in _config.yml removes the script.
        "sphinx-thebe declares THEBE_JS_URL twice (Jupyter Book 1.x / Sphinx 7.4); harmless",
    ),
]

PAGES = [
    # (id, path, expected text in <title>, must show at least one figure)
    ("index", "index.html", "Social assistance in Norway", False),
    ("chapter-030115-2023-cost_surge", "book/reports/030115/2023/cost_surge.html", "The cost surge", True),
    ("cost_surge", "book/cost_surge.html", "The cost surge of 2022", False),
]


def _require_browser() -> None:
    in_ci = bool(os.environ.get("CI"))
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)"
        if in_ci:
            pytest.fail(f"CI is set but {message}", pytrace=False)
        pytest.skip(message)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the Python package playwright is not installed (pip install -e '.[dev]')")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="module")
def site_url(built_book: Path) -> Iterator[str]:
    """The built book served over HTTP on 127.0.0.1 (a free port, in a thread)."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Watched:
    """A page and everything that went wrong while it was open."""

    page: Any
    errors: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p, _ in KNOWN_ERRORS)]


@pytest.fixture
def page(browser: Any, site_url: str) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    pg = context.new_page()
    watched = Watched(pg)
    host = urlsplit(site_url).netloc

    def route(r: Any) -> None:
        url = r.request.url
        if urlsplit(url).scheme in {"http", "https", "ws", "wss"} and urlsplit(url).netloc != host:
            watched.remote.append(url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    pg.on(
        "console",
        lambda m: (
            watched.errors.append(f"console.{m.type}: {m.text} ({m.location.get('url', '')})")
            if m.type == "error"
            else None
        ),
    )
    pg.on("pageerror", lambda e: watched.errors.append(f"page error: {e}"))
    pg.on(
        "response",
        lambda r: watched.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    pg.on("requestfailed", lambda r: watched.errors.append(f"request failed: {r.url} ({r.failure})"))
    try:
        yield watched
    finally:
        context.close()


def _screenshot(pg: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path


def _open(watched: Watched, url: str) -> None:
    watched.page.goto(url, wait_until="load")
    watched.page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(("name", "path", "title", "figures"), PAGES, ids=[p[0] for p in PAGES])
def test_page_renders_without_errors(
    page: Watched, site_url: str, name: str, path: str, title: str, figures: bool
) -> None:
    pg = page.page
    _open(page, site_url + path)
    # Scroll through the page so lazily loaded images load too, then back to the top.
    pg.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    pg.wait_for_load_state("networkidle")
    pg.evaluate("window.scrollTo(0, 0)")
    _screenshot(pg, name)

    assert title in pg.title(), f"{path}: title {pg.title()!r} lacks {title!r}"
    heading = pg.locator("article h1").first
    assert heading.is_visible(), f"{path}: no visible <h1> in the article"
    images = pg.evaluate(
        """() => [...document.querySelectorAll('article img')].map(i => ({
            src: i.getAttribute('src'), complete: i.complete, width: i.naturalWidth}))"""
    )
    broken = [i["src"] for i in images if not (i["complete"] and i["width"] > 0)]
    assert not broken, f"{path}: images that did not load: {broken}"
    if figures:
        assert images, f"{path}: expected figures, found no <img> in the article"
    assert not page.remote, f"{path}: requests that left the machine: {page.remote}"
    unexpected = page.unexpected_errors()
    assert not unexpected, f"{path}: {len(unexpected)} browser error(s):\n" + "\n".join(unexpected)


def test_search_finds_sondre_nordstrand(page: Watched, site_url: str) -> None:
    """Type a query into the theme's search box; Sphinx's search page lists the district's pages."""
    pg = page.page
    _open(page, site_url + "book/index.html")
    pg.keyboard.press("Control+K")  # the theme's shortcut that opens the search dialog
    box = pg.locator("#pst-search-dialog input[name='q']")
    box.wait_for(state="visible", timeout=5_000)
    box.fill("Nordstrand")
    box.press("Enter")
    pg.wait_for_url(re.compile(r"/search\.html\?q=Nordstrand"), timeout=10_000)
    pg.wait_for_function(
        "() => /Search finished|did not match/.test("
        "document.querySelector('#search-results .search-summary')?.textContent || '')",
        timeout=15_000,
    )
    _screenshot(pg, "search-nordstrand")
    results = pg.evaluate(
        """() => [...document.querySelectorAll('#search-results ul.search li a')]
                 .map(a => ({text: a.textContent.trim(), href: a.href}))"""
    )
    district = [r for r in results if urlsplit(r["href"]).path.startswith("/book/reports/030115/")]
    assert district, f"no search result links to book/reports/030115/ (Søndre Nordstrand): {results}"
    assert any("Søndre Nordstrand" in r["text"] for r in district), (
        f"no result for the district is titled with its name: {district}"
    )
    assert not page.remote, f"search: requests that left the machine: {page.remote}"
    unexpected = page.unexpected_errors()
    assert not unexpected, f"search: {len(unexpected)} browser error(s):\n" + "\n".join(unexpected)


def test_tab_icon_loads(page: Watched, site_url: str) -> None:
    """Every tab asks for an icon: the page's <link rel="icon">, or else /favicon.ico at the server root.

    When it is missing the browser logs "Failed to load resource: 404" for /favicon.ico; Chromium does
    so only when the request finishes before the page is closed, so the console check above catches it
    only sometimes. Asking for the icon directly makes the check deterministic.
    """
    pg = page.page
    _open(page, site_url + "book/index.html")
    href = pg.evaluate(
        "() => document.querySelector('link[rel~=\"icon\"]')?.href || new URL('/favicon.ico', location).href"
    )
    response = pg.request.get(href)
    assert response.ok, (
        f"the tab icon {href} answers HTTP {response.status}: the book declares no favicon "
        "(Jupyter Book: `html: favicon:` in _config.yml)"
    )


# --- reading comfort at a laptop's screen size (issue 12) -------------------------------------------

LAPTOP = {"width": 1366, "height": 768}
# The widest pages first: each template of a few entity-years, then the chapters with tables.
WIDTH_TEMPLATES = ("cost_surge", "payouts", "recipients", "comparison", "qualification", "overview")
WIDTH_CHAPTERS = ("book/methods.html", "book/national.html", "book/cost_surge.html")

# For every table and figure in the article column: its own box (or, for a table, the nearest
# ancestor that scrolls sideways: a table in its own scrolling box fits) must lie inside the column.
MEASURE_JS = """() => {
  const column = document.querySelector('main article') || document.querySelector('article');
  const c = column.getBoundingClientRect();
  const wide = [];
  for (const el of column.querySelectorAll('table, figure, img')) {
    let box = el;
    if (el.tagName === 'TABLE') {
      for (let a = el.parentElement; a && a !== column; a = a.parentElement) {
        const o = getComputedStyle(a).overflowX;
        if (o === 'auto' || o === 'scroll') { box = a; break; }
      }
    }
    const r = box.getBoundingClientRect();
    if (r.width === 0) continue;  // hidden (a collapsed toggle)
    if (r.left < c.left - 1 || r.right > c.right + 1) {
      const caption = el.querySelector('caption, figcaption')?.textContent || el.getAttribute('alt') || '';
      wide.push(`${el.tagName.toLowerCase()} ${Math.round(r.width)}px in a ${Math.round(c.width)}px column`
                + ` (${caption.trim().slice(0, 60)})`);
    }
  }
  return {column: c.width, wide, pageScroll: document.documentElement.scrollWidth - window.innerWidth,
          count: column.querySelectorAll('table, figure').length};
}"""


def _width_pages(root: Path) -> list[str]:
    """At least ten built pages with tables or figures: every template of the first entity-years
    found under book/reports/ (sorted), then the book's own chapters."""
    pages: list[str] = []
    for chapter in sorted((root / "book" / "reports").glob("*/*/index.html")):
        for template in WIDTH_TEMPLATES:
            page = chapter.with_name(f"{template}.html")
            if page.is_file():
                pages.append(str(page.relative_to(root)))
        if len(pages) >= 20:
            break
    pages += [p for p in WIDTH_CHAPTERS if (root / p).is_file()]
    return pages


def test_tables_and_figures_fit_the_column_at_1366x768(browser: Any, site_url: str, built_book: Path) -> None:
    """At 1366×768 no table or figure is wider than the article column, on at least ten pages."""
    pages = _width_pages(built_book)
    assert len(pages) >= 10, f"only {len(pages)} pages to measure: {pages}"
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    problems: list[str] = []
    measured = 0
    try:
        pg = context.new_page()
        for path in pages:
            pg.goto(site_url + path, wait_until="load")
            pg.wait_for_load_state("networkidle")
            result = pg.evaluate(MEASURE_JS)
            measured += result["count"]
            problems += [f"{path}: {w}" for w in result["wide"]]
            if result["pageScroll"] > 1:
                problems.append(f"{path}: the page scrolls sideways by {result['pageScroll']}px")
        pg.goto(site_url + pages[0], wait_until="load")
        _screenshot(pg, "laptop-1366x768")
    finally:
        context.close()
    assert measured, "no tables or figures found on the measured pages"
    assert not problems, f"{len(problems)} element(s) wider than the column:\n" + "\n".join(problems[:40])
