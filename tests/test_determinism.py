"""The same inputs give byte-identical HTML, JSON and PDF in separate processes, whatever the
clock, time zone, locale or hash seed, so a published advisory can be verified and diffed later."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import MOROCCO, REPO

ADVISORY = REPO / "advisories" / f"{MOROCCO}.yaml"
FORMATS = ("html", "fragment", "json", "pdf")


def _render_all(out: Path, env_overrides: dict[str, str]) -> dict[str, bytes]:
    """Each format in a process of its own, all under `env_overrides`."""
    out.mkdir()
    env = {**os.environ, **env_overrides}
    result = {}
    for fmt in FORMATS:
        target = out / fmt
        subprocess.run(
            [
                sys.executable,
                "-m",
                "travelrisk",
                "--workspace",
                str(REPO),
                "render",
                str(ADVISORY),
                "-f",
                fmt,
                "-o",
                str(target),
            ],
            check=True,
            env=env,
            capture_output=True,
            timeout=120,
        )
        result[fmt] = target.read_bytes()
    return result


def test_two_processes_give_identical_bytes(tmp_path: Path) -> None:
    first = _render_all(tmp_path / "a", {"TZ": "UTC", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "1"})
    second = _render_all(
        tmp_path / "b", {"TZ": "Pacific/Kiritimati", "LC_ALL": "C", "PYTHONHASHSEED": "2", "SOURCE_DATE_EPOCH": "1"}
    )
    for fmt in FORMATS:
        assert first[fmt] == second[fmt], f"{fmt} differs between two processes"
    info = subprocess.run(
        ["pdfinfo", "-isodates", str(tmp_path / "a" / "pdf")], check=True, capture_output=True, text=True
    ).stdout
    assert "CreationDate:    2017-07-15T17:12:00Z" in info, info  # the advisory's `issued`, not today


def test_build_twice_gives_identical_advisory_files(tmp_path: Path) -> None:
    """`build` into two folders (PDF workers and all): each advisory's files match byte for byte."""
    outs = []
    for name, seed in (("one", "3"), ("two", "4")):
        out = tmp_path / name
        subprocess.run(
            [sys.executable, "-m", "travelrisk", "--workspace", str(REPO), "build", "-o", str(out)],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            timeout=300,
        )
        outs.append(out)
    one, two = outs
    files = sorted(p.relative_to(one) for p in (one / MOROCCO).rglob("*") if p.is_file())
    assert {p.suffix for p in files} >= {".html", ".json", ".pdf"}
    for rel in files:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel
