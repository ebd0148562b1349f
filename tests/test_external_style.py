"""`fragment: {style: external}`: pages and fragments carry no inline style and link one stylesheet
that `build` writes to output/assets/ (named by its content) and accounts for in its manifest."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import MOROCCO, run_cli
from travelrisk.build import build
from travelrisk.workspace import Workspace

LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)">')


def external(ws: Path, extra: str = "") -> None:
    (ws / "travelrisk.yaml").write_text("fragment:\n  style: external\n" + extra, encoding="utf-8")


def assets(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "assets").iterdir()) if (out / "assets").is_dir() else []


def test_pages_and_fragments_link_the_stylesheet_and_carry_no_inline_style(ws: Path) -> None:
    external(ws)
    build(Workspace(ws), formats=("html", "fragment"))
    out = ws / "output"
    [sheet] = assets(out)
    assert re.fullmatch(r"travelrisk-[0-9a-f]{16}\.css", sheet)
    css = (out / "assets" / sheet).read_text(encoding="utf-8")
    # Every level's colour is a class, since a strict policy refuses style attributes too.
    assert ".travelrisk-advisory .tr-sev-warning { --tr-sev: #b03a00; }" in css
    assert ".tr-sev-critical" in css and "{{" not in css and "&gt;" not in css
    for name in ("index.html", "fragment.html"):
        html = (out / MOROCCO / name).read_text(encoding="utf-8")
        assert re.search(r"\sstyle\s*=", html) is None and "<style" not in html, name
        assert LINK.findall(html) == [f"../assets/{sheet}"], name
        assert 'class="tr-advisory tr-sev-warning"' in html
    page = (out / MOROCCO / "index.html").read_text(encoding="utf-8")
    assert "style-src &#39;self&#39;;" in page and "unsafe-inline" not in page


def test_with_base_url_the_link_is_absolute_and_the_page_policy_allows_that_origin(ws: Path) -> None:
    external(ws, "base_url: https://intranet.example.com/advisories\n")
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "html", "-o", "-", workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    [href] = LINK.findall(ran.stdout)
    assert re.fullmatch(r"https://intranet\.example\.com/advisories/assets/travelrisk-[0-9a-f]{16}\.css", href)
    assert "style-src &#39;self&#39; https://intranet.example.com;" in ran.stdout


def test_build_keeps_its_stylesheet_replaces_a_changed_one_and_never_touches_other_files(ws: Path) -> None:
    external(ws)
    out = ws / "output"
    build(Workspace(ws), formats=("html", "fragment"))
    [first] = assets(out)
    (out / "assets" / "intranet-logo.png").write_bytes(b"not ours")
    again = build(Workspace(ws), formats=("html", "fragment"))
    assert again.built == [] and first in assets(out)  # an unchanged build leaves it in place
    manifest = json.loads((out / ".travelrisk-manifest.json").read_text(encoding="utf-8"))
    assert manifest["assets"] == [first]
    # A change to the CSS is a new file name, so no cache serves the old one; the old one goes.
    (ws / "templates" / "page.html.j2").write_text(  # super(): the override extends the original's block
        '{% extends "builtin/page.html.j2" %}{% block extra_css %}{{ super() }}.travelrisk-advisory .tr-title '
        "{ color: #003366; }{% endblock %}",
        encoding="utf-8",
    )
    build(Workspace(ws), formats=("html", "fragment"))
    [second] = [a for a in assets(out) if a.endswith(".css")]
    assert second != first and "#003366" in (out / "assets" / second).read_text(encoding="utf-8")
    assert LINK.findall((out / MOROCCO / "fragment.html").read_text(encoding="utf-8")) == [f"../assets/{second}"]
    # Back to scoped styles: nothing links it any more, so it is removed; the host's file stays.
    (ws / "travelrisk.yaml").write_text("fragment:\n  style: scoped\n", encoding="utf-8")
    build(Workspace(ws), formats=("html", "fragment"))
    assert assets(out) == ["intranet-logo.png"]


def test_a_broken_advisory_keeps_the_stylesheet_its_last_good_page_links(ws: Path) -> None:
    external(ws)
    out = ws / "output"
    build(Workspace(ws), formats=("html",))
    [first] = assets(out)
    source = ws / "advisories" / f"{MOROCCO}.yaml"
    source.write_text(source.read_text(encoding="utf-8") + "severity: nonsense\n", encoding="utf-8")
    (ws / "templates" / "page.html.j2").write_text(
        '{% extends "builtin/page.html.j2" %}{% block extra_css %}.travelrisk-advisory .tr-title '
        "{ color: #003366; }{% endblock %}",
        encoding="utf-8",
    )
    report = build(Workspace(ws), formats=("html",))
    assert report.failed
    assert first in assets(out) and len(assets(out)) == 2  # the broken one's page still finds its look


def test_render_writes_the_stylesheet_beside_the_file_and_says_so(ws: Path, tmp_path: Path) -> None:
    external(ws)
    target = tmp_path / "embed" / "advisory.html"
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "fragment", "-o", target, workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    [href] = LINK.findall(target.read_text(encoding="utf-8"))
    assert href.startswith("assets/travelrisk-")
    assert ran.stdout.splitlines() == [str(target), str(target.parent / href)]
    assert (target.parent / href).read_text(encoding="utf-8").startswith("/* The advisory's look")
    piped = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "fragment", "-o", "-", workspace=ws)
    assert "links ../assets/travelrisk-" in piped.stderr and "travelrisk build" in piped.stderr
    pdf_html = Workspace(ws).renderer.html(Workspace(ws).resolve(ws / "advisories" / f"{MOROCCO}.yaml"), "pdf")
    assert "<link" not in pdf_html  # a PDF keeps its own styles


def test_a_damaged_asset_name_in_the_manifest_is_never_removed(ws: Path) -> None:
    external(ws)
    out = ws / "output"
    build(Workspace(ws), formats=("html",))
    path = out / ".travelrisk-manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["assets"] = ["../advisories.json"]
    path.write_text(json.dumps(manifest), encoding="utf-8")
    report = build(Workspace(ws), formats=("html",))
    assert any("manifest is ignored" in w.message for w in report.warnings)
    assert (out / "advisories.json").is_file()


def test_the_preview_serves_the_stylesheet_its_pages_link(ws: Path) -> None:
    from travelrisk.serve import Preview

    external(ws)
    preview = Preview(ws)
    try:
        preview.rebuild()
        page = (preview.out_dir / MOROCCO / "index.html").read_text(encoding="utf-8")
        [href] = LINK.findall(page)
        found = preview.file("/" + href.removeprefix("../"))
        assert found is not None and found[1] == "text/css; charset=utf-8"
    finally:
        preview.close()
