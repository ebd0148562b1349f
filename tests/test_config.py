"""travelrisk.yaml (branding) and template overrides that extend the built-in templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import MOROCCO, REPO, run_cli
from travelrisk.config import contrast

LOGO = REPO / "tests" / "browser" / "logo.svg"


def html(ws: Path, fmt: str = "html", *extra: str) -> str:
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", fmt, "-o", "-", *extra, workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    return ran.stdout


def failing(ws: Path, config: str) -> str:
    (ws / "travelrisk.yaml").write_text(config, encoding="utf-8")
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "html", "-o", "-", workspace=ws)
    assert ran.exit_code == 1
    assert "Traceback" not in ran.stderr
    return ran.stderr


def test_branding_reaches_the_page(ws: Path) -> None:
    (ws / "templates" / "assets").mkdir()
    (ws / "templates" / "assets" / "logo.svg").write_bytes(LOGO.read_bytes())
    (ws / "travelrisk.yaml").write_text(
        "organisation: Northwind <Travel> Security\nlogo: templates/assets/logo.svg\nclassification: INTERNAL\n"
        "footer: Call the security desk\ncolours:\n  accent: '#00557F'\n",
        encoding="utf-8",
    )
    page = html(ws)
    assert '<span class="tr-org-name">Northwind &lt;Travel&gt; Security</span>' in page  # text stays text
    assert '<p class="tr-classification">INTERNAL</p>' in page
    assert "Call the security desk" in page
    assert "--tr-accent: #00557f;" in page
    assert re.search(r'<img class="tr-logo" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', page)


def test_no_config_means_a_neutral_default(ws: Path) -> None:
    page = html(ws)
    assert 'class="tr-org-name"' not in page and 'class="tr-classification"' not in page
    assert "Travel risk advisory" in page


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            "colours:\n  accent: blue\n",
            "travelrisk.yaml:2:3: colours.accent has characters that are not allowed here; write the colour as #rrggbb",
        ),
        (
            "colours:\n  accent: '#ffcc00'\n",
            "travelrisk.yaml:2:3: colours.accent: #ffcc00 on white has contrast 1.51:1, below WCAG AA",
        ),
        ("organisaton: ACME\n", "travelrisk.yaml:1:1: unknown key 'organisaton'; did you mean 'organisation'?"),
        ("page_size: A3\n", "travelrisk.yaml:1:1: page_size: must be one of A4 or Letter"),
        ("logo: ../secret.png\n", "travelrisk.yaml:1:1: logo '../secret.png' lies outside the workspace"),
        ("logo: missing.svg\n", "travelrisk.yaml:1:1: logo 'missing.svg' does not exist"),
        ("logo: advisories/x.gif\n", "travelrisk.yaml:1:1: logo 'advisories/x.gif' is not an SVG, PNG or JPEG file"),
        ("organisation: [a\n", "travelrisk.yaml:2:1: YAML syntax error"),
    ],
)
def test_a_bad_config_is_reported_with_its_place(ws: Path, config: str, expected: str) -> None:
    assert expected in failing(ws, config)


def test_wcag_contrast_matches_the_documented_level_colours() -> None:
    # rules/levels.yaml documents these ratios for white text on each band.
    assert round(contrast("#b03a00", "#ffffff"), 2) == 6.08
    assert round(contrast("#8b0000", "#ffffff"), 2) == 10.01


def test_an_override_can_extend_the_builtin_page(ws: Path) -> None:
    (ws / "templates" / "page.html.j2").write_text(
        '{% extends "builtin/page.html.j2" %}\n'
        "{% block extra_css %}.travelrisk-advisory .tr-title { color: #003366; }{% endblock %}\n"
        '{% block footer %}<footer class="acme">Acme intranet</footer>{% endblock %}\n',
        encoding="utf-8",
    )
    page = html(ws)
    assert ".tr-title { color: #003366; }" in page
    assert '<footer class="acme">Acme intranet</footer>' in page
    assert 'class="tr-page-footer"' not in page
    assert '<h1 class="tr-title">Morocco: Security services brace' in page  # the original still renders


def test_an_override_of_the_advisory_part_reaches_page_fragment_and_pdf_html(ws: Path) -> None:
    (ws / "templates" / "_advisory.html.j2").write_text(
        '{% extends "builtin/_advisory.html.j2" %}\n'
        '{% block meta %}<p class="acme-contact">Questions? Call the desk.</p>{{ super() }}{% endblock %}\n',
        encoding="utf-8",
    )
    for fmt in ("html", "fragment"):
        out = html(ws, fmt)
        assert out.index('class="acme-contact"') < out.index("As ISIS Weakens")  # added before the sources
        assert "<h" in out and "Advice</h" in out


def test_a_broken_override_names_its_file_and_line(ws: Path) -> None:
    (ws / "templates" / "page.html.j2").write_text(
        '{% extends "builtin/page.html.j2" %}\n{% block x %}\n', encoding="utf-8"
    )
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "html", "-o", "-", workspace=ws)
    assert ran.exit_code == 1
    assert re.search(r"templates/page\.html\.j2:\d+:1: template error", ran.stderr), ran.stderr


def test_shadow_fragment_from_flag_or_config(ws: Path) -> None:
    plain = html(ws, "fragment")
    assert "shadowrootmode" not in plain
    flagged = html(ws, "fragment", "--shadow")
    assert flagged.lstrip().startswith(
        '<travelrisk-advisory class="travelrisk-advisory-host"><template shadowrootmode="open">'
    )
    assert "<script" not in flagged
    (ws / "travelrisk.yaml").write_text("fragment:\n  shadow: true\n", encoding="utf-8")
    assert html(ws, "fragment") == flagged
    assert "shadowrootmode" not in html(ws, "html")  # the page needs no shadow root
