"""Property tests: whatever YAML structure or raw bytes an advisory file holds, the CLI ends in
exit 0 or 1 with `path:line:col:` messages (never a traceback), writes nothing outside output/,
and any HTML it makes has nothing a browser would run."""

from __future__ import annotations

import datetime as dt
import os
import re
import string
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, files_under, run_cli
from test_hostile import executable

PLACE = re.compile(r"^.+:\d+:\d+: \S")
GOOD = (REPO / "advisories" / "ma-2017-07-15-returning-fighters.yaml").read_bytes()
FIELDS = [
    "id",
    "title",
    "country",
    "issued",
    "severity",
    "threat",
    "summary",
    "event",
    "context",
    "targets",
    "cities",
    "area",
    "valid_until",
    "status",
    "supersedes",
    "sources",
    "advice",
]
EXAMPLES = int(os.environ.get("TRAVELRISK_HYPOTHESIS_EXAMPLES", "60"))
"""Per test; CI keeps it small, `TRAVELRISK_HYPOTHESIS_EXAMPLES=2000` for a long hunt."""
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

hostile_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[x](javascript:alert(1))",
            "{{ ''.__class__ }}",
            "../../etc/passwd",
            "/etc/passwd",
            "MA",
            "terrorism",
            "warning",
            "\u202eevil",
            "a\x00b",
            "\x1b[31m",
            "x" * 400,
            "2017-07-15T17:12:00+00:00",
            "ma-1",
            "..",
            "https://ok.example/",
            "javascript:alert(1)",
            "data:text/html,<b>",
            "null",
            "~",
            "&amp;",
        ]
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    hostile_text,
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, dt.UTC])),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)),
    max_leaves=12,
)
advisories = st.dictionaries(
    st.one_of(st.sampled_from(FIELDS), st.text(string.ascii_letters, max_size=10)), values, max_size=len(FIELDS)
)


def _valid_base() -> dict[str, object]:
    return yaml.safe_load(GOOD)


def check_run(workspace: Path, path: Path) -> None:
    """One file through `render` to HTML on stdout, and to JSON in output/ (the default place)."""
    ran = run_cli("render", path, "-f", "html", "-o", "-", workspace=workspace)
    assert ran.exit_code in (0, 1), ran.stderr
    assert "Traceback" not in ran.stderr and "internal error" not in ran.stderr, ran.stderr
    if ran.exit_code == 1:
        assert ran.stderr and all(PLACE.match(line) for line in ran.stderr.splitlines()), ran.stderr
    else:
        assert executable(ran.stdout) == []
    root = workspace.parent
    before = files_under(root)
    ran = run_cli("render", path, "-f", "json", workspace=workspace)
    assert ran.exit_code in (0, 1) and "internal error" not in ran.stderr, ran.stderr
    new = [name for name in files_under(root) if name not in before]
    assert all(name.startswith("ws/output/") for name in new), new


def _workspace() -> tuple[tempfile.TemporaryDirectory[str], Path]:
    tmp = tempfile.TemporaryDirectory()
    ws = Path(tmp.name) / "ws"
    (ws / "advisories").mkdir(parents=True)
    return tmp, ws


@SETTINGS
@given(advisories)
def test_any_structure_ends_cleanly(data: dict[str, object]) -> None:
    tmp, ws = _workspace()
    with tmp:
        path = ws / "advisories" / "generated.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True))
        check_run(ws, path)


@SETTINGS
@given(st.dictionaries(st.sampled_from(FIELDS), values, max_size=3))
def test_valid_advisory_with_hostile_fields_ends_cleanly(changes: dict[str, object]) -> None:
    tmp, ws = _workspace()
    with tmp:
        path = ws / "advisories" / "generated.yaml"
        path.write_text(yaml.safe_dump({**_valid_base(), **changes}, allow_unicode=True))
        check_run(ws, path)


@SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes_end_cleanly(raw: bytes) -> None:
    tmp, ws = _workspace()
    with tmp:
        path = ws / "advisories" / "generated.yaml"
        path.write_bytes(raw)
        check_run(ws, path)


@SETTINGS
@given(st.integers(0, len(GOOD) - 1), st.binary(min_size=1, max_size=8), st.integers(0, 8))
def test_mangled_advisory_ends_cleanly(at: int, insert: bytes, cut: int) -> None:
    """A real advisory with a few bytes replaced: the likeliest damage (a bad paste, a cut file)."""
    tmp, ws = _workspace()
    with tmp:
        path = ws / "advisories" / "generated.yaml"
        path.write_bytes(GOOD[:at] + insert + GOOD[at + cut :])
        check_run(ws, path)
