"""The intranet site a build writes: index.html, feed.xml (Atom) and advisories.json."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import yaml

from conftest import MOROCCO
from travelrisk.build import build
from travelrisk.workspace import Workspace

FRANCE = "fr-2026-11-20-transport-strikes"
ATOM = "{http://www.w3.org/2005/Atom}"
LIGHT = ("html", "json")
BEFORE_EXPIRY = datetime(2026, 11, 21, tzinfo=UTC)
AFTER_EXPIRY = datetime(2026, 12, 1, tzinfo=UTC)


class Page(HTMLParser):
    """Tags and attributes of an HTML page; fails on a tag closed that was never opened."""

    VOID = frozenset({"meta", "link", "input", "br", "img", "hr"})

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def items(self) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == "li" and "trs-item" in (attrs.get("class") or "")]


def add(ws: Path, name: str, **changes: str) -> None:
    """A copy of the Morocco advisory under another id, with some keys replaced."""
    data = yaml.safe_load((ws / "advisories" / f"{MOROCCO}.yaml").read_text()) | changes
    (ws / "advisories" / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))


def site(ws: Path, now: datetime = BEFORE_EXPIRY) -> tuple[Page, ET.Element, dict]:
    report = build(Workspace(ws), formats=LIGHT, now=now)
    assert not report.failed, report.failed
    out = ws / "output"
    page = Page((out / "index.html").read_text("utf-8"))
    assert page.open == [], f"unclosed tags: {page.open}"
    return page, ET.parse(out / "feed.xml").getroot(), json.loads((out / "advisories.json").read_text("utf-8"))


def test_index_feed_and_json_are_well_formed_and_list_every_advisory_newest_first(ws: Path) -> None:
    add(ws, "ma-2018-01-01-later", issued="2018-01-01T09:00:00Z", title="A later note")
    page, feed, index = site(ws)
    newest_first = [FRANCE, "ma-2018-01-01-later", MOROCCO]
    hrefs = [
        attrs["href"]
        for tag, attrs in page.tags
        if tag == "a"
        and (attrs.get("href") or "").endswith("/index.html")
        and "trs-item" not in (attrs.get("class") or "")
    ]
    assert [h.split("/")[0] for h in dict.fromkeys(hrefs)] == newest_first
    assert [a["id"] for a in index["advisories"]] == newest_first
    assert index["format"] == "travelrisk-index"
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{tag}") or "").strip(), tag
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in entries] == [
        f"{aid}/index.html" for aid in newest_first
    ]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 3 and all(i.startswith("urn:uuid:") for i in ids)
    for entry in entries:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.findtext(f"{ATOM}updated") or "")
    first = index["advisories"][0]
    assert first["country"] == {"code": "FR", "name": "France", "in_sentence": "France", "in": "in France"}
    assert first["severity"]["label"] == "Notice"
    assert first["links"]["html"] == f"{FRANCE}/index.html"


def test_filters_by_country_and_severity_work_without_script(ws: Path) -> None:
    page, _, _ = site(ws)
    html = (ws / "output" / "index.html").read_text()
    assert not [t for t, _ in page.tags if t in ("script", "iframe", "object")]
    assert "<script" not in html.lower()
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from elsewhere
    radios = {(a["name"], a["value"]) for t, a in page.tags if t == "input" and a.get("type") == "radio"}
    assert {
        ("country", "FR"),
        ("country", "MA"),
        ("country", ""),
        ("severity", "notice"),
        ("severity", "warning"),
        ("severity", ""),
    } == radios
    labels = {a["for"] for t, a in page.tags if t == "label"}
    assert {a["id"] for t, a in page.tags if t == "input"} <= labels  # every filter has a visible label
    assert [(i["data-country"], i["data-severity"]) for i in page.items()] == [("FR", "notice"), ("MA", "warning")]
    # a checked filter hides the items that do not match it
    assert re.search(r":has\(#trs-country-FR:checked\) \.trs-item:not\(\[data-country=FR\]\)", html)
    assert re.search(r":has\(#trs-severity-warning:checked\) \.trs-item:not\(\[data-severity=warning\]\)", html)


def test_expired_advisories_are_marked(ws: Path) -> None:
    page, feed, index = site(ws, BEFORE_EXPIRY)
    assert [a["expired"] for a in index["advisories"]] == [False, False]
    assert "Expired" not in "".join(page.text)
    page, feed, index = site(ws, AFTER_EXPIRY)  # France is valid until 23 Nov 2026
    assert [a["expired"] for a in index["advisories"]] == [True, False]
    assert "Expired 23 Nov 2026" in "".join(page.text)
    assert "[Expired]" in feed.findall(f"{ATOM}entry")[0].findtext(f"{ATOM}summary")


def test_superseded_advisories_link_forward_and_withdrawn_ones_are_marked(ws: Path) -> None:
    add(ws, "ma-2017-08-01-update", issued="2017-08-01T09:00:00Z", title="Update", supersedes=MOROCCO)
    add(ws, "ma-2017-09-01-withdrawn", issued="2017-09-01T09:00:00Z", title="Mistaken", status="withdrawn")
    page, feed, index = site(ws)
    by_id = {a["id"]: a for a in index["advisories"]}
    assert by_id[MOROCCO]["superseded_by"]["id"] == "ma-2017-08-01-update"
    assert by_id[MOROCCO]["superseded_by"]["href"] == "ma-2017-08-01-update/index.html"
    assert by_id["ma-2017-09-01-withdrawn"]["status"] == "withdrawn"
    html = (ws / "output" / "index.html").read_text()
    item = html[html.index(f'href="{MOROCCO}/index.html"') :]
    assert re.search(r'Superseded by <a href="ma-2017-08-01-update/index.html">', item[:2000])
    assert "Withdrawn" in "".join(page.text)
    related = [e for e in feed.findall(f"{ATOM}entry") if e.find(f"{ATOM}link[@rel='related']") is not None]
    assert len(related) == 1


def test_untrusted_text_stays_text_on_the_index_and_in_the_feed(ws: Path) -> None:
    add(ws, "ma-hostile", title="<script>alert(1)</script> & <b>bold</b>", summary="<img src=x onerror=alert(1)>")
    _, feed, index = site(ws)
    html = (ws / "output" / "index.html").read_text()
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert any("<script>alert(1)</script> & <b>bold</b>" in (t or "") for t in titles)
    assert any(a["summary"] == "<img src=x onerror=alert(1)>" for a in index["advisories"])


def test_a_draft_update_supersedes_nothing_on_the_site_or_the_page(ws: Path) -> None:
    """One answer for publication state: with drafts included for review, a draft update is listed,
    but the advisory it updates stays in force everywhere (index, JSON, feed and its own page)."""
    add(
        ws,
        "ma-2017-08-01-draft",
        issued="2017-08-01T09:00:00Z",
        title="Draft update",
        supersedes=MOROCCO,
        status="draft",
    )
    report = build(Workspace(ws), formats=LIGHT, include_drafts=True, now=BEFORE_EXPIRY)
    assert not report.failed, report.failed
    out = ws / "output"
    index = json.loads((out / "advisories.json").read_text("utf-8"))
    by_id = {a["id"]: a for a in index["advisories"]}
    assert "ma-2017-08-01-draft" in by_id and by_id["ma-2017-08-01-draft"]["status"] == "draft"
    assert by_id[MOROCCO]["superseded_by"] is None and by_id[MOROCCO]["state"] == "active"
    assert "Superseded by" not in (out / "index.html").read_text("utf-8")
    feed = ET.parse(out / "feed.xml").getroot()
    assert not [e for e in feed.findall(f"{ATOM}entry") if e.find(f"{ATOM}link[@rel='related']") is not None]
    page = json.loads((out / MOROCCO / f"{MOROCCO}.json").read_text("utf-8"))
    assert page["superseded_by"] is None
    # The draft names the advisory it will update, which is published.
    draft = json.loads((out / "ma-2017-08-01-draft" / "ma-2017-08-01-draft.json").read_text("utf-8"))
    assert draft["update_of"]["id"] == MOROCCO
