"""Hostile input and faults, round two: one test per class of flaw, each fixed at its root."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import MOROCCO, files_under, run_cli
from travelrisk.build import build
from travelrisk.serve import for_preview, start
from travelrisk.state import Publication, Record
from travelrisk.workspace import Workspace

FRANCE = "fr-2026-11-20-transport-strikes"
LIGHT = ("html", "json")


def advisory(ws: Path, name: str, **changes: object) -> Path:
    data = yaml.safe_load((ws / "advisories" / f"{MOROCCO}.yaml").read_text()) | changes
    path = ws / "advisories" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def errors(ran_stderr: str) -> list[str]:
    return [line for line in ran_stderr.splitlines() if re.match(r"^\S+:\d+:\d+: ", line)]


def validate_fails_with(ws: Path, path: Path, words: str) -> None:
    ran = run_cli("validate", path, workspace=ws)
    assert ran.exit_code == 1 and "Traceback" not in ran.stderr, ran.stderr
    assert any(line.startswith(f"{path}:") and words in line for line in errors(ran.stderr)), ran.stderr


# --- 1. branding is part of every output's key ------------------------------------------------


def test_a_branding_change_republishes_every_page(ws: Path) -> None:
    build(Workspace(ws), formats=LIGHT)
    page = ws / "output" / MOROCCO / "index.html"
    assert "CONFIDENTIAL" not in page.read_text()
    (ws / "travelrisk.yaml").write_text("classification: CONFIDENTIAL\n")
    report = build(Workspace(ws), formats=LIGHT)
    assert sorted(report.built) == sorted([MOROCCO, FRANCE]) and "CONFIDENTIAL" in page.read_text()


def test_serve_watches_the_config(ws: Path) -> None:
    running = start(ws, port=0, interval=3600)  # no background polls: the test drives refresh()
    try:
        assert not running.preview.refresh()
        (ws / "travelrisk.yaml").write_text("classification: SECRET\n")
        assert running.preview.refresh()
        (ws / "travelrisk.yaml").write_text("classification: [broken\n")  # a broken config is still watched
        assert running.preview.refresh()
        (ws / "travelrisk.yaml").write_text("classification: [still broken, longer\n")
        assert running.preview.refresh()
        (ws / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
        (ws / "travelrisk.yaml").write_text("logo: logo.svg\n")
        assert running.preview.refresh()
        (ws / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg' width='2'/>")  # the logo's bytes
        assert running.preview.refresh()
    finally:
        running.stop()


# --- 2. reserved ids ---------------------------------------------------------------------------


@pytest.mark.parametrize("reserved", ["index.html", "feed.xml", "advisories.json", "assets"])
def test_an_id_that_collides_with_the_site_is_refused_with_its_place(ws: Path, reserved: str) -> None:
    path = advisory(ws, "clash", id=reserved)
    validate_fails_with(ws, path, "is the name of one of the site's own files or folders")


# --- 3. the manifest is untrusted ----------------------------------------------------------------


def test_an_edited_manifest_never_touches_files_outside_the_output_folder(ws: Path, tmp_path: Path) -> None:
    build(Workspace(ws), formats=LIGHT)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    manifest = ws / "output" / ".travelrisk-manifest.json"
    data = json.loads(manifest.read_text())
    entry = data["advisories"][f"{MOROCCO}.yaml"]
    entry["outputs"]["html"]["file"] = os.path.relpath(victim, ws / "output" / MOROCCO)
    manifest.write_text(json.dumps(data))
    (ws / "advisories" / f"{MOROCCO}.yaml").unlink()  # its outputs are now pruned
    report = build(Workspace(ws), formats=LIGHT)
    assert victim.read_text() == "keep me"
    assert any("the build manifest is ignored" in str(w) for w in report.warnings)


def test_a_malformed_manifest_is_a_warning_and_a_full_rebuild(ws: Path) -> None:
    build(Workspace(ws), formats=LIGHT)
    manifest = ws / "output" / ".travelrisk-manifest.json"
    data = json.loads(manifest.read_text())
    data["advisories"][f"{MOROCCO}.yaml"]["record"] = 42
    manifest.write_text(json.dumps(data))
    ran = run_cli("build", "-f", "html", workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    assert "warning: the build manifest is ignored: it is damaged" in ran.stderr and "built 2" in ran.stderr


# --- 4, 5, 8, 14: what text and dates may hold --------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("title", "Bad \ufffe title", "a character that XML and HTML cannot carry (U+FFFE)"),
        ("summary", "x \uffff y", "(U+FFFF)"),
        ("summary", "Stay indoors\rall clear", "a control character (U+000D)"),
        ("title", "Title\u2028advice: hidden", "a line or paragraph separator"),
        ("event", "x" * 20_000, "a word of 20,000 characters with no space"),
    ],
)
def test_text_that_cannot_be_published_safely_is_refused(ws: Path, field: str, value: str, words: str) -> None:
    validate_fails_with(ws, advisory(ws, "bad-text", **{field: value}), words)


@pytest.mark.parametrize(
    "when", ["0224-03-05T10:00:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00", "0999-01-01T00:00:00Z"]
)
def test_implausible_dates_are_refused_with_their_place(ws: Path, when: str) -> None:
    path = ws / "advisories" / "bad-date.yaml"
    text = (ws / "advisories" / f"{MOROCCO}.yaml").read_text()
    path.write_text(text.replace("issued: 2017-07-15T17:12:00+00:00", f"issued: {when}"))
    validate_fails_with(ws, path, "is not plausible")
    ran = run_cli("build", "-f", "html", workspace=ws)
    assert ran.exit_code == 1 and "internal error" not in ran.stderr and "built 2" in ran.stderr, ran.stderr


def test_valid_until_before_issued_is_refused(ws: Path) -> None:
    path = advisory(ws, "never", valid_until="2017-07-01T00:00:00Z")
    validate_fails_with(ws, path, "valid_until: is not after `issued`")


@pytest.mark.parametrize(("field", "count"), [("advice", 11), ("sources", 21), ("cities", 21)])
def test_lists_are_bounded(ws: Path, field: str, count: int) -> None:
    item = {"title": "S"} if field == "sources" else f"Item {field}"
    values = [item if field == "sources" else f"{item} {i}" for i in range(count)]
    validate_fails_with(ws, advisory(ws, "long-lists", **{field: values}), field)


# --- 6, 15: bounded rules and templates ---------------------------------------------------------


def add_rule(ws: Path, advice: str) -> Path:
    path = ws / "rules" / "general.yaml"
    data = yaml.safe_load(path.read_text())
    data["rules"].append({"id": "hostile", "advice": advice})
    data["examples"] = []
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


@pytest.mark.parametrize(
    ("advice", "words"),
    [
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "iterations"),
        ("{{ 'x' * 10**8 }}", "would make 100,000,000 items"),
        ("{% set s = 'x' * 1000000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}", "ran for more than"),
        ("Stay safe{{ '\\x1b[2J' }}", "a control character (U+001B)"),
        ("Safe{{ '\\u202e' }}txet", "a bidi override (U+202E)"),
    ],
)
def test_runaway_or_smuggling_rule_text_is_stopped_at_its_place(ws: Path, advice: str, words: str) -> None:
    path = add_rule(ws, advice)
    started = time.monotonic()
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "text", "-o", "-", workspace=ws)
    assert ran.exit_code == 1 and time.monotonic() - started < 20, ran.stderr
    assert any(
        line.startswith(f"{path}:") and "rule 'hostile'" in line and words in line for line in errors(ran.stderr)
    ), ran.stderr


def test_a_runaway_template_is_stopped_with_its_place(ws: Path) -> None:
    template = ws / "templates" / "page.html.j2"
    template.write_text("{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}\n")
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "html", "-o", "-", workspace=ws)
    assert ran.exit_code == 1 and any(
        line.startswith(f"{template}:") and "iterations" in line for line in errors(ran.stderr)
    ), ran.stderr


# --- 7: PDFs are bounded ------------------------------------------------------------------------


def test_a_pdf_of_too_many_pages_is_refused(ws: Path) -> None:
    long = "\n\n".join(f"Line {i}." for i in range(1500))  # within every text limit, about 60 pages
    path = advisory(ws, "long", event=long)
    ran = run_cli("render", path, "-o", ws / "long.pdf", workspace=ws)
    assert ran.exit_code == 1 and f"{path}:1:1: its PDF would have" in ran.stderr, ran.stderr
    assert not (ws / "long.pdf").exists()


# --- 9: workers die with their build --------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_killing_a_build_ends_its_workers(ws: Path) -> None:
    for i in range(6):
        advisory(ws, f"ma-copy-{i}", title=f"Copy {i}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "travelrisk", "-w", str(ws), "build", "-j", "2", "-f", "pdf"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    # Two workers: the first forked by the build, the second by the first once it is warm.
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        workers = _descendants(proc.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "no worker processes started"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "workers outlived their build"


def _descendants(pid: int) -> list[int]:
    try:
        children = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return children + [d for child in children for d in _descendants(child)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


# --- 10, 22: serve -------------------------------------------------------------------------------


def test_the_reload_script_goes_before_the_real_end_of_body() -> None:
    page = "<html><body><h1>İSTANBUL İzmir</h1></body></html>"
    served, _ = for_preview(page, 1, [])
    assert served.endswith("</script>\n</body></html>") and "İSTANBUL İzmir</h1>" in served


def test_an_idle_connection_is_closed(ws: Path) -> None:
    running = start(ws, port=0, interval=3600)
    running.server.RequestHandlerClass.timeout = 1  # type: ignore[attr-defined]
    try:
        with socket.create_connection(("127.0.0.1", running.server.port), timeout=10) as conn:
            started = time.monotonic()
            assert conn.recv(1) == b""  # the server hangs up on a client that sends nothing
            assert time.monotonic() - started < 8
    finally:
        running.server.RequestHandlerClass.timeout = 15  # type: ignore[attr-defined]
        running.stop()


# --- 11, 16, 17, 18: publication ------------------------------------------------------------------


def test_a_final_update_of_a_draft_does_not_link_to_the_unpublished_draft(ws: Path) -> None:
    advisory(ws, "draft-first", status="draft")
    advisory(ws, "final-second", supersedes="draft-first", issued="2017-08-01T09:00:00Z")
    build(Workspace(ws), formats=LIGHT)
    data = json.loads((ws / "output" / "final-second" / "final-second.json").read_text())
    assert data["update_of"] is None
    assert not (ws / "output" / "draft-first").exists()


def test_one_id_in_two_files_gives_the_same_winner_everywhere(ws: Path) -> None:
    advisory(ws, "a-first", id="twin", title="First twin")
    advisory(ws, "b-second", id="twin", title="Second twin")
    report = build(Workspace(ws), formats=LIGHT)
    assert str(ws / "advisories" / "b-second.yaml") in report.failed
    assert "First twin" in (ws / "output" / "twin" / "index.html").read_text()
    listed = json.loads(run_cli("list", "-f", "json", workspace=ws).stdout)
    assert [r["title"] for r in listed if r["id"] == "twin"] == ["First twin"]


def test_the_feed_id_does_not_depend_on_the_folder(ws: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere" / "deeper"
    other.mkdir(parents=True)
    (other / "advisories").mkdir()
    for path in (ws / "advisories").iterdir():
        (other / "advisories" / path.name).write_bytes(path.read_bytes())
    ids = []
    for root in (ws, other):
        build(Workspace(root), formats=LIGHT)
        ids.append(re.search(r"<id>(urn:uuid:[^<]+)</id>", (root / "output" / "feed.xml").read_text())[1])
    assert ids[0] == ids[1]


def test_supersedes_cycles_and_dangling_links_are_reported(ws: Path) -> None:
    a = advisory(ws, "loop-a", supersedes="loop-b")
    advisory(ws, "loop-b", supersedes="loop-a")
    d = advisory(ws, "dangling", supersedes="no-such-advisory")
    ran = run_cli("validate", workspace=ws)
    assert ran.exit_code == 1
    assert any(line.startswith(f"{a}:") and "a cycle" in line for line in errors(ran.stderr)), ran.stderr
    assert any(
        line.startswith(f"{d}:") and "warning: supersedes 'no-such-advisory'" in line for line in errors(ran.stderr)
    ), ran.stderr
    pub = Publication.of([Record.of(Workspace(ws).load(a).advisory, "loop-a.yaml")])
    assert pub.state("loop-a") == "active"


# --- 12: glyphs -------------------------------------------------------------------------------------


def test_text_no_font_can_draw_is_a_warning(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from travelrisk import fonts

    monkeypatch.setattr(fonts, "_covered", lambda code: code != 0x6771)  # as if no font had 東
    path = advisory(ws, "tokyo", title="Tokyo 東京")
    ran = run_cli("validate", path, workspace=ws)
    assert ran.exit_code == 0 and f"{path}:1:1: warning: no installed font can draw 1 character(s)" in ran.stderr
    assert "U+6771" in ran.stderr
    assert run_cli("validate", "--strict", path, workspace=ws).exit_code == 1


# --- 13: Markdown headings ---------------------------------------------------------------------------


def test_a_markdown_heading_stays_below_the_section_heading(ws: Path) -> None:
    path = advisory(ws, "headed", event="# Big heading\n\nText.")
    page = run_cli("render", path, "-f", "html", "-o", "-", workspace=ws).stdout
    assert "<h1" not in page.split('class="tr-title"', 1)[1]
    assert '<h3 class="tr-md-heading">Big heading</h3>' in page
    fragment = run_cli("render", path, "-f", "fragment", "-o", "-", workspace=ws).stdout
    assert '<h4 class="tr-md-heading">Big heading</h4>' in fragment


# --- 19, 20: the logo --------------------------------------------------------------------------------


def test_a_huge_logo_is_refused_before_it_is_read(ws: Path) -> None:
    logo = ws / "logo.png"
    with logo.open("wb") as handle:  # sparse: 1 GB on paper, nothing on disk
        handle.truncate(1_000_000_000)
    (ws / "travelrisk.yaml").write_text("logo: logo.png\n")
    started = time.monotonic()
    ran = run_cli("validate", workspace=ws)
    assert ran.exit_code == 1 and "travelrisk.yaml:1:1: logo 'logo.png' is larger than 512,000 bytes" in ran.stderr
    assert time.monotonic() - started < 10


def test_a_fetch_from_inside_an_svg_logo_is_blamed_on_the_logo_line(ws: Path) -> None:
    (ws / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="9" height="9"><image xlink:href="file:///etc/hostname" width="9" '
        'height="9"/></svg>'
    )
    (ws / "travelrisk.yaml").write_text("organisation: ACME\nlogo: logo.svg\n")
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-o", ws / "x.pdf", workspace=ws)
    assert ran.exit_code == 1
    assert f"{ws / 'travelrisk.yaml'}:2:1: the PDF of advisory '{MOROCCO}' refers to file:///etc/hostname" in ran.stderr


# --- 21: links inside the output folder --------------------------------------------------------------


def test_a_symlinked_advisory_folder_is_never_written_through(ws: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (ws / "output").mkdir()
    (ws / "output" / MOROCCO).symlink_to(elsewhere, target_is_directory=True)
    ran = run_cli("build", "-f", "html", workspace=ws)
    assert ran.exit_code == 1 and "is a link or a file, not a folder travelrisk made" in ran.stderr
    assert files_under(elsewhere) == {}
    assert (ws / "output" / FRANCE / "index.html").is_file()
