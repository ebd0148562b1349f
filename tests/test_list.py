"""`travelrisk list`: the table, its filters, JSON, and where each advisory stands."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import MOROCCO, run_cli
from travelrisk.workspace import Workspace

FRANCE = "fr-2026-11-20-transport-strikes"


def advisory(
    ws: Path,
    aid: str,
    *,
    country: str = "MA",
    severity: str = "notice",
    threat: str = "crime",
    status: str = "final",
    valid_until: str | None = None,
    supersedes: str | None = None,
    issued: str = "2024-03-01T09:00:00+00:00",
) -> None:
    lines = [
        f"title: Advisory {aid}",
        f"country: {country}",
        f"issued: {issued}",
        f"severity: {severity}",
        f"threat: {threat}",
        f"status: {status}",
        "summary: Something happened.",
        "event: Details.",
    ]
    if valid_until:
        lines.append(f"valid_until: {valid_until}")
    if supersedes:
        lines.append(f"supersedes: {supersedes}")
    (ws / "advisories" / f"{aid}.yaml").write_text("\n".join(lines) + "\n")


@pytest.fixture
def desk(ws: Path) -> Path:
    """The two bundled advisories plus one of each kind the filters tell apart."""
    advisory(
        ws,
        "ke-old",
        country="Kenya",
        severity="warning",
        threat="kidnapping",
        valid_until="2020-01-31",
        issued="2020-01-10T09:00:00+00:00",
    )
    advisory(ws, "ke-draft", country="KE", severity="critical", threat="armed_conflict", status="draft")
    advisory(ws, "ke-gone", country="KE", status="withdrawn", valid_until="2099-01-01")
    advisory(ws, "th-first", country="TH", threat="health", valid_until="2099-01-01")
    advisory(ws, "th-second", country="TH", threat="health", supersedes="th-first", issued="2024-03-02T09:00:00+00:00")
    return ws


def ids(ws: Path, *args: str) -> list[str]:
    ran = run_cli("list", "--format", "json", *args, workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    return [row["id"] for row in json.loads(ran.stdout)]


def test_table_fits_80_columns_with_titles_newest_first(desk: Path) -> None:
    ran = run_cli("list", workspace=desk)
    assert ran.exit_code == 0, ran.stderr
    header, *lines = ran.stdout.splitlines()
    assert header.split() == ["ISSUED", "(UTC)", "CC", "SEVERITY", "STATE", "ID"]
    assert all(len(line) <= 80 for line in ran.stdout.splitlines())
    facts = [line for line in lines if not line.startswith("    ")]
    titles = [line for line in lines if line.startswith("    ") and not line.startswith("    superseded by")]
    assert [line.split()[-1] for line in facts] == [
        FRANCE,
        "th-second",
        "ke-draft",
        "ke-gone",
        "th-first",
        "ke-old",
        MOROCCO,
    ]
    by_id = {f.split()[-1]: (f, t) for f, t in zip(facts, titles, strict=True)}
    # the state column says what --state and the JSON say
    assert by_id["ke-old"][0].split()[2:5] == ["KE", "warning", "expired"]
    assert by_id["ke-old"][1] == "    Advisory ke-old (valid until 2020-01-31 23:59)"
    assert by_id["th-first"][0].split()[4] == "superseded" and "    superseded by th-second" in lines
    assert by_id["ke-gone"][0].split()[4] == "withdrawn" and by_id["ke-draft"][0].split()[4] == "draft"
    assert by_id[MOROCCO][1] == "    Security services brace for Islamic State fighters returning home"


def test_nothing_matching_says_so(desk: Path) -> None:
    ran = run_cli("list", "--state", "expired", "--country", "FR", workspace=desk)
    assert ran.exit_code == 0 and ran.stdout == "No advisories match.\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--country", "KE"), {"ke-old", "ke-draft", "ke-gone"}),
        (("--country", "kenya", "--country", "Thailand"), {"ke-old", "ke-draft", "ke-gone", "th-first", "th-second"}),
        (("--severity", "warning"), {"ke-old", MOROCCO}),
        (("--severity", "critical", "--severity", "warning"), {"ke-old", "ke-draft", MOROCCO}),
        (("--status", "draft"), {"ke-draft"}),
        (("--status", "withdrawn", "--status", "draft"), {"ke-gone", "ke-draft"}),
        (("--threat", "health"), {"th-first", "th-second"}),
        (("--threat", "civil_unrest"), {FRANCE}),
        (("--expired",), {"ke-old"}),
        (("--active",), {"th-second", MOROCCO, FRANCE}),
        (("--country", "TH", "--active"), {"th-second"}),
        (("--country", "KE", "--severity", "notice"), {"ke-gone"}),
    ],
)
def test_filters(desk: Path, args: tuple[str, ...], expected: set[str]) -> None:
    # FRANCE's valid_until is 23 Nov 2026: it is active until then, expired after.
    if dt.datetime.now(dt.UTC) > dt.datetime(2026, 11, 23, 23, 59, tzinfo=dt.UTC):
        expected = {i for i in expected if i != FRANCE} | ({FRANCE} if args == ("--expired",) else set())
    assert set(ids(desk, *args)) == expected


def test_json_carries_the_lifecycle(desk: Path) -> None:
    ran = run_cli("list", "-f", "json", "--threat", "health", workspace=desk)
    rows = {row["id"]: row for row in json.loads(ran.stdout)}
    assert rows["th-first"]["state"] == "superseded" and rows["th-first"]["superseded_by"] == "th-second"
    assert rows["th-second"]["supersedes"] == "th-first" and rows["th-second"]["state"] == "active"
    assert rows["th-first"]["valid_until"] == "2099-01-01T23:59:00Z"
    assert rows["th-first"]["country"] == "TH" and rows["th-first"]["threats"] == ["health"]


def test_a_broken_file_is_reported_and_the_others_still_listed(desk: Path) -> None:
    (desk / "advisories" / "broken.yaml").write_text("title: [unclosed\n")
    ran = run_cli("list", workspace=desk)
    assert ran.exit_code == 1
    assert f"{desk / 'advisories' / 'broken.yaml'}:2:1: YAML syntax error" in ran.stderr
    assert MOROCCO in ran.stdout and "th-second" in ran.stdout


def test_an_unknown_country_filter_is_an_error_not_an_empty_list(desk: Path) -> None:
    ran = run_cli("list", "--country", "Atlantis", workspace=desk)
    assert ran.exit_code == 1
    assert "--country: unknown country 'Atlantis'" in ran.stderr


def test_an_empty_workspace_lists_nothing(tmp_path: Path) -> None:
    (tmp_path / "advisories").mkdir()
    ran = run_cli("list", "-f", "json", workspace=tmp_path)
    assert ran.exit_code == 0 and json.loads(ran.stdout) == []


def test_a_folder_without_advisories_is_an_error(tmp_path: Path) -> None:
    ran = run_cli("list", workspace=tmp_path / "dya")
    assert ran.exit_code == 1 and "has no advisories/ folder; check --workspace" in ran.stderr


# --- the lifecycle rules, at fixed moments -------------------------------------------------


def test_expiry_is_decided_by_valid_until_against_now(desk: Path) -> None:
    life = Workspace(desk).publication(include_drafts=True)
    assert life.state("th-second", dt.datetime(2024, 1, 1, tzinfo=dt.UTC)) == "active"
    assert life.state("ke-old", dt.datetime(2020, 1, 31, 23, 58, tzinfo=dt.UTC)) == "active"
    assert life.state("ke-old", dt.datetime(2020, 1, 31, 23, 59, 1, tzinfo=dt.UTC)) == "expired"
    # Superseded wins over expired; withdrawn and draft win over everything.
    assert life.state("th-first", dt.datetime(3000, 1, 1, tzinfo=dt.UTC)) == "superseded"
    assert life.state("ke-gone", dt.datetime(2024, 1, 1, tzinfo=dt.UTC)) == "withdrawn"


def test_a_draft_or_a_cycle_does_not_break_the_chain(desk: Path) -> None:
    advisory(desk, "th-third", country="TH", threat="health", supersedes="th-second", status="draft")
    advisory(desk, "loop-a", supersedes="loop-b")
    advisory(desk, "loop-b", supersedes="loop-a")
    life = Workspace(desk).publication(include_drafts=True)
    assert life.superseded_by("th-second") is None  # the draft update does not count yet
    assert [r.id for r in life.chain("th-first")] == ["th-first", "th-second", "th-third"]
    # A cycle is reported, and its links are ignored: neither advisory supersedes the other.
    assert [r.id for r in life.chain("loop-a")] == ["loop-a"]
    assert life.state("loop-a") == life.state("loop-b") == "active"
    cycle = [p for p in life.problems if "a cycle" in p.message]
    assert sorted(Path(p.path).name for p in cycle) == ["loop-a.yaml", "loop-b.yaml"]
