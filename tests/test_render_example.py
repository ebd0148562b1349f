"""The bundled Morocco example: its PDF has the reference alert's structure and facts."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import MOROCCO, REPO, pdf_text, run_cli

ADVISORY = REPO / "advisories" / f"{MOROCCO}.yaml"
REFERENCE_TARGETS = [
    "public transport",
    "train stations",
    "ports",
    "airports",
    "government buildings",
    "embassies",
    "consulates",
    "international organisations",
    "schools",
    "universities",
    "religious sites",
    "markets",
    "hotels and restaurants",
    "festivals",
]


@pytest.fixture(scope="module")
def morocco_pdf(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("pdf") / "ma.pdf"
    ran = run_cli("render", ADVISORY, "-f", "pdf", "-o", out, workspace=REPO)
    assert ran.exit_code == 0, ran.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    return re.sub(r"\s+", " ", pdf_text(out))


def test_pdf_follows_the_reference_structure_in_order(morocco_pdf: str) -> None:
    parts = [
        "15 Jul 2017 | 05:12 PM UTC",
        "Morocco: Security services brace",
        "Mosul (Iraq)",
        "Warning",
        "Event",
        "Context",
        "Advice",
    ]
    at = 0
    for part in parts:  # each part after the one before it (the running page header is skipped)
        found = morocco_pdf.find(part, at)
        assert found != -1, f"{part!r} missing after position {at}"
        at = found + len(part)


@pytest.mark.parametrize(
    "fact",
    ["1,631", "1,600", "400", "78", "9 July", "17 people", "more than 150", "since 2002", "Marrakesh", "Police 19"],
)
def test_pdf_carries_the_facts(morocco_pdf: str, fact: str) -> None:
    assert fact in morocco_pdf


def test_advice_names_every_reference_target_and_the_major_cities(morocco_pdf: str) -> None:
    advice = morocco_pdf[morocco_pdf.index("Advice") :]
    for words in [*REFERENCE_TARGETS, "Marrakesh", "Rabat", "Casablanca"]:
        assert words in advice, words
    assert "report" in advice


def test_pdf_has_page_numbers(morocco_pdf: str) -> None:
    assert re.search(r"Page 1 of \d", morocco_pdf)


def test_html_page_has_its_title() -> None:
    ran = run_cli("render", ADVISORY, "-f", "html", "-o", "-", workspace=REPO)
    assert ran.exit_code == 0, ran.stderr
    html = ran.stdout
    assert html.startswith("<!DOCTYPE html>")
    assert '<h1 class="tr-title">Morocco: Security services brace' in html
    assert "<title>Morocco: Security services brace" in html


class _Elements(HTMLParser):
    """The elements of a page and the text of each (character references decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.open: list[str] = []
        self.texts: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]
        if tag not in ("meta", "link", "br", "img", "hr", "input"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        for tag in self.open:
            self.texts.setdefault(tag, []).append(data)


HOSTILE_TITLE = """Fish & chips <script>alert("t")</script> 'quoted' <b onmouseover=x>bold</b>"""
HOSTILE_SUMMARY = """A "summary" & <img src=x onerror=alert(1)> <style>*{display:none}</style> it's"""


@pytest.mark.parametrize("fmt", ["html", "fragment"])
def test_advisory_text_is_shown_as_text_never_as_markup(tmp_path: Path, fmt: str) -> None:
    advisory = tmp_path / "hostile.yaml"
    advisory.write_text(
        yaml.safe_dump(
            {
                "title": HOSTILE_TITLE,
                "country": "MA",
                "issued": "2017-07-15T17:12:00+00:00",
                "severity": "warning",
                "threat": "terrorism",
                "summary": HOSTILE_SUMMARY,
                "event": 'Shops & cafés closed. <script>alert("e")</script> <iframe src="x"></iframe> "Quoted."',
                "area": "<b>Old</b> & new town",
            }
        )
    )
    ran = run_cli("render", advisory, "-f", fmt, "-o", "-", workspace=REPO)
    assert ran.exit_code == 0, ran.stderr
    page = _Elements()
    page.feed(ran.stdout)
    assert not {"script", "iframe", "img", "b"} & set(page.tags), page.tags  # nothing injected
    assert not [a for a in page.attributes if a.startswith("on")]
    if fmt == "html":
        assert "".join(page.texts["title"]).startswith(f"Morocco: {HOSTILE_TITLE}")
    text = " ".join(" ".join(parts) for parts in page.texts.values())
    for shown in (
        f"Morocco: {HOSTILE_TITLE}",
        HOSTILE_SUMMARY,
        'Shops & cafés closed. <script>alert("e")</script> <iframe src="x"></iframe> "Quoted."',
        "<b>Old</b> & new town",
    ):
        assert shown in text, shown  # the reader sees exactly what the analyst wrote
    title = "".join(page.texts["h2" if fmt == "fragment" else "h1"])
    assert title == f"Morocco: {HOSTILE_TITLE}"


def test_fragment_has_no_document_tags_and_only_scoped_styles() -> None:
    ran = run_cli("render", ADVISORY, "-f", "fragment", "-o", "-", workspace=REPO)
    assert ran.exit_code == 0, ran.stderr
    fragment = ran.stdout
    tags = {t.lower() for t in re.findall(r"<!?([A-Za-z]+)", fragment)}
    assert not tags & {"html", "head", "body", "doctype", "title", "meta", "link", "script"}, tags
    assert fragment.lstrip().startswith('<div class="travelrisk-advisory">')
    css = "\n".join(re.findall(r"<style>(.*?)</style>", fragment, re.S))
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    selectors = [s.strip() for block in re.findall(r"([^{}]+)\{", css) for s in block.split(",")]
    assert selectors, "the fragment should carry its styles"
    unscoped = [s for s in selectors if not s.startswith(".travelrisk-advisory")]
    assert unscoped == []


def test_json_is_the_resolved_advisory() -> None:
    ran = run_cli("render", ADVISORY, "-f", "json", "-o", "-", workspace=REPO)
    data = json.loads(ran.stdout)
    assert data["full_title"].startswith("Morocco: ")
    assert data["issued"]["iso"] == "2017-07-15T17:12:00Z"
    assert data["severity"]["label"] == "Warning"
    assert data["cities"] == ["Marrakesh", "Rabat", "Casablanca"]
    assert all(p["rule"] for p in data["advice"])


def test_build_writes_every_format_for_every_example(ws: Path) -> None:
    ran = run_cli("build", workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    ids = [p.stem for p in (ws / "advisories").glob("*.yaml")]
    assert len(ids) >= 2
    for advisory_id in ids:
        folder = ws / "output" / advisory_id
        assert (folder / "index.html").is_file()
        assert (folder / "fragment.html").is_file()
        assert (folder / f"{advisory_id}.json").is_file()
        assert pdf_text(folder / f"{advisory_id}.pdf").strip()


def test_an_advisory_outside_the_workspace_renders(ws: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "note.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(ADVISORY.read_text())
    ran = run_cli("render", elsewhere, "-f", "text", "-o", "-", workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    assert ran.stdout.startswith("15 Jul 2017 | 05:12 PM UTC")


def test_validate_passes_on_the_bundled_workspace() -> None:
    ran = run_cli("validate", workspace=REPO)
    assert ran.exit_code == 0, ran.stderr
