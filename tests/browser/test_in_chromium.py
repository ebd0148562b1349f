"""The advisory as a person sees it in a browser: the standalone page, the fragment inside a
hostile intranet page (plain and in a shadow root), a branded draft. Screenshots go to the
session's temporary folder (see the `screenshots` fixture) for a human to look at."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import MOROCCO, REPO, run_cli

from .conftest import Site, rendered_fonts, run_axe, style

ADVISORY = REPO / "advisories" / f"{MOROCCO}.yaml"
HOSTILE = Path(__file__).parent / "hostile.html"
WARNING_BAND = "rgb(176, 58, 0)"  # rules/levels.yaml: warning is #b03a00
INK = "rgb(27, 31, 36)"


def render(fmt: str, *extra: str, advisory: Path = ADVISORY, workspace: Path = REPO) -> str:
    ran = run_cli("render", advisory, "-f", fmt, "-o", "-", *extra, workspace=workspace)
    assert ran.exit_code == 0, ran.stderr
    return ran.stdout


def publish(site: Site, name: str, html: str) -> str:
    (site.root / name).write_text(html, encoding="utf-8")
    return name


def in_hostile_page(fragment: str) -> str:
    return HOSTILE.read_text(encoding="utf-8").replace("<!-- FRAGMENT -->", fragment)


def assert_clean(seen: Any) -> None:
    assert seen.console_errors == []
    assert seen.outside_requests == []


def assert_looks_like_the_advisory(title: dict[str, Any], band: dict[str, Any]) -> None:
    assert title["fontFamily"].startswith('"Inter"') or title["fontFamily"].startswith("Inter"), title
    assert title["fontSize"] == "28px" and title["fontWeight"] == "700", title
    assert title["color"] == INK and title["textTransform"] == "none" and title["letterSpacing"] != "3px", title
    assert title["display"] == "block" and title["borderBottomStyle"] == "none", title
    assert band["backgroundColor"] == WARNING_BAND and band["color"] == "rgb(255, 255, 255)", band
    assert band["display"] == "flex" and band["height"] > 40, band


Screenshot = Callable[[Any, str], Path]


@pytest.fixture(scope="module")
def standalone_styles(browser: Any, site: Site) -> dict[str, Any]:
    """How the title and the band look on the standalone page, measured here so that a test
    comparing against them needs no other test to have run first."""
    page = browser.new_page()
    try:
        page.goto(site.url + publish(site, "standalone-reference.html", render("html")), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        return {"title": style(page.locator("h1.tr-title")), "band": style(page.locator(".tr-band"))}
    finally:
        page.close()


def test_standalone_page(visit: Any, site: Site, screenshot: Screenshot) -> None:
    seen = visit(publish(site, "page.html", render("html")))
    page = seen.page
    title, band = style(page.locator("h1.tr-title")), style(page.locator(".tr-band"))
    assert_looks_like_the_advisory(title, band)
    assert "Inter" in rendered_fonts(page, "h1.tr-title"), "the installed Inter font should draw the title"
    # Severity is said in words, not by colour alone, and the headings are in order.
    assert page.locator(".tr-severity strong").inner_text() == "Warning"
    assert page.locator("h1, h2, h3").all_inner_texts()[:4] == [
        "Morocco: Security services brace for Islamic State fighters returning home",
        "Event",
        "Context",
        "Advice",
    ]
    assert page.evaluate("document.documentElement.lang") == "en"
    assert run_axe(page) == []
    assert_clean(seen)
    screenshot(page, "page.png")


def test_fragment_in_a_hostile_host_page_keeps_both_looks(
    visit: Any, site: Site, standalone_styles: dict[str, Any], screenshot: Screenshot
) -> None:
    seen = visit(publish(site, "host.html", in_hostile_page(render("fragment"))))
    page = seen.page
    title, band = style(page.locator(".travelrisk-advisory .tr-title")), style(page.locator(".tr-band"))
    assert_looks_like_the_advisory(title, band)
    # The same look as on its own page, whatever the host's CSS says.
    for key in ("fontSize", "fontFamily", "color", "lineHeight"):
        assert title[key] == standalone_styles["title"][key], key
    assert band["backgroundColor"] == standalone_styles["band"]["backgroundColor"]
    # Section headings and paragraphs too: not the host's uppercase purple or 11px justified text.
    heading = style(page.locator(".travelrisk-advisory h3").first)
    assert heading["fontSize"] == "17px" and heading["textTransform"] == "none" and heading["color"] == INK
    para = style(page.locator(".tr-event p").first)
    assert para["fontSize"] == "16px" and para["marginTop"] == "0px"
    # ...and the host keeps its own look: the fragment's styles stay inside it.
    host_title = style(page.locator("#host-title"))
    assert host_title["fontSize"] == "40px" and host_title["textTransform"] == "uppercase"
    assert style(page.locator("#host-text"))["fontSize"] == "11px"
    assert run_axe(page, ".travelrisk-advisory") == []
    assert_clean(seen)
    screenshot(page, "fragment-in-hostile-host.png")


def test_shadow_fragment_is_isolated_even_from_important_rules(visit: Any, site: Site, screenshot: Screenshot) -> None:
    host = in_hostile_page(render("fragment", "--shadow")).replace(
        "</style>", "p, h2, h3 { color: #b00020 !important; font-size: 9px !important; }\n</style>", 1
    )
    seen = visit(publish(site, "host-shadow.html", host))
    page = seen.page
    assert page.evaluate("!!document.querySelector('travelrisk-advisory').shadowRoot"), (
        "the declarative shadow root should be attached without any script"
    )
    # The shadow root's copy (no style attributes); the light-DOM fallback beside it is not drawn.
    title, band = style(page.locator(".tr-title:not([style])")), style(page.locator(".tr-band:not([style])"))
    assert_looks_like_the_advisory(title, band)
    assert style(page.locator(".tr-event p:not([style])").first)["color"] == INK
    assert not page.locator(".tr-title[style]").first.is_visible()
    assert style(page.locator("#host-text"))["color"] == "rgb(176, 0, 32)"  # the host's rule still works there
    assert run_axe(page, "travelrisk-advisory") == []
    assert_clean(seen)
    screenshot(page, "fragment-shadow-in-hostile-host.png")


def test_branded_draft_shows_logo_classification_and_watermark(
    visit: Any, site: Site, ws: Path, screenshot: Screenshot
) -> None:
    (ws / "templates" / "assets").mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(__file__).parent / "logo.svg", ws / "templates" / "assets" / "logo.svg")
    (ws / "travelrisk.yaml").write_text(
        "organisation: Northwind Travel Security\nlogo: templates/assets/logo.svg\nclassification: INTERNAL\n"
        "footer: 'Security desk: +44 20 7946 0000'\ncolours:\n  accent: '#00557f'\n",
        encoding="utf-8",
    )
    draft = ws / "advisories" / "fr-draft.yaml"
    text = (ws / "advisories" / "fr-2026-11-20-transport-strikes.yaml").read_text(encoding="utf-8")
    draft.write_text(text + "status: draft\n", encoding="utf-8")
    seen = visit(publish(site, "branded.html", render("html", advisory=draft, workspace=ws)))
    page = seen.page
    logo = page.locator("img.tr-logo")
    assert logo.evaluate("img => img.complete && img.naturalWidth > 0"), "the logo should load (from a data: URI)"
    assert logo.get_attribute("alt") == "Northwind Travel Security"
    assert page.locator(".tr-masthead").inner_text().count("INTERNAL") == 1
    assert "Draft: not for distribution" in page.locator(".tr-status-mark").inner_text()
    watermark = page.locator("article.tr-draft").evaluate("e => getComputedStyle(e, '::after').content")
    assert watermark == '"DRAFT"'
    assert style(page.locator(".tr-band"))["backgroundColor"] == "rgb(138, 90, 0)"  # notice is #8a5a00
    accent = page.locator(".tr-masthead").evaluate("e => getComputedStyle(e).borderBottomColor")
    assert accent == "rgb(0, 85, 127)", "the configured accent colour should draw the masthead rule"
    assert run_axe(page) == []
    assert_clean(seen)
    screenshot(page, "page-branded-draft.png")


def test_site_filters_say_when_nothing_matches(visit: Any, site: Site, screenshot: Screenshot) -> None:
    from travelrisk.build import build
    from travelrisk.workspace import Workspace

    build(Workspace(REPO), site.root / "idx", ("html",))
    seen = visit("idx/index.html")
    page = seen.page
    assert not page.locator(".trs-empty").is_visible()
    page.click("label[for=trs-country-FR]")
    page.click("label[for=trs-severity-warning]")  # France has a notice, not a warning
    assert page.locator(".trs-empty").is_visible()
    assert not any(page.locator(".trs-item").nth(i).is_visible() for i in range(page.locator(".trs-item").count()))
    screenshot(page, "site-empty-filter.png")
    page.click("label[for=trs-severity-notice]")
    assert not page.locator(".trs-empty").is_visible()
    assert_clean(seen)


HOSTS = {
    # SharePoint-like: grey paragraphs that win with !important
    "important": (
        "<style>#contentBox p, #contentBox strong, #contentBox div {color:#605e5c !important;"
        "background:#f3f2f1 !important}</style>",
        "",
        960,
    ),
    # a dark intranet theme
    "dark": ("<style>body{background:#111;color:#eee} p{color:#ddd !important}</style>", "", 960),
    # a narrow column on a phone
    "narrow": ("", "", 320),
}


def contrast_of(label: Any) -> float:
    """WCAG contrast of the severity label against its band, as Chromium computed them."""
    colours = label.evaluate(
        "e => { const band = e.closest('.tr-band'); return [getComputedStyle(e).color,"
        " getComputedStyle(band).backgroundColor]; }"
    )

    def luminance(css: str) -> float:
        r, g, b = (int(x) / 255 for x in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(colours[0]), luminance(colours[1])), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("how", ["markup", "innerHTML", "template-stripped"])
@pytest.mark.parametrize("host", sorted(HOSTS))
@pytest.mark.parametrize("fragment_style", ["inline", "shadow"])
def test_embedded_fragments_stay_readable_in_hostile_hosts(
    browser: Any, site: Site, screenshot: Screenshot, fragment_style: str, host: str, how: str
) -> None:
    fragment = render("fragment", "--style", fragment_style)
    if how == "template-stripped":  # a sanitiser that removes <template> (and so the shadow root)
        fragment = re.sub(r"<template\b.*?</template>", "", fragment, flags=re.S)
    head, _, width = HOSTS[host]
    body = "" if how == "innerHTML" else fragment
    page_html = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>"
        f"<div id='contentBox'>{body}</div><p id='host-text'>Host text</p></body></html>"
    )
    name = publish(site, f"host-{fragment_style}-{host}-{how}.html", page_html)
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    try:
        page.goto(site.url + name, wait_until="load")
        host_before = style(page.locator("#host-text"))
        if how == "innerHTML":  # how web parts and script embeds insert HTML: no shadow root is attached
            page.evaluate("f => { document.getElementById('contentBox').innerHTML = f; }", fragment)
        # The shadow root's copy when it attached (its light-DOM fallback is then not drawn), else the fallback.
        labels = page.locator(".tr-severity strong")
        shown = [labels.nth(i) for i in range(labels.count()) if labels.nth(i).is_visible()]
        assert len(shown) == 1, "exactly one copy of the advisory is drawn"
        assert contrast_of(shown[0]) >= 4.5
        assert "Security services brace" in shown[0].evaluate("e => e.closest('article').innerText")
        assert style(page.locator("#host-text")) == host_before  # the host page is untouched
        screenshot(page, f"fragment-{fragment_style}-{host}-{how}.png")
    finally:
        page.close()
