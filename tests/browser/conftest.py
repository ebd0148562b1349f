"""Headless Chromium (Debian's, driven by Playwright) over pages served from 127.0.0.1.

Nothing is fetched from outside: the browser is /usr/bin/chromium (never `playwright install`),
axe-core comes from tests/browser/node_modules (installed by .ci/run), and every request that
does not go to the local server is recorded and refused. In CI (CI=true) a missing browser or
axe-core fails the tests instead of skipping them.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("TRAVELRISK_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI=true: browser tests must run; .ci/run installs it)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not CHROMIUM.is_file():
        _missing(f"no Chromium at {CHROMIUM}; apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        # A fresh profile per run: launch_persistent_context is what takes --user-data-dir.
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1000, "height": 900},
            device_scale_factor=1,
            bypass_csp=False,
        )
        yield context
        context.close()


@dataclass
class Site:
    """A folder served over http://127.0.0.1:<port>/."""

    root: Path
    url: str


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("site")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(root, f"http://127.0.0.1:{server.server_address[1]}/")
    server.shutdown()
    server.server_close()


@dataclass
class Visit:
    """One page load: what the console said and which requests left the local server."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser: Any, site: Site) -> Iterator[Any]:
    pages: list[Any] = []

    def open_page(name: str) -> Visit:
        page = browser.new_page()
        pages.append(page)
        seen = Visit(page)
        page.on("console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.console_errors.append(str(e)))

        def route(r: Any) -> None:
            if r.request.url.startswith(site.url) or r.request.url.startswith("data:"):
                r.continue_()
            else:
                seen.outside_requests.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(site.url + name, wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        return seen

    yield open_page
    for page in pages:
        page.close()


def run_axe(page: Any, context: str = "document") -> list[dict[str, Any]]:
    """axe-core's serious and critical violations inside `context` (a CSS selector or 'document')."""
    if not AXE.is_file():
        _missing(f"axe-core is not installed at {AXE}; run: npm ci --prefix tests/browser")
    # Evaluated through the DevTools protocol, so the page's CSP (no scripts) does not block it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    target = "document" if context == "document" else f"document.querySelector({context!r})"
    violations: list[dict[str, Any]] = page.evaluate(
        f"axe.run({target}, {{resultTypes: ['violations']}}).then(r => r.violations.map(v => "
        "({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})))"
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.fixture
def screenshot(screenshots: Path) -> Callable[[Any, str], Path]:
    """Saves a full-page screenshot into the session's screenshots folder."""

    def take(page: Any, name: str) -> Path:
        path = screenshots / name
        page.screenshot(path=str(path), full_page=True)
        assert path.read_bytes().startswith(b"\x89PNG")
        return path

    return take


STYLE_JS = """e => { const s = getComputedStyle(e); return {
  fontSize: s.fontSize, fontFamily: s.fontFamily, fontWeight: s.fontWeight, color: s.color,
  backgroundColor: s.backgroundColor, textTransform: s.textTransform, letterSpacing: s.letterSpacing,
  display: s.display, borderBottomStyle: s.borderBottomStyle, marginTop: s.marginTop, lineHeight: s.lineHeight,
  width: e.getBoundingClientRect().width, height: e.getBoundingClientRect().height }; }"""


def style(locator: Any) -> dict[str, Any]:
    """Computed style of the first element `locator` matches (open shadow roots are pierced)."""
    result: dict[str, Any] = locator.first.evaluate(STYLE_JS)
    return result


def rendered_fonts(page: Any, selector: str) -> list[str]:
    """The font families Chromium actually drew the element's text with (not just the CSS list)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})
        node = cdp.send("DOM.querySelector", {"nodeId": root["root"]["nodeId"], "selector": selector})
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
        return [f["familyName"] for f in fonts["fonts"]]
    finally:
        cdp.detach()
