"""Bad advisories get `path:line:col: message`, exit code 1, and no output is written or damaged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import MOROCCO, REPO, files_under, run_cli

GOOD = (REPO / "advisories" / f"{MOROCCO}.yaml").read_text()


def edit(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


# (name, advisory text, expected line (or a needle whose line it is), column, words the message must contain)
CASES = [
    ("yaml syntax: unclosed quote", edit("title: Security", 'title: "Security'), None, None, "YAML syntax error"),
    ("yaml syntax: tab indentation", edit("sources:\n  - title", "sources:\n\t- title"), "\t- title", 1, "tab"),
    (
        "duplicate key",
        edit("severity: warning", "severity: warning\nseverity: notice"),
        "severity: notice",
        1,
        "duplicate key 'severity'",
    ),
    (
        "missing required key",
        edit("title: Security services brace for Islamic State fighters returning home\n", ""),
        "country:",
        1,
        "missing required key 'title'",
    ),
    (
        "unknown key with a suggestion",
        edit("severity: warning", "severty: warning"),
        None,
        None,
        "unknown key 'severty'; did you mean 'severity'?",
    ),
    (
        "unknown key without a close match",
        edit("severity: warning", "severity: warning\nmood: grim"),
        "mood",
        1,
        "unknown key 'mood'",
    ),
    (
        "issued without a UTC offset",
        edit("2017-07-15T17:12:00+00:00", "2017-07-15T17:12:00"),
        "issued:",
        1,
        "UTC offset",
    ),
    ("issued is not a date", edit("2017-07-15T17:12:00+00:00", "last Saturday"), "issued:", 1, "issued"),
    ("threat of the wrong type", edit("threat: terrorism", "threat: {kind: terrorism}"), "threat:", 1, "threat"),
    ("unknown country", edit("country: MA", "country: Atlantis"), "country:", 1, "unknown country 'Atlantis'"),
    ("invalid two-letter country code", edit("country: MA", "country: XX"), "country:", 1, "unknown country 'XX'"),
    (
        "unknown threat with a suggestion",
        edit("threat: terrorism", "threat: terrorsm"),
        "threat:",
        1,
        "did you mean 'terrorism'",
    ),
    ("unknown severity", edit("severity: warning", "severity: severe"), "severity:", 1, "unknown severity level"),
    (
        "unknown target",
        edit("targets: [transport_hubs,", "targets: [transport_hubs, hotels,"),
        "targets:",
        27,
        "unknown target 'hotels'",
    ),
    (
        "status that does not exist",
        edit("severity: warning", "severity: warning\nstatus: published"),
        "status:",
        1,
        "status",
    ),
    (
        "empty summary",
        re.sub(r"^summary: >-\n(  .*\n)+", 'summary: ""\n', GOOD, count=1, flags=re.M),
        "summary:",
        1,
        "summary: is empty",
    ),
    (
        "source link that is not http",
        edit("    publisher: Morocco World News", "    publisher: Morocco World News\n    url: javascript:alert(1)"),
        "url:",
        5,
        "url",
    ),
    (
        "cities that are not names",
        edit("threat: terrorism", "threat: terrorism\ncities: [12, 13]"),
        "cities:",
        10,
        "cities.0: is not text",
    ),
    ("a list instead of a mapping", "- title: x\n- country: MA\n", 1, 1, "not a mapping"),
    ("an empty file", "", 1, 1, "the file is empty"),
    (
        "id with characters that are not allowed",
        edit("title: Security", "id: ../../etc/passwd\ntitle: Security"),
        "id:",
        1,
        "id has characters",
    ),
]


@pytest.mark.parametrize(("name", "text", "line", "column", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_advisory_is_reported_with_its_place_and_nothing_is_written(
    ws: Path, name: str, text: str, line: int | str | None, column: int | None, words: str
) -> None:
    bad = ws / "advisories" / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    before = files_under(ws / "output")
    ran = run_cli("render", bad, "-f", "html", workspace=ws)
    assert ran.exit_code == 1, (ran.stdout, ran.stderr)
    assert "Traceback" not in ran.stderr
    first = ran.stderr.splitlines()[0]
    match = re.match(rf"^{re.escape(str(bad))}:(\d+):(\d+): (.+)$", first)
    assert match, first
    if isinstance(line, str):
        line = line_of(bad.read_text(), line)
    if line is not None:
        assert int(match[1]) == line, first
    if column is not None:
        assert int(match[2]) == column, first
    assert words in ran.stderr, ran.stderr
    assert files_under(ws / "output") == before


def test_non_utf8_file_is_refused_with_the_place_of_the_bad_byte(ws: Path) -> None:
    bad = ws / "advisories" / "latin1.yaml"
    bad.write_bytes(GOOD.replace("café", "caf\xe9").encode("utf-8").replace(b"title:", b"title: caf\xe9 ", 1))
    ran = run_cli("validate", bad, workspace=ws)
    assert ran.exit_code == 1
    assert re.match(rf"{re.escape(str(bad))}:\d+:\d+: is not valid UTF-8 \(byte 0xe9\)", ran.stderr), ran.stderr


def test_failed_render_leaves_the_earlier_output_untouched(ws: Path) -> None:
    good = ws / "advisories" / f"{MOROCCO}.yaml"
    target = ws / "out.html"
    assert run_cli("render", good, "-f", "html", "-o", target, workspace=ws).exit_code == 0
    earlier = target.read_bytes()
    good.write_text(GOOD.replace("severity: warning", "severity: extreme"))
    ran = run_cli("render", good, "-f", "html", "-o", target, workspace=ws)
    assert ran.exit_code == 1
    assert target.read_bytes() == earlier
    assert [p.name for p in ws.iterdir() if p.name.startswith(".out.html")] == []


def test_validate_reports_every_bad_file_and_exits_1(ws: Path) -> None:
    (ws / "advisories" / "one.yaml").write_text(edit("severity: warning", "severity: severe"))
    (ws / "advisories" / "two.yaml").write_text(edit("country: MA", "country: Narnia"))
    ran = run_cli("validate", workspace=ws)
    assert ran.exit_code == 1
    assert "one.yaml:" in ran.stderr and "two.yaml:" in ran.stderr
    assert "unknown severity level 'severe'" in ran.stderr
    assert "unknown country 'Narnia'" in ran.stderr


def test_build_reports_the_broken_advisory_and_builds_the_rest(ws: Path) -> None:
    (ws / "advisories" / "broken.yaml").write_text("title: [unclosed\n")
    ran = run_cli("build", workspace=ws)
    assert ran.exit_code == 1
    assert "broken.yaml:2:1: YAML syntax error" in ran.stderr  # PyYAML notices at the end of the file
    assert (ws / "output" / MOROCCO / "index.html").is_file()
    assert not (ws / "output" / "broken").exists()


def test_usage_errors_exit_2(ws: Path) -> None:
    assert run_cli("render", workspace=ws).exit_code == 2
    assert run_cli("render", "x.yaml", "-f", "docx", workspace=ws).exit_code == 2
    assert run_cli("no-such-command").exit_code == 2
