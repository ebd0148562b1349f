"""The seams between the parts: rule-library errors with their places, a render failure inside a
build, a missing file, the version and help flags, and the internal-error path of the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import travelrisk
from conftest import MOROCCO, REPO, files_under, run_cli
from travelrisk.workspace import Workspace

FRANCE = "fr-2026-11-20-transport-strikes"


# --- the rule library: each mistake at its place -----------------------------------------------


def _ws_with_rules(tmp_path: Path) -> Path:
    """A workspace with its own rules/, a copy of the shipped library (to be broken)."""
    root = tmp_path / "ws"
    shutil.copytree(REPO / "rules", root / "rules")
    return root


LIBRARY_MISTAKES = {
    # name: (file under rules/, its text, line, column, message)
    "threat file named otherwise than its key": (
        "threats/theft.yaml",
        """\
        sources: [A test]
        threat:
          label: Theft
          meaning: Property taken.
          key: robbery
        """,
        5,
        3,
        "threat key 'robbery' differs from the file name",
    ),
    "duplicate threat key": (
        "threats/zz-crime.yaml",
        """\
        sources: [A test]
        threat:
          key: crime
          label: Crime again
          meaning: The same threat twice.
        """,
        3,
        3,
        "duplicate threat 'crime'",
    ),
    "country profile with a code that is not ISO": (
        "countries/xx.yaml",
        """\
        sources: [A test]
        country:
          code: XX
          name: Nowhere
        """,
        3,
        3,
        "'XX' is not an ISO 3166-1 alpha-2 code",
    ),
    "threat with an unknown default target": (
        "threats/piracy.yaml",
        """\
        sources: [A test]
        threat:
          key: piracy
          label: Piracy
          meaning: Attacks on ships.
          default_targets:
            - transport_hubs
            - harbour_fronts
        """,
        8,
        7,
        "unknown target 'harbour_fronts'",
    ),
}


@pytest.mark.parametrize("mistake", list(LIBRARY_MISTAKES))
def test_a_rule_library_mistake_is_reported_at_its_place(tmp_path: Path, mistake: str) -> None:
    name, text, line, column, message = LIBRARY_MISTAKES[mistake]
    root = _ws_with_rules(tmp_path)
    target = root / "rules" / name
    target.write_text(textwrap.dedent(text), encoding="utf-8")
    ran = run_cli("validate", workspace=root)
    assert ran.exit_code == 1, ran.stderr
    assert "Traceback" not in ran.stderr and "internal error" not in ran.stderr, ran.stderr
    want = f"{target.resolve()}:{line}:{column}: {message}"
    assert any(x.startswith(want) for x in ran.stderr.splitlines()), f"wanted {want!r}\ngot {ran.stderr}"


def test_the_unbroken_copy_of_the_library_validates(tmp_path: Path) -> None:
    """The cases above fail because of what they break, not because of the copy."""
    ran = run_cli("validate", workspace=_ws_with_rules(tmp_path))
    assert ran.exit_code == 0, ran.stderr


# --- a render failure inside a build ---------------------------------------------------------------


def test_a_template_failing_for_one_advisory_fails_it_alone(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(REPO / "advisories", root / "advisories")
    out = root / "output"
    ran = run_cli("build", "-f", "html", "-f", "json", workspace=root)
    assert ran.exit_code == 0, ran.stderr
    earlier = files_under(out / FRANCE)
    assert set(earlier) == {"index.html", f"{FRANCE}.json"}

    # An override that refers to a variable no template has, for the French advisory only.
    override = root / "templates" / "page.html.j2"
    override.parent.mkdir()
    override.write_text(
        '{% extends "builtin/page.html.j2" %}\n'
        "{% block footer %}\n"
        '<footer>{% if advisory.country.code == "FR" %}{{ advisory.no_such_field }}{% endif %}Overridden</footer>\n'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    ran = run_cli("build", "-f", "html", "-f", "json", workspace=root)
    assert ran.exit_code == 1
    assert "Traceback" not in ran.stderr and "internal error" not in ran.stderr, ran.stderr
    want = f"{override.resolve()}:3:1: template error: 'dict object' has no attribute 'no_such_field'"
    assert any(x.startswith(want) for x in ran.stderr.splitlines()), f"wanted {want!r}\ngot {ran.stderr}"
    assert "failed 1" in ran.stderr
    assert "<footer>Overridden</footer>" in (out / MOROCCO / "index.html").read_text()  # the other one built
    assert files_under(out / FRANCE) == earlier  # the failing one keeps its last good files, whole

    override.write_text(override.read_text().replace("{{ advisory.no_such_field }}", ""), encoding="utf-8")
    ran = run_cli("build", "-f", "html", "-f", "json", workspace=root)
    assert ran.exit_code == 0, ran.stderr  # and it is tried again once the template is mended
    assert "<footer>Overridden</footer>" in (out / FRANCE / "index.html").read_text()


# --- a missing file --------------------------------------------------------------------------------


def test_a_missing_advisory_file_is_a_placed_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    ran = run_cli("render", "does-not-exist.yaml")
    assert ran.exit_code == 1
    lines = ran.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("does-not-exist.yaml:1:1: "), ran.stderr
    assert "Traceback" not in ran.stderr and "internal error" not in ran.stderr
    assert ran.stdout == ""
    assert list(tmp_path.iterdir()) == []  # no output folder either


# --- version and help -------------------------------------------------------------------------------


def test_version_prints_the_version_and_exits_0() -> None:
    ran = run_cli("--version")
    assert ran.exit_code == 0, ran.stderr
    assert ran.stdout == f"travelrisk {travelrisk.__version__}\n"


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["build", "-h"]])
def test_help_prints_usage_and_exits_0(args: list[str]) -> None:
    ran = run_cli(*args)
    assert ran.exit_code == 0, ran.stderr
    assert ran.stdout.startswith(f"Usage: travelrisk {'build ' if args[0] == 'build' else ''}[OPTIONS]")


# --- a bug of ours: one line, or the traceback when asked ---------------------------------------


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


def test_an_internal_error_is_one_line_without_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRAVELRISK_DEBUG", raising=False)
    monkeypatch.setattr(Workspace, "__init__", _boom)
    ran = run_cli("validate", workspace=tmp_path)
    assert ran.exit_code == 1
    assert ran.stderr.splitlines() == [
        "travelrisk: internal error (RuntimeError: boom); please report it, with TRAVELRISK_DEBUG=1 set for the "
        "traceback"
    ]
    assert ran.stdout == ""


def test_travelrisk_debug_shows_the_traceback(tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""\
        from travelrisk.cli import app
        from travelrisk.workspace import Workspace

        def boom(*args, **kwargs):
            raise RuntimeError("boom")

        Workspace.__init__ = boom
        app(["--workspace", {str(tmp_path)!r}, "validate"], prog_name="travelrisk")
        """
    )
    env = {**os.environ, "TRAVELRISK_DEBUG": "1"}
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert ran.returncode == 1
    assert "Traceback (most recent call last)" in ran.stderr, ran.stderr
    assert ran.stderr.rstrip().endswith("RuntimeError: boom"), ran.stderr
    assert "internal error" not in ran.stderr
