"""Shared test helpers: a scratch copy of the workspace, the CLI, and text out of a PDF."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from travelrisk.cli import app

REPO = Path(__file__).resolve().parents[1]
MOROCCO = "ma-2017-07-15-returning-fighters"


@dataclass
class Ran:
    exit_code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes


def run_cli(*args: str | Path, workspace: Path | None = None) -> Ran:
    """Run the CLI in-process, as a user would type it."""
    argv = [str(a) for a in args]
    if workspace is not None:
        argv = ["--workspace", str(workspace), *argv]
    result = CliRunner().invoke(app, argv, catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr, result.stdout_bytes)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A scratch workspace: copies of the bundled advisories, rules and templates."""
    root = tmp_path / "ws"
    for part in ("advisories", "rules", "templates"):
        shutil.copytree(REPO / part, root / part)
    return root


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where tests put pictures of pages for a human to look at: pytest's temporary folder
    (`pytest --basetemp=DIR` keeps them in DIR), never the repository."""
    return tmp_path_factory.mktemp("screenshots")


def pdf_text(path: Path) -> str:
    """The text a reader would copy out of the PDF (poppler's pdftotext, reading order)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
    return out.stdout.decode("utf-8")


def files_under(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes, to prove that nothing was written or changed."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
