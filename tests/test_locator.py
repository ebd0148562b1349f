"""The locator map: every ISO country gets a small, valid, accessible SVG; the Morocco page and PDF
and an advisory for a country without a profile show a map naming their cities."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pycountry
import pytest

from conftest import MOROCCO, REPO, pdf_text, run_cli
from travelrisk import locator

SVG = "{http://www.w3.org/2000/svg}"
MAX_BYTES = 50_000


def svg_of(html: str) -> ET.Element:
    found = re.search(r"<svg\b.*?</svg>", html, re.S)
    assert found, "no map in the output"
    return ET.fromstring(found.group(0))


def labels(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}text")]


@pytest.mark.parametrize("code", sorted(c.alpha_2 for c in pycountry.countries))
def test_every_iso_country_has_a_small_valid_accessible_map(code: str) -> None:
    drawn = locator.locator_map(code, "Testland", None, [])
    assert drawn is not None
    svg = ET.fromstring(str(drawn["svg"]))  # well-formed XML
    assert svg.get("role") == "img" and svg.get("aria-label", "").startswith("Map of Testland")
    assert len(str(drawn["svg"]).encode()) < MAX_BYTES
    # The country itself is drawn (or, too small to see, ringed), inside the frame.
    own = [p for p in svg.iter(f"{SVG}path") if "#1f2933" in (p.get("style") or "")]
    ring = [c for c in svg.iter(f"{SVG}circle") if c.get("r") == "9"]
    assert own or ring
    width, height = float(svg.get("width", 0)), float(svg.get("height", 0))
    for text in svg.iter(f"{SVG}text"):
        assert 0 <= float(text.get("x", -1)) <= width and 0 <= float(text.get("y", -1)) <= height


def test_capital_and_cities_are_marked_and_named_in_the_label() -> None:
    drawn = locator.locator_map("MA", "Morocco", "Rabat", ["Marrakesh", "Casablanca"])
    assert drawn is not None
    svg = ET.fromstring(str(drawn["svg"]))
    assert svg.get("aria-label") == "Map of Morocco showing Rabat (capital), Marrakesh and Casablanca"
    assert labels(svg) == ["Rabat", "Marrakesh", "Casablanca"]


def test_the_capital_under_another_name_is_marked_once_as_the_advisory_names_it() -> None:
    drawn = locator.locator_map("MN", "Mongolia", None, ["Ulaanbaatar", "Erdenet"])
    assert drawn is not None
    assert labels(ET.fromstring(str(drawn["svg"]))) == ["Ulaanbaatar", "Erdenet"]
    assert "Ulaanbaatar (capital)" in drawn["label"]


def test_far_away_parts_and_cities_do_not_shrink_the_main_map() -> None:
    drawn = locator.locator_map("US", "the United States", None, ["New York", "Honolulu"])
    assert drawn is not None
    svg = ET.fromstring(str(drawn["svg"]))
    assert "Honolulu" not in labels(svg) and "Honolulu" not in drawn["label"]
    assert "New York" in labels(svg)
    # Across the antimeridian: Fiji's map is Fiji, not the whole world.
    fiji = locator.locator_map("FJ", "Fiji", None, ["Nadi"])
    assert fiji is not None
    west, _, east, _ = locator.frame(locator.main_part(locator._atlas()[0]["FJ"])[1]).box
    assert east - west < 10


def test_morocco_outline_leaves_western_sahara_out() -> None:
    (morocco,) = locator._atlas()[0]["MA"]
    assert morocco.box[1] > 27.6  # Western Sahara's northern border is 27 deg 40 min N


def test_names_are_escaped() -> None:
    place = locator.Place('<b onload="x">&amp;', -7.6, 33.6)
    svg = locator._svg(
        locator.frame((-13.0, 27.7, -1.0, 35.9)),
        "MA",
        [(locator._atlas()[0]["MA"][0], 0.0)],
        locator._atlas()[0],
        [],
        [place],
        locator.label("<i>Morocco</i>", [place]),
    )
    assert "<b " not in svg and "<i>" not in svg
    tree = ET.fromstring(svg)
    assert labels(tree) == ['<b onload="x">&amp;']
    assert tree.get("aria-label") == 'Map of <i>Morocco</i> showing <b onload="x">&amp;'


def test_a_name_too_long_for_the_map_is_set_smaller_inside_it() -> None:
    long_name = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"
    fr = locator.frame((-13.0, 27.7, -1.0, 35.9))
    outlines = locator._atlas()[0]
    place = locator.Place(long_name, -7.6, 33.6)
    svg = ET.fromstring(locator._svg(fr, "MA", [(outlines["MA"][0], 0.0)], outlines, [], [place], "Map"))
    (text,) = svg.iter(f"{SVG}text")
    size = float(re.search(r"font-size:([\d.]+)px", text.get("style", "")).group(1))  # type: ignore[union-attr]
    assert size < locator.FONT
    assert float(text.get("x", -1)) >= 0
    assert float(text.get("x", 0)) + locator._text_width(long_name, False) * size / locator.FONT <= fr.width


def test_morocco_page_and_pdf_show_the_map_naming_its_cities(tmp_path: Path) -> None:
    advisory = REPO / "advisories" / f"{MOROCCO}.yaml"
    page = run_cli("render", advisory, "-f", "html", "-o", "-", workspace=REPO)
    assert page.exit_code == 0, page.stderr
    svg = svg_of(page.stdout)
    assert {"Rabat", "Marrakesh", "Casablanca"} <= set(labels(svg))
    assert "Rabat (capital)" in svg.get("aria-label", "")
    out = tmp_path / "ma.pdf"
    assert run_cli("render", advisory, "-f", "pdf", "-o", out, workspace=REPO).exit_code == 0
    text = pdf_text(out)
    for city in ("Rabat", "Marrakesh", "Casablanca"):
        assert re.search(rf"^{city}$", text, re.M), f"{city} is not a map label in the PDF"


@pytest.mark.parametrize("style", ["scoped", "inline", "shadow"])
def test_an_unprofiled_country_gets_a_map_in_every_fragment_style(ws: Path, style: str) -> None:
    (ws / "advisories" / "mn.yaml").write_text(
        "title: Protests turn violent\ncountry: Mongolia\nissued: 2026-11-20T08:00:00+00:00\n"
        "severity: warning\nthreat: civil_unrest\nsummary: Clashes in the capital.\nevent: Clashes.\n"
        "cities: [Ulaanbaatar, Darkhan]\n",
        encoding="utf-8",
    )
    ran = run_cli("render", ws / "advisories" / "mn.yaml", "-f", "fragment", "--style", style, "-o", "-", workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    svg = svg_of(ran.stdout)
    assert labels(svg) == ["Ulaanbaatar", "Darkhan"]
    assert svg.get("aria-label") == "Map of Mongolia showing Ulaanbaatar (capital) and Darkhan"
    # Its look travels in style attributes, which the host's rules and css-inline leave alone.
    assert re.search(r"fill: ?#8d96a1", ran.stdout)


def test_json_lists_the_places_not_the_drawing() -> None:
    import json

    ran = run_cli("render", REPO / "advisories" / f"{MOROCCO}.yaml", "-f", "json", "-o", "-", workspace=REPO)
    data = json.loads(ran.stdout)
    assert [p["name"] for p in data["map"]["places"]] == ["Rabat", "Marrakesh", "Casablanca"]
    assert "svg" not in data["map"]
