"""The locator map as Chromium draws it: shapes, markers and labels painted at the map's own
size on the page and in every fragment style inside the hostile intranet page."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Site
from .test_in_chromium import Screenshot, in_hostile_page, publish, render

PAINTED = """svg => {
  const box = svg.getBoundingClientRect();
  const shapes = [...svg.querySelectorAll('path, circle')].map(e => e.getBBox())
    .filter(b => b.width > 0 && b.height > 0);
  const texts = [...svg.querySelectorAll('text')].map(t => [t.textContent, getComputedStyle(t).fontFamily]);
  const country = svg.querySelector('path:nth-of-type(2)');
  return {width: box.width, height: box.height, shapes: shapes.length, texts,
          fill: country ? getComputedStyle(country).fill : null};
}"""


def drawn(page: Any) -> dict[str, Any]:
    maps = page.locator("svg.tr-map-svg")
    visible = [maps.nth(i) for i in range(maps.count()) if maps.nth(i).is_visible()]
    assert len(visible) == 1, "exactly one map is drawn"
    return dict(visible[0].evaluate(PAINTED))


@pytest.mark.parametrize("style", ["page", "scoped", "inline", "shadow"])
def test_the_map_is_painted_beside_the_text_even_in_a_hostile_host(
    browser: Any, site: Site, screenshot: Screenshot, style: str
) -> None:
    html = render("html") if style == "page" else in_hostile_page(render("fragment", "--style", style))
    name = publish(site, f"map-{style}.html", html)
    page = browser.new_page()
    page.set_viewport_size({"width": 1000, "height": 900})
    try:
        page.goto(site.url + name, wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        seen = drawn(page)
        # The outlines and markers are drawn (a reset that reverts `d` or `r` leaves only the labels).
        assert seen["shapes"] >= 5, seen
        assert seen["fill"] == "rgb(141, 150, 161)", seen  # the country, darker than its neighbours
        # Small, beside the text: 15em of the advisory's 16px, not the host's `img`/`svg` sizes.
        assert 200 <= seen["width"] <= 260 and 100 <= seen["height"] <= 260, seen
        assert [t for t, _ in seen["texts"]] == ["Rabat", "Marrakesh", "Casablanca"]
        assert all("Inter" in family for _, family in seen["texts"]), seen  # not the host's serif
        screenshot(page, f"map-{style}.png")
    finally:
        page.close()


@pytest.mark.parametrize("style", ["inline", "shadow"])
def test_in_a_narrow_column_the_map_takes_the_full_width(
    browser: Any, site: Site, screenshot: Screenshot, style: str
) -> None:
    name = publish(site, f"map-narrow-{style}.html", in_hostile_page(render("fragment", "--style", style)))
    page = browser.new_page()
    page.set_viewport_size({"width": 360, "height": 900})
    try:
        page.goto(site.url + name, wait_until="load")
        seen = drawn(page)
        paragraphs = page.locator(".tr-context p")  # the copy drawn (the shadow root's or the fallback)
        width = "p => p.getBoundingClientRect().width"
        text = max(paragraphs.nth(i).evaluate(width) for i in range(paragraphs.count()))
        assert text > 150
        assert seen["width"] >= text - 4, (seen, text)  # as wide as the text, so its labels stay legible
        screenshot(page, f"map-narrow-{style}.png")
    finally:
        page.close()
