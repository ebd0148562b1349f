"""The PDF as a reader and an archive see it: pages, size, the severity band actually drawn,
fonts embedded, metadata, bookmarks, branding on every page, the archival and accessible
variants. Checked with poppler (pdfinfo, pdffonts, pdftoppm, pdftohtml), not WeasyPrint."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import MOROCCO, REPO, pdf_text, run_cli

MOROCCO_YAML = REPO / "advisories" / f"{MOROCCO}.yaml"
FRANCE_YAML = REPO / "advisories" / "fr-2026-11-20-transport-strikes.yaml"
WARNING_RGB = (0xB0, 0x3A, 0x00)  # rules/levels.yaml
WATERMARK_RGB = (0xF6, 0xD5, 0xD5)  # print.css
BRANDING = (
    "organisation: Northwind Travel Security\nlogo: templates/assets/logo.svg\nclassification: INTERNAL\n"
    "footer: 'Security desk: +44 20 7946 0000'\n"
)


def poppler(tool: str, *args: str | Path) -> str:
    return subprocess.run([tool, *map(str, args)], check=True, capture_output=True).stdout.decode("utf-8", "replace")


def info(pdf: Path) -> dict[str, str]:
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in poppler("pdfinfo", pdf).splitlines())}


def render_pdf(advisory: Path, out: Path, *extra: str, workspace: Path = REPO) -> Path:
    ran = run_cli("render", advisory, "-f", "pdf", "-o", out, *extra, workspace=workspace)
    assert ran.exit_code == 0, ran.stderr
    return out


def save_first_page(stem: Path, pdf: Path) -> None:
    """Page 1 as `<stem>.png` at 80 dpi, for a person to look at."""
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", "1", "-l", "1", str(pdf), str(stem)], check=True
    )


def page_pixels(pdf: Path, page: int = 1, dpi: int = 40) -> tuple[int, int, bytes]:
    """One page as raw RGB (pdftoppm's PPM: a tiny header, then width*height*3 bytes)."""
    raw = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf)], check=True, capture_output=True
    ).stdout
    magic, width, height, _maxval, pixels = raw.split(maxsplit=4)
    assert magic == b"P6"
    return int(width), int(height), pixels


def count_colour(pixels: bytes, rgb: tuple[int, int, int], tolerance: int = 6) -> int:
    return sum(1 for i in range(0, len(pixels), 3) if all(abs(pixels[i + k] - rgb[k]) <= tolerance for k in range(3)))


@pytest.fixture(scope="module")
def morocco(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_pdf(MOROCCO_YAML, tmp_path_factory.mktemp("pdf") / "ma.pdf")


@pytest.fixture
def branded(ws: Path) -> Path:
    (ws / "templates" / "assets").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "tests" / "browser" / "logo.svg", ws / "templates" / "assets" / "logo.svg")
    (ws / "travelrisk.yaml").write_text(BRANDING, encoding="utf-8")
    return ws


def test_morocco_is_a4_tagged_with_metadata(morocco: Path) -> None:
    meta = info(morocco)
    assert meta["Page size"].startswith("595.276 x 841.89")
    assert meta["Tagged"] == "yes"
    assert meta["Title"] == "Morocco: Security services brace for Islamic State fighters returning home"
    assert meta["Author"] == "travelrisk"
    assert meta["Subject"].startswith("Warning: With Islamic State driven out of Mosul")
    assert meta["Keywords"] == "Morocco, Warning, Terrorism"
    assert meta["CreationDate"].endswith("2017 UTC")


def test_every_font_is_embedded_and_text_is_selectable(morocco: Path) -> None:
    rows = poppler("pdffonts", morocco).splitlines()[2:]
    assert rows, "the PDF should use fonts (text, not pictures of text)"
    for row in rows:
        emb, _sub, uni = row.split()[-5:-2]
        assert (emb, uni) == ("yes", "yes"), row
    assert any("Inter" in row for row in rows), "the project's font (fonts-inter) should be used"
    assert "Marrakesh" in pdf_text(morocco)


def test_bookmarks_name_the_title_and_each_section(morocco: Path) -> None:
    xml = poppler("pdftohtml", "-xml", "-stdout", "-i", "-q", morocco)
    outline = re.findall(r"<item page=\"\d+\">([^<]+)</item>", xml)
    assert outline[:4] == [
        "Morocco: Security services brace for Islamic State fighters returning home",
        "Event",
        "Context",
        "Advice",
    ]
    assert "Sources" in outline


def test_the_severity_band_is_drawn_in_the_level_colour(morocco: Path, screenshots: Path) -> None:
    width, height, pixels = page_pixels(morocco)
    assert (width, height) == (331, 468)  # A4 at 40 dpi
    # The band is roughly 175 x 15 mm: at 40 dpi well over 2,000 pixels of exactly the warning colour.
    assert count_colour(pixels, WARNING_RGB) > 2000
    save_first_page(screenshots / "pdf-page-1", morocco)


def two_pages(folder: Path) -> Path:
    """The Morocco advisory with the analyst's own advice added, long enough for a second page."""
    data = yaml.safe_load(MOROCCO_YAML.read_text("utf-8"))
    data["advice"] = [
        f"Own advice paragraph {i}: " + "keep to the routes agreed with your hosts. " * 12 for i in range(5)
    ]
    path = folder / "advisories" / f"{MOROCCO}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


def test_the_morocco_example_fits_one_page(morocco: Path) -> None:
    assert info(morocco)["Pages"] == "1"
    assert "Page 1 of 1" in pdf_text(morocco)


def test_page_numbers_and_default_header_on_every_page(tmp_path: Path) -> None:
    longer = render_pdf(two_pages(tmp_path), tmp_path / "ma.pdf")
    pages = int(info(longer)["Pages"])
    assert pages == 2
    for n in range(1, pages + 1):
        text = poppler("pdftotext", "-f", n, "-l", n, longer, "-")
        assert f"Page {n} of {pages}" in text
        assert "Travel risk advisory" in text


def test_a_short_advisory_fits_one_page(tmp_path: Path) -> None:
    pdf = render_pdf(FRANCE_YAML, tmp_path / "fr.pdf")
    assert info(pdf)["Pages"] == "1"
    assert "Page 1 of 1" in pdf_text(pdf)


def test_branding_on_every_page_and_in_metadata(branded: Path, tmp_path: Path, screenshots: Path) -> None:
    pdf = render_pdf(two_pages(branded), tmp_path / "ma.pdf", workspace=branded)
    pages = int(info(pdf)["Pages"])
    assert pages >= 2
    for n in range(1, pages + 1):
        text = poppler("pdftotext", "-f", n, "-l", n, pdf, "-")
        assert "Northwind Travel Security" in text
        assert text.count("INTERNAL") >= 2, "the classification belongs in the header and the footer"
        assert "Security desk: +44 20 7946 0000" in text
    meta = info(pdf)
    assert meta["Author"] == "Northwind Travel Security"
    assert "INTERNAL" in meta["Keywords"]
    _, _, pixels = page_pixels(pdf, dpi=72)
    assert count_colour(pixels, (0x00, 0x55, 0x7F)) > 50, "the logo (a #00557f square) should be drawn"
    save_first_page(screenshots / "pdf-branded-page-1", pdf)


def test_letter_paper_from_the_config(branded: Path, tmp_path: Path) -> None:
    (branded / "travelrisk.yaml").write_text(BRANDING + "page_size: Letter\n", encoding="utf-8")
    pdf = render_pdf(FRANCE_YAML, tmp_path / "fr.pdf", workspace=branded)
    assert info(pdf)["Page size"].startswith("612 x 792")


def test_a_draft_is_watermarked_on_every_page(ws: Path, tmp_path: Path) -> None:
    draft = ws / "advisories" / "ma-draft.yaml"
    draft.write_text(MOROCCO_YAML.read_text(encoding="utf-8") + "status: draft\n", encoding="utf-8")
    pdf = render_pdf(draft, tmp_path / "draft.pdf", workspace=ws)
    pages = int(info(pdf)["Pages"])
    assert pages == 2
    for n in range(1, pages + 1):  # the big pale "DRAFT" (print.css: #f6d5d5) is drawn on each page
        assert count_colour(page_pixels(pdf, n)[2], WATERMARK_RGB, tolerance=2) > 1500, f"page {n}"
    assert "Draft: not for distribution" in pdf_text(pdf)
    final = render_pdf(MOROCCO_YAML, tmp_path / "final.pdf")
    assert count_colour(page_pixels(final)[2], WATERMARK_RGB, tolerance=2) < 50


@pytest.mark.parametrize(
    ("variant", "marker"), [("pdf/a-3u", 'pdfaid:part="3" pdfaid:conformance="U"'), ("pdf/ua-1", 'pdfuaid:part="1"')]
)
def test_archival_and_accessible_variants(variant: str, marker: str, tmp_path: Path) -> None:
    pdf = render_pdf(FRANCE_YAML, tmp_path / "v.pdf", "--pdf-variant", variant)
    assert marker in poppler("pdfinfo", "-meta", pdf)
    meta = info(pdf)
    assert meta["Tagged"] == "yes" and meta["Title"].startswith("France: ")
