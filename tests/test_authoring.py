"""`travelrisk new` and `travelrisk update`: from nothing to a PDF, and chains of updates."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import MOROCCO, files_under, pdf_text, run_cli
from travelrisk import cli, cli_desk
from travelrisk.authoring import new_advisory
from travelrisk.workspace import Workspace

NEW = (
    "new",
    "--country",
    "MA",
    "--threat",
    "terrorism",
    "--severity",
    "warning",
    "--title",
    "Explosion near a café in Marrakesh",
)


def new_file(ws: Path, *args: str) -> Path:
    ran = run_cli(*(args or NEW), workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    path = Path(ran.stdout.strip())
    assert path.is_file()
    return path


def html_of(ws: Path, path: Path) -> str:
    ran = run_cli("render", path, "-f", "html", "-o", "-", workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    return ran.stdout


def words(html: str) -> str:
    """The page's text as a reader sees it: tags dropped, white space collapsed."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".")
    return text.replace("\u201c ", "\u201c").replace(" \u201d", "\u201d")


def set_field(path: Path, key: str, value: str) -> None:
    text = path.read_text()
    text, count = re.subn(rf"(?m)^{key}: .*$", f"{key}: {value}", text)
    assert count == 1, f"{key} not found in {path}"
    path.write_text(text)


# --- new -----------------------------------------------------------------------------------


def test_from_nothing_to_a_pdf_with_new_and_render(tmp_path: Path) -> None:
    empty = tmp_path / "desk"  # no advisories, rules or templates: the built-in library is used
    empty.mkdir()
    path = new_file(empty)
    assert path.parent == empty / "advisories"
    pdf = tmp_path / "out.pdf"
    ran = run_cli("render", path, "-o", pdf, workspace=empty)
    assert ran.exit_code == 0, ran.stderr
    text = re.sub(r"\s+", " ", pdf_text(pdf))
    for words in (
        "Morocco: Explosion near a café in Marrakesh",
        "Draft: not for distribution",
        "Warning",
        "REPLACE:",
        "Marrakesh, Rabat and Casablanca",
    ):
        assert words in text, words


def test_new_fills_in_issued_id_targets_and_cities(ws: Path) -> None:
    before = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    path = new_file(
        ws,
        "new",
        "-c",
        "Morocco",
        "-t",
        "terrorism,crime",
        "-s",
        "warning",
        "--title",
        "Explosion near a café in Marrakesh",
    )
    after = dt.datetime.now(dt.UTC)
    data = yaml.safe_load(path.read_text())
    lib = Workspace(ws).library
    assert before <= data["issued"] <= after and data["issued"].utcoffset() == dt.timedelta(0)
    assert data["id"] == f"ma-{data['issued'].date().isoformat()}-explosion-near-a-cafe-in-marrakesh"
    assert path.name == f"{data['id']}.yaml"
    assert data["country"] == "MA" and data["threat"] == ["terrorism", "crime"]
    expected_targets = list(
        dict.fromkeys([*lib.threats["terrorism"].default_targets, *lib.threats["crime"].default_targets])
    )
    assert data["targets"] == expected_targets
    assert data["cities"] == lib.countries["MA"].cities
    assert data["status"] == "draft"


def test_every_field_of_a_new_file_has_a_comment_and_the_file_validates(ws: Path) -> None:
    path = new_file(ws)
    lines = path.read_text().splitlines()
    keys = [i for i, line in enumerate(lines) if re.match(r"^[a-z_]+:", line)]
    assert len(keys) >= 10
    for i in keys:
        assert lines[i - 1].startswith("# "), f"no comment above {lines[i]!r}"
    status_comment = "\n".join(lines[: lines.index("status: draft")])
    assert "by accident" in status_comment
    ran = run_cli("validate", path, workspace=ws)
    assert ran.exit_code == 0, ran.stderr


def test_summary_and_event_flags_replace_the_placeholders(ws: Path) -> None:
    path = new_file(ws, *NEW, "--summary", "Two people were hurt.", "--event", "A gas bottle **exploded**.")
    html = html_of(ws, path)
    assert "Two people were hurt." in html and "<strong>exploded</strong>" in html
    assert "REPLACE:" not in html


def test_new_never_overwrites_a_file(ws: Path) -> None:
    first = new_file(ws)
    second = new_file(ws)  # same title, same day: a second id, not the same file
    assert second != first and second.stem == f"{first.stem}-2"
    before = files_under(ws / "advisories")
    ran = run_cli(*NEW, "-o", first, workspace=ws)
    assert ran.exit_code == 1
    assert f"{first}:1:1: already exists" in ran.stderr
    assert files_under(ws / "advisories") == before


def test_new_without_flags_off_a_terminal_names_the_missing_ones(ws: Path) -> None:
    before = files_under(ws)
    ran = run_cli("new", "--country", "MA", workspace=ws)
    assert ran.exit_code == 2
    assert "missing --threat, --severity, --title" in ran.stderr
    assert files_under(ws) == before


def test_new_reports_every_bad_flag_and_writes_nothing(ws: Path) -> None:
    before = files_under(ws)
    ran = run_cli("new", "-c", "Atlantis", "-t", "terorism", "-s", "severe", "--title", "x", workspace=ws)
    assert ran.exit_code == 1
    assert "--country: unknown country 'Atlantis'" in ran.stderr
    assert "--threat: unknown threat 'terorism'; did you mean 'terrorism'?" in ran.stderr
    assert "--severity: unknown severity level 'severe'" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert files_under(ws) == before


def test_new_asks_on_a_terminal_and_asks_again_after_a_bad_answer(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_desk, "_interactive", lambda: True)
    answers = "Morocco\nterorism\nterrorism\nwarning\nExplosion in Rabat\n"
    result = CliRunner().invoke(cli.app, ["--workspace", str(ws), "new"], input=answers, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "did you mean 'terrorism'?" in result.output
    data = yaml.safe_load(Path(result.stdout.strip().splitlines()[-1]).read_text())
    assert (data["country"], data["threat"], data["severity"], data["title"]) == (
        "MA",
        ["terrorism"],
        "warning",
        "Explosion in Rabat",
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=80).filter(
        lambda t: t.strip()
    )
)
def test_any_title_survives_the_round_trip(ws: Path, title: str) -> None:
    # Quotes, colons, '#', leading '-' or '*': the title must come back exactly as typed.
    workspace = Workspace(ws)
    out = ws / "hyp" / f"{abs(hash(title))}.yaml"
    out.unlink(missing_ok=True)
    path = new_advisory(workspace, country="MA", threats=["crime"], severity="notice", title=title, output=out)
    assert yaml.safe_load(path.read_text())["title"] == title.strip()
    assert re.fullmatch(r"ma-\d{4}-\d\d-\d\d-[a-z0-9-]+(-\d+)?", yaml.safe_load(path.read_text())["id"])


# --- update --------------------------------------------------------------------------------


def test_update_copies_the_fields_and_supersedes_the_earlier_one(ws: Path) -> None:
    earlier = ws / "advisories" / f"{MOROCCO}.yaml"
    path = new_file(ws, "update", MOROCCO)
    old, new = yaml.safe_load(earlier.read_text()), yaml.safe_load(path.read_text())
    assert new["supersedes"] == MOROCCO and new["status"] == "draft"
    assert new["id"] != MOROCCO and new["issued"] > old["issued"]
    for key in ("title", "country", "severity", "threat", "summary", "event", "context", "sources"):
        assert new[key] == old[key], key


def test_update_chain_of_three_links_both_ways(ws: Path) -> None:
    a = ws / "advisories" / f"{MOROCCO}.yaml"
    b = new_file(ws, "update", MOROCCO)
    set_field(b, "title", "'Fighters return: first arrests'")
    # A draft update does not supersede yet: the earlier advisory stays in force.
    assert "Superseded by" not in html_of(ws, a)
    assert re.search(rf"(?m) active +{MOROCCO}$", run_cli("list", "--active", workspace=ws).stdout)
    set_field(b, "status", "final")
    b_id = yaml.safe_load(b.read_text())["id"]

    c = new_file(ws, "update", b_id)
    set_field(c, "title", "'Fighters return: trials begin'")
    set_field(c, "status", "final")
    c_id = yaml.safe_load(c.read_text())["id"]

    a_html, b_html, c_html = html_of(ws, a), html_of(ws, b), html_of(ws, c)
    a_text, b_text, c_text = (words(h) for h in (a_html, b_html, c_html))
    assert re.search(r"Superseded by \u201cFighters return: first arrests\u201d of \d\d \w{3} \d{4}", a_text)
    assert f'href="../{b_id}/index.html">Fighters return: first arrests</a>' in a_html
    assert "Update to" not in a_text
    assert (
        "Update to \u201cSecurity services brace for Islamic State fighters returning home\u201d of 15 Jul 2017"
        in b_text
    )
    assert f'href="../{MOROCCO}/index.html">Security services brace' in b_html
    assert re.search(r"Superseded by \u201cFighters return: trials begin\u201d of \d\d \w{3} \d{4}", b_text)
    assert f'href="../{c_id}/index.html">Fighters return: trials begin</a>' in b_html
    assert re.search(r"Update to \u201cFighters return: first arrests\u201d of \d\d \w{3} \d{4}", c_text)
    assert f'href="../{b_id}/index.html">Fighters return: first arrests</a>' in c_html
    assert "Superseded by" not in c_text

    listed = run_cli("list", workspace=ws).stdout
    assert re.search(rf"(?m) superseded +{MOROCCO}\n .*\n    superseded by {b_id}$", listed)
    assert re.search(rf"(?m) superseded +{b_id}\n .*\n    superseded by {c_id}$", listed)
    assert re.search(rf"(?m) active +{c_id}$", listed)
    assert [r.id for r in Workspace(ws).publication(include_drafts=True).chain(b_id)] == [MOROCCO, b_id, c_id]


def test_an_advisory_that_already_has_an_update_is_not_updated_twice(ws: Path) -> None:
    b = new_file(ws, "update", MOROCCO)
    before = files_under(ws / "advisories")
    ran = run_cli("update", MOROCCO, workspace=ws)
    assert ran.exit_code == 1
    assert f"already has an update: '{b.stem}'" in ran.stderr and f"travelrisk update {b.stem}" in ran.stderr
    assert files_under(ws / "advisories") == before


def test_update_of_an_unknown_id_suggests_the_closest(ws: Path) -> None:
    ran = run_cli("update", MOROCCO.replace("fighters", "fighter"), workspace=ws)
    assert ran.exit_code == 1
    assert f"did you mean '{MOROCCO}'?" in ran.stderr


def test_update_accepts_the_earlier_file_and_drops_a_validity_already_past(ws: Path) -> None:
    earlier = ws / "advisories" / "fr-2026-11-20-transport-strikes.yaml"
    set_field(earlier, "valid_until", "2026-11-20T12:00:00Z")  # after its issue, before the update
    path = new_file(ws, "update", earlier)
    data = yaml.safe_load(path.read_text())
    assert data["supersedes"] == "fr-2026-11-20-transport-strikes"
    assert "valid_until" not in data  # else the update would be expired from the start
