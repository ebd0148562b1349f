"""`travelrisk render` as a user types it: a PDF's worker is forked before the CLI's imports
(pdfpool.prestart). What it writes is what the in-process command writes, and a command that
turns out not to want it (a usage error, another format) ends cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MOROCCO, REPO, pdf_text, run_cli

SRC = Path(__file__).resolve().parents[1] / "src"
ADVISORY = REPO / "advisories" / f"{MOROCCO}.yaml"


def command(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    argv = [sys.executable, "-m", "travelrisk", "-w", str(REPO), *map(str, args)]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("extra", [(), ("--pdf-variant", "pdf/a-3u")])
def test_the_command_writes_the_pdf_the_library_writes(tmp_path: Path, extra: tuple[str, ...]) -> None:
    ran = command("render", ADVISORY, "-o", tmp_path / "cmd.pdf", *extra)
    assert ran.returncode == 0, ran.stderr
    assert run_cli("render", ADVISORY, "-o", tmp_path / "lib.pdf", *extra).exit_code == 0
    assert (tmp_path / "cmd.pdf").read_bytes() == (tmp_path / "lib.pdf").read_bytes()
    assert "Morocco" in pdf_text(tmp_path / "cmd.pdf")


def test_a_usage_error_after_the_worker_started_ends_at_once(tmp_path: Path) -> None:
    ran = command("render", ADVISORY, "-f", "pdf", "-o", tmp_path / "x.html")
    assert ran.returncode == 2
    assert "x.html is a html file name, but -f asks for pdf" in ran.stderr
    assert not list(tmp_path.iterdir())
