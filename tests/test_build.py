"""`travelrisk build`: incremental (manifest of hashes), parallel PDFs, pruning, failures, fast start."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MOROCCO, REPO, files_under, pdf_text, run_cli
from travelrisk.build import MANIFEST_NAME, build
from travelrisk.workspace import Workspace

FRANCE = "fr-2026-11-20-transport-strikes"
LIGHT = ("html", "fragment", "json")  # no PDF: for tests about what is rebuilt, not how PDFs look


def snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    """Every output file's bytes and mtime (the lock file, rewritten by every run, left out)."""
    return {
        name: (data, (out / name).stat().st_mtime_ns)
        for name, data in files_under(out).items()
        if name != ".travelrisk.lock"
    }


def changed(before: dict[str, tuple[bytes, int]], after: dict[str, tuple[bytes, int]]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def add_to_rule(path: Path, rule_id: str, sentence: str) -> None:
    """Put `sentence` first in the advice of rule `rule_id` (a folded `advice: >-` block)."""
    lines = path.read_text("utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if re.match(rf"\s*- id: {re.escape(rule_id)}\s*$", line))
    at = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("advice:"))
    indent = re.match(r"\s*", lines[at + 1]).group(0)
    lines.insert(at + 1, f"{indent}{sentence}\n")
    path.write_text("".join(lines), "utf-8")


def used_rule(ws: Path, advisory_id: str) -> tuple[Path, str]:
    res = Workspace(ws).resolve(ws / "advisories" / f"{advisory_id}.yaml")
    trace = next(t for t in res.trace if t.used)
    return Path(trace.path), trace.rule


def test_second_build_changes_no_file(ws: Path) -> None:
    first = run_cli("build", "--jobs", "1", workspace=ws)
    assert first.exit_code == 0, first.stderr
    out = ws / "output"
    before = snapshot(out)
    assert {
        f"{MOROCCO}/{MOROCCO}.pdf",
        f"{FRANCE}/index.html",
        "index.html",
        "feed.xml",
        "advisories.json",
        MANIFEST_NAME,
    } <= before.keys()
    again = run_cli("build", workspace=ws)
    assert again.exit_code == 0, again.stderr
    assert changed(before, snapshot(out)) == set()
    assert "built 0, unchanged 2, failed 0" in again.stderr


def test_touching_one_advisory_rebuilds_only_it(ws: Path) -> None:
    out = ws / "output"
    build(Workspace(ws), formats=LIGHT)
    before = snapshot(out)
    source = ws / "advisories" / f"{MOROCCO}.yaml"
    source.write_text(source.read_text().replace("Security services brace", "Security services prepare"))
    report = build(Workspace(ws), formats=LIGHT)
    assert report.built == [MOROCCO]
    assert report.unchanged == [FRANCE]
    touched = changed(before, snapshot(out))
    assert not any(name.startswith(FRANCE) for name in touched)
    assert f"{MOROCCO}/index.html" in touched
    assert "Security services prepare" in (out / MOROCCO / "index.html").read_text()
    assert "Security services prepare" in (out / "index.html").read_text()  # the site follows


def test_touching_a_template_rebuilds_only_the_formats_that_use_it(ws: Path) -> None:
    out = ws / "output"
    build(Workspace(ws), formats=LIGHT)
    before = snapshot(out)
    page = ws / "templates" / "page.html.j2"
    page.write_text(page.read_text().replace("<main>", '<main data-edited="yes">'))
    report = build(Workspace(ws), formats=LIGHT)
    assert sorted(report.built) == sorted([MOROCCO, FRANCE])
    touched = changed(before, snapshot(out))
    assert {f"{MOROCCO}/index.html", f"{FRANCE}/index.html"} <= touched
    assert not any(name.endswith(("fragment.html", ".json")) and "/" in name for name in touched), touched
    assert 'data-edited="yes"' in (out / FRANCE / "index.html").read_text()


def test_print_stylesheet_change_rebuilds_pdfs_only(ws: Path) -> None:
    out = ws / "output"
    build(Workspace(ws), jobs=1)
    before = snapshot(out)
    css = ws / "templates" / "print.css"
    css.write_text(css.read_text() + "\n.travelrisk-advisory .tr-title { letter-spacing: 0.01em; }\n")
    build(Workspace(ws), jobs=1)
    touched = {name for name in changed(before, snapshot(out)) if "/" in name}
    assert touched == {f"{MOROCCO}/{MOROCCO}.pdf", f"{FRANCE}/{FRANCE}.pdf"}


def test_changing_a_used_rule_rebuilds_only_the_advisories_that_use_it(ws: Path) -> None:
    out = ws / "output"
    build(Workspace(ws), formats=LIGHT)
    before = snapshot(out)
    rule_file, rule_id = used_rule(ws, FRANCE)
    assert rule_id not in {t.rule for t in Workspace(ws).resolve(ws / "advisories" / f"{MOROCCO}.yaml").trace if t.used}
    add_to_rule(rule_file, rule_id, "Carry a printed copy of your booking.")
    report = build(Workspace(ws), formats=LIGHT)
    assert report.built == [FRANCE]
    assert report.unchanged == [MOROCCO]
    assert not any(name.startswith(MOROCCO) for name in changed(before, snapshot(out)))
    assert "Carry a printed copy of your booking." in (out / FRANCE / "index.html").read_text()


def test_a_new_rule_that_matches_rebuilds_the_advisories_it_now_matches(ws: Path) -> None:
    build(Workspace(ws), formats=LIGHT)
    general = ws / "rules" / "general.yaml"
    text = general.read_text() if general.exists() else "sources: [test]\nrules:\n"
    rule = "  - id: morocco-extra\n    when:\n      country: MA\n    advice: Register with your embassy on arrival.\n"
    general.write_text(re.sub(r"^rules:( \[\])?\n", lambda m: "rules:\n" + rule, text, count=1, flags=re.M))
    report = build(Workspace(ws), formats=LIGHT)
    assert report.built == [MOROCCO]
    assert "Register with your embassy on arrival." in (ws / "output" / MOROCCO / "index.html").read_text()


def test_deleting_an_advisory_removes_its_outputs(ws: Path) -> None:
    out = ws / "output"
    build(Workspace(ws), formats=LIGHT)
    assert (out / FRANCE / "index.html").is_file()
    (ws / "advisories" / f"{FRANCE}.yaml").unlink()
    report = build(Workspace(ws), formats=LIGHT)
    assert report.removed == [FRANCE]
    assert not (out / FRANCE).exists()
    assert (out / MOROCCO / "index.html").is_file()
    assert FRANCE not in (out / "index.html").read_text()
    assert FRANCE not in (out / "feed.xml").read_text()


def test_one_broken_advisory_among_many_fails_alone(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(REPO / "benchmarks")  # undone after the test
    from generate import generate

    paths = generate(ws, 6, seed=3)
    (ws / "advisories" / "broken.yaml").write_text(
        "title: Broken\ncountry: MA\nissued: 2017-07-15T17:12:00Z\nseverity: dire\nthreat: terrorism\n"
        "summary: s\nevent: e\n"
    )
    ran = run_cli("build", "--jobs", "2", workspace=ws)
    assert ran.exit_code == 1
    assert re.search(r"broken\.yaml:4:\d+: unknown severity level 'dire'", ran.stderr), ran.stderr
    assert "Traceback" not in ran.stderr
    assert re.search(r"failed 1\b", ran.stderr)
    ids = [p.stem for p in paths if "status: draft" not in p.read_text()]
    for aid in ids:
        folder = ws / "output" / aid
        assert {p.name for p in folder.iterdir()} == {
            "index.html",
            "fragment.html",
            f"{aid}.json",
            f"{aid}.pdf",
            f"{aid}.cap.xml",
        }
        assert pdf_text(folder / f"{aid}.pdf").strip()
    listed = [a["id"] for a in json.loads((ws / "output" / "advisories.json").read_text())["advisories"]]
    assert sorted(listed) == sorted(ids)


def test_parallel_pdfs_are_the_same_bytes_as_serial(ws: Path, tmp_path: Path) -> None:
    build(Workspace(ws), tmp_path / "serial", ("pdf",), jobs=1)
    build(Workspace(ws), tmp_path / "parallel", ("pdf",), jobs=2)
    serial, parallel = files_under(tmp_path / "serial"), files_under(tmp_path / "parallel")
    pdfs = [name for name in serial if name.endswith(".pdf")]
    assert len(pdfs) == 2
    for name in pdfs:
        assert serial[name] == parallel[name], name


def test_force_rebuilds_everything_and_format_limits_the_outputs(ws: Path) -> None:
    out = ws / "output"
    ran = run_cli("build", "--format", "json", workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    assert {p.name for p in (out / MOROCCO).iterdir()} == {f"{MOROCCO}.json"}
    assert build(Workspace(ws), formats=("json",)).built == []
    assert sorted(build(Workspace(ws), formats=("json",), force=True).built) == sorted([MOROCCO, FRANCE])
    # asking for another format later builds just the missing one
    report = build(Workspace(ws), formats=("json", "html"))
    assert sorted(report.built) == sorted([MOROCCO, FRANCE])
    assert {p.name for p in (out / MOROCCO).iterdir()} == {f"{MOROCCO}.json", "index.html"}


def test_drafts_are_left_out_unless_asked_for(ws: Path) -> None:
    source = ws / "advisories" / f"{FRANCE}.yaml"
    source.write_text(source.read_text() + "status: draft\n")
    out = ws / "output"
    report = build(Workspace(ws), formats=LIGHT)
    assert report.drafts == [FRANCE]
    assert not (out / FRANCE).exists()
    assert FRANCE not in (out / "advisories.json").read_text()
    build(Workspace(ws), formats=LIGHT, include_drafts=True)
    assert (out / FRANCE / "index.html").is_file()
    assert FRANCE in (out / "advisories.json").read_text()
    build(Workspace(ws), formats=LIGHT)  # published again without the flag: the draft goes
    assert not (out / FRANCE).exists()
    assert FRANCE not in (out / "feed.xml").read_text()


def test_build_prints_a_summary_and_no_progress_bar_off_a_terminal(ws: Path) -> None:
    ran = run_cli("build", "-f", "html", workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    assert re.fullmatch(r"built 2, unchanged 0, failed 0 in [\d.]+ s -> \S+\n", ran.stderr), ran.stderr


def test_broken_rule_library_fails_the_build_with_a_place(ws: Path) -> None:
    levels = ws / "rules" / "levels.yaml"
    levels.write_text(levels.read_text().replace("levels:", "levels:\n  - key: [oops\n", 1))
    ran = run_cli("build", "-f", "html", workspace=ws)
    assert ran.exit_code == 1
    assert re.search(r"^\S*levels\.yaml:\d+:\d+: YAML syntax error", ran.stderr, re.M), ran.stderr
    assert not (ws / "output" / MOROCCO).exists()


@pytest.mark.parametrize("args", [["--help"], ["validate"], ["build", "--format", "html"]])
def test_help_validate_and_html_builds_never_import_weasyprint(ws: Path, args: list[str]) -> None:
    code = (
        "import sys\nfrom travelrisk.cli import app\n"
        f"try:\n    app({['--workspace', str(ws), *args]!r})\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print('weasyprint' in sys.modules, code)\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert ran.stdout.split()[-2:] == ["False", "0"], ran.stdout + ran.stderr


def test_a_broken_edit_keeps_the_last_good_outputs_and_is_retried(ws: Path) -> None:
    out = ws / "output"
    build(Workspace(ws), formats=LIGHT)
    good = (out / FRANCE / "index.html").read_bytes()
    source = ws / "advisories" / f"{FRANCE}.yaml"
    text = source.read_text()
    source.write_text(text.replace("severity: notice", "severity: noticee"))
    for _ in range(2):  # still reported on the next build: a failure is never recorded as done
        report = build(Workspace(ws), formats=LIGHT)
        assert list(report.failed) == [str(source)]
        assert "did you mean 'notice'?" in str(report.failed[str(source)][0])
        assert report.unchanged == [MOROCCO]
    assert (out / FRANCE / "index.html").read_bytes() == good
    assert FRANCE in (out / "advisories.json").read_text()
    source.write_text(text)
    assert build(Workspace(ws), formats=LIGHT).failed == {}


def test_two_files_with_one_id_fail_the_second(ws: Path) -> None:
    copy = ws / "advisories" / "zz-copy.yaml"
    copy.write_text((ws / "advisories" / f"{MOROCCO}.yaml").read_text() + f"id: {MOROCCO}\n")
    report = build(Workspace(ws), formats=LIGHT)
    assert list(report.failed) == [str(copy)]
    assert f"id '{MOROCCO}' is already used by" in str(report.failed[str(copy)][0])
    assert sorted(report.built) == sorted([MOROCCO, FRANCE])


def test_publishing_an_update_adds_the_forward_link_to_the_earlier_page(ws: Path) -> None:
    assert run_cli("build", "-f", "html", "-f", "json", workspace=ws).exit_code == 0
    earlier = ws / "output" / MOROCCO
    assert "Superseded by" not in (earlier / "index.html").read_text()
    update = (
        (ws / "advisories" / f"{MOROCCO}.yaml")
        .read_text()
        .replace("title: Security services brace", f"supersedes: {MOROCCO}\ntitle: Follow-up, security services brace")
    )
    (ws / "advisories" / "ma-2017-07-20-follow-up.yaml").write_text(
        update.replace("2017-07-15T17:12:00+00:00", "2017-07-20T09:00:00+00:00")
    )
    before = snapshot(ws / "output")
    ran = run_cli("build", "-f", "html", "-f", "json", workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    page = (earlier / "index.html").read_text()
    assert "Superseded by" in page and "../ma-2017-07-20-follow-up/index.html" in page
    data = json.loads((earlier / f"{MOROCCO}.json").read_text())
    assert data["superseded_by"]["id"] == "ma-2017-07-20-follow-up"
    other = "fr-2026-11-20-transport-strikes"
    assert not {f for f in changed(before, snapshot(ws / "output")) if f.startswith(other)}
