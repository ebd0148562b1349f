"""The email's HTML part as a reader sees it: opened on its own in Chromium (no `<style>`, nothing
fetched), the title and the severity band must be there and legible."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path
from typing import Any

from conftest import MOROCCO, run_cli

from .conftest import Site, style
from .test_in_chromium import WARNING_BAND, Screenshot, contrast_of, publish


def test_the_email_html_shows_the_title_and_a_legible_severity_band(
    ws: Path, visit: Any, site: Site, screenshot: Screenshot
) -> None:
    (ws / "travelrisk.yaml").write_text("email:\n  from: security@northwind.example\n")
    target = ws / "out.eml"
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "email", "-o", target, workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    message = email.message_from_bytes(target.read_bytes(), policy=policy.default)
    part = message.get_body(("html",))
    assert part is not None
    seen = visit(publish(site, "email.html", part.get_content()))
    page = seen.page
    assert seen.outside_requests == [] and seen.console_errors == []
    assert page.locator("style, link").count() == 0
    title = page.locator("h1.tr-title")
    assert title.inner_text() == "Morocco: Security services brace for Islamic State fighters returning home"
    assert float(style(title)["fontSize"].removesuffix("px")) >= 24
    label = page.locator(".tr-severity strong")
    assert label.is_visible() and label.inner_text() == "Warning"
    band = style(page.locator(".tr-band"))
    assert band["backgroundColor"] == WARNING_BAND and band["height"] > 40
    assert contrast_of(label) >= 4.5
    screenshot(page, "email-html.png")
