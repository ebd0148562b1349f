"""What travelrisk does to WeasyPrint for speed (weasy.py) changes no byte a reader gets: PDFs made
with the shortcuts and without them (TRAVELRISK_PLAIN_WEASYPRINT=1) are the same, one advisory or
many in one process; a stylesheet that fetches is parsed for every PDF, so each reports what it
may not fetch; and what is remembered between runs (the native libraries, the last stylesheet)
is set aside when it does not fit."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MOROCCO, REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate

SRC = REPO / "src"
ADVISORY = REPO / "advisories" / f"{MOROCCO}.yaml"


def travelrisk(*args: str | Path, cache: Path, plain: bool = False) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "TRAVELRISK_CACHE": str(cache)}
    env.pop("TRAVELRISK_PLAIN_WEASYPRINT", None)
    if plain:
        env["TRAVELRISK_PLAIN_WEASYPRINT"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "travelrisk", *map(str, args)], capture_output=True, env=env, timeout=300
    )


def pdfs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*.pdf"))}


def test_a_build_of_many_pdfs_in_one_process_is_byte_identical(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    generate(root, 8, seed=3, with_rules=True)
    made = {}
    for plain in (True, False):
        out = tmp_path / f"out-{plain}"
        ran = travelrisk("-w", root, "build", "-f", "pdf", "-j", "1", "-o", out, cache=tmp_path / "cache", plain=plain)
        assert ran.returncode == 0, ran.stderr.decode()
        made[plain] = pdfs(out)
    assert len(made[True]) >= 6
    assert made[False] == made[True]


def test_one_pdf_is_byte_identical_with_a_warm_start(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    plain = travelrisk("-w", REPO, "render", ADVISORY, "-o", tmp_path / "plain.pdf", cache=cache, plain=True)
    assert plain.returncode == 0, plain.stderr.decode()
    for attempt in range(2):  # the second starts warm: libraries and the last stylesheet remembered
        ran = travelrisk("-w", REPO, "render", ADVISORY, "-o", tmp_path / f"fast{attempt}.pdf", cache=cache)
        assert ran.returncode == 0, ran.stderr.decode()
        assert (tmp_path / f"fast{attempt}.pdf").read_bytes() == (tmp_path / "plain.pdf").read_bytes()
    assert list((cache / "native-libraries").glob("*.json")) and list((cache / "last-stylesheet").glob("*.json"))


def _library_spellings() -> list[str]:
    """Every library name WeasyPrint tries, read from its own source."""
    import importlib.util

    spec = importlib.util.find_spec("weasyprint")
    assert spec is not None and spec.origin is not None
    source = (Path(spec.origin).parent / "text" / "ffi.py").read_text("utf-8")
    calls = re.findall(r"_dlopen\(\s*ffi,(.*?)\)", source, re.S)
    return [name for call in calls for name in re.findall(r"'([^']+)'", call)]


@pytest.mark.parametrize("entry", ["every name", "garbage"])
def test_a_wrong_library_entry_is_set_aside(tmp_path: Path, entry: str) -> None:
    """An entry that says every spelling failed (as a doctored one could) or a damaged one:
    WeasyPrint is imported as it would be without it, the PDF is the same, stdout stays clean."""
    cache = tmp_path / "cache"
    first = travelrisk("-w", REPO, "render", ADVISORY, "-o", "-", cache=cache)
    assert first.returncode == 0 and first.stdout.startswith(b"%PDF")
    [stored] = (cache / "native-libraries").glob("*.json")
    if entry == "every name":
        from travelrisk import diskcache, weasy

        names = _library_spellings()
        assert "libgobject-2.0.so.0" in names  # the one that loads here
        os.environ["TRAVELRISK_CACHE"] = str(cache)
        try:
            diskcache.store("native-libraries", weasy._library_inputs(), names, code=False)
        finally:
            del os.environ["TRAVELRISK_CACHE"]
        assert "libgobject-2.0.so.0" in stored.read_text()
    else:
        stored.write_bytes(b"\x00 not an entry")
    again = travelrisk("-w", REPO, "render", ADVISORY, "-o", "-", cache=cache)
    assert again.returncode == 0, again.stderr.decode()
    assert again.stdout == first.stdout  # the PDF, and nothing else, on stdout
    assert "libgobject-2.0.so.0" not in stored.read_text(errors="replace")


def test_a_stylesheet_that_fetches_is_read_for_every_pdf(tmp_path: Path) -> None:
    """A template's stylesheet that asks for a file outside the workspace: every advisory's PDF is
    refused with its place, not only the first one's (a sheet that fetched is never kept)."""
    root = tmp_path / "ws"
    generate(root, 4, seed=5, with_rules=True)
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "advisory.css").write_text(
        '@import url("file:///etc/hostname");\n' + (REPO / "templates" / "advisory.css").read_text("utf-8"), "utf-8"
    )
    ran = travelrisk("-w", root, "build", "-f", "pdf", "-j", "1", "-o", tmp_path / "out", cache=tmp_path / "cache")
    assert ran.returncode != 0
    errors = ran.stderr.decode()
    published = len(list((root / "advisories").glob("*.yaml"))) - errors.count("draft")
    assert errors.count("refers to file:///etc/hostname, which may not be fetched") >= min(published, 2)
    assert "advisory.css:1:" in errors
    assert not pdfs(tmp_path / "out")


@pytest.mark.parametrize("sheet", ["@font-face { font-family: X; src: url(x.ttf) }", "@font\\-face {}", "p {}"])
def test_a_remembered_sheet_with_fonts_never_warms_a_renderer(
    sheet: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fonts a sheet declares would stay in the worker's FontConfiguration, where the real PDF
    (perhaps of another workspace) could use them: such a sheet is not used to warm up."""
    from travelrisk import pdf, weasy

    monkeypatch.setenv("TRAVELRISK_CACHE", str(tmp_path))
    monkeypatch.delenv("TRAVELRISK_PLAIN_WEASYPRINT", raising=False)
    weasy._remember_sheet(sheet, tmp_path.as_uri() + "/")
    laid_out: list[str] = []
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, *args: laid_out.append(html) or b"")
    pdf.warm_up()
    assert bool(laid_out) == (sheet == "p {}")
