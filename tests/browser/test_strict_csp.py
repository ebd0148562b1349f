"""A host page whose Content-Security-Policy forbids inline styles (`style-src 'self'`): the external
stylesheet keeps the fragment (and the standalone page) styled, and the browser reports no violation.
The scoped fragment in the same host is the control: its <style> is refused, and the test sees it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from conftest import REPO, run_cli

from .conftest import Site, style
from .test_in_chromium import ADVISORY, HOSTILE, INK, WARNING_BAND, assert_looks_like_the_advisory, contrast_of

STRICT = "default-src 'self'; style-src 'self'"
# Registered before the page's own parsing starts (through DevTools, so the policy does not block it).
LISTEN = (
    "window.__violations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"
)


def strict_host(folder: Path, fragment: str) -> str:
    """hostile.html under a strict meta policy, its hostile CSS moved to a linked file (inline CSS is refused)."""
    host = HOSTILE.read_text(encoding="utf-8")
    css = re.search(r"<style>(.*?)</style>", host, re.S)
    assert css is not None
    (folder / "host.css").write_text(css[1], encoding="utf-8")
    host = host.replace(
        css[0],
        f'<meta http-equiv="Content-Security-Policy" content="{STRICT}">\n<link rel="stylesheet" href="host.css">',
    )
    return host.replace("<!-- FRAGMENT -->", fragment)


def render_to(folder: Path, fmt: str, style_name: str) -> str:
    out = folder / f"{fmt}-{style_name}.html"
    ran = run_cli("render", ADVISORY, "-f", fmt, "--style", style_name, "-o", out, workspace=REPO)
    assert ran.exit_code == 0, ran.stderr
    return out.read_text(encoding="utf-8")


def load(browser: Any, url: str) -> tuple[Any, list[str]]:
    page = browser.new_page()
    console: list[str] = []
    # Errors, CSP refusals among them; not the browser's own look for /favicon.ico (this server has none).
    page.on(
        "console",
        lambda m: (
            console.append(m.text)
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.add_init_script(LISTEN)
    page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page, console


def test_external_fragment_is_styled_under_a_strict_csp(browser: Any, site: Site, screenshots: Path) -> None:
    folder = site.root / "csp"
    folder.mkdir(exist_ok=True)
    fragment = render_to(folder, "fragment", "external")
    assert re.search(r"\sstyle\s*=", fragment) is None and "<style" not in fragment
    assert re.search(r'<link rel="stylesheet" href="assets/travelrisk-[0-9a-f]{16}\.css">', fragment)
    (folder / "host-external.html").write_text(strict_host(folder, fragment), encoding="utf-8")
    page, console = load(browser, site.url + "csp/host-external.html")
    try:
        assert page.evaluate("window.__violations") == []
        assert console == []
        band, label = page.locator(".tr-band"), page.locator(".tr-severity strong")
        assert_looks_like_the_advisory(style(page.locator(".tr-title")), style(band))
        assert style(band)["backgroundColor"] == WARNING_BAND
        assert contrast_of(label) >= 4.5
        assert style(page.locator(".tr-event p").first)["color"] == INK
        # The host keeps its own look: its linked CSS still styles its own heading.
        assert style(page.locator("#host-title"))["textTransform"] == "uppercase"
        page.screenshot(path=str(screenshots / "fragment-external-strict-csp.png"), full_page=True)
    finally:
        page.close()


def test_scoped_fragment_is_refused_by_the_same_policy(browser: Any, site: Site) -> None:
    """The control: without the external stylesheet the policy blocks the fragment's <style>, and the
    listener above sees it, so the clean result of the test before is not a blind spot."""
    folder = site.root / "csp"
    folder.mkdir(exist_ok=True)
    (folder / "host-scoped.html").write_text(strict_host(folder, render_to(folder, "fragment", "scoped")), "utf-8")
    page, console = load(browser, site.url + "csp/host-scoped.html")
    try:
        assert any(v.startswith("style-src") for v in page.evaluate("window.__violations"))
        assert any("Content Security Policy" in c for c in console)
        assert style(page.locator(".tr-band"))["backgroundColor"] != WARNING_BAND
    finally:
        page.close()


def test_external_page_is_styled_under_its_own_strict_policy(browser: Any, site: Site, screenshots: Path) -> None:
    folder = site.root / "csp"
    folder.mkdir(exist_ok=True)
    html = render_to(folder, "html", "external")
    assert re.search(r"\sstyle\s*=", html) is None and "<style" not in html
    assert "style-src &#39;self&#39;" in html and "unsafe-inline" not in html
    page, console = load(browser, site.url + "csp/html-external.html")
    try:
        assert page.evaluate("window.__violations") == [] and console == []
        assert_looks_like_the_advisory(style(page.locator("h1.tr-title")), style(page.locator(".tr-band")))
        assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(233, 236, 240)"
        page.screenshot(path=str(screenshots / "page-external-strict-csp.png"), full_page=True)
    finally:
        page.close()
