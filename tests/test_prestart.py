"""`travelrisk render` as a user types it: a PDF's worker is forked before the CLI's imports
(pdfpool.prestart). What it writes is what the in-process command writes, and a command that
turns out not to want it (a usage error, another format) ends cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
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


# --- `build`: its PDF workers forked before the CLI's imports, from one warm seed -----------------


@pytest.mark.parametrize(
    ("argv", "workers"),
    [
        (["build", "-j", "2"], 2),
        (["-w", "ws", "build", "--jobs=3", "-f", "pdf", "--force"], 3),
        (["build", "-f", "html", "-f", "pdf", "-j", "2", "-o", "out"], 2),
        (["build", "-j", "1"], 1),  # one: prestart_build forks nothing, the PDFs render in the build
        (["build", "-f", "html", "-j", "2"], 0),  # no PDF asked for
        (["build", "-j2"], 0),  # Click's other spellings: the build starts its workers itself
        (["build", "-j", "two"], 0),
        (["build", "--help"], 0),
        (["render", "x.yaml"], 0),
    ],
)
def test_which_builds_fork_their_workers_at_start(argv: list[str], workers: int) -> None:
    from travelrisk.pdfpool import build_workers

    assert build_workers(argv) == workers


def test_the_build_command_writes_the_pdfs_the_library_writes(tmp_path: Path) -> None:
    out = tmp_path / "cmd"
    ran = command("build", "-j", "2", "-f", "pdf", "-o", out)
    assert ran.returncode == 0, ran.stderr
    assert run_cli("build", "-j", "1", "-f", "pdf", "-o", tmp_path / "lib").exit_code == 0
    pdfs = sorted(p.relative_to(out) for p in out.rglob("*.pdf"))
    assert pdfs and all((out / p).read_bytes() == (tmp_path / "lib" / p).read_bytes() for p in pdfs)


def _dies_in_a_worker(parent_and_text: tuple[int, str]) -> bytes:
    parent, text = parent_and_text
    if os.getpid() != parent and text == "b":
        os._exit(3)  # a worker that crashes on this task
    return text.encode()


@pytest.mark.skipif(sys.platform != "linux", reason="fork")
def test_a_worker_that_dies_leaves_its_tasks_to_the_build() -> None:
    from travelrisk.pdfpool import Pool

    with Pool[str](5, 2) as pool:
        for text in "abcde":
            pool.submit(text, _dies_in_a_worker, (os.getpid(), text))
        results = dict(pool.completed(drain=True))
    assert results == {t: t.encode() for t in "abcde"}


@pytest.mark.skipif(sys.platform != "linux", reason="fork")
def test_a_cancelled_task_gives_no_result_and_large_ones_pass_both_ways() -> None:
    from travelrisk.pdfpool import Pool

    big = "x" * (3 << 20)  # larger than a pipe holds: neither side may wait on the other
    with Pool[str](4, 2) as pool:
        for key in ("one", "two", "three", "four"):
            pool.submit(key, _dies_in_a_worker, (os.getpid(), big + key))
        pool.cancel("three")
        results = dict(pool.completed(drain=True))
    assert sorted(results) == ["four", "one", "two"]
    assert results["two"] == (big + "two").encode()


def _waits_for_a_file(task: tuple[str, str]) -> bytes:
    name, marker = task
    if name == "slow":  # held until the test has seen the task queued behind it answered
        deadline = time.monotonic() + 30
        while not Path(marker).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    return name.encode()


@pytest.mark.skipif(sys.platform != "linux", reason="fork")
def test_at_the_end_an_idle_worker_takes_a_task_queued_behind_a_long_one(tmp_path: Path) -> None:
    from travelrisk.pdfpool import Pool

    marker = str(tmp_path / "go")
    order = []
    with Pool[str](3, 2) as pool:
        for name in ("slow", "queued", "quick"):  # the first worker holds slow and queued
            pool.submit(name, _waits_for_a_file, (name, marker))
        for key, result in pool.completed(drain=True):
            order.append(key)
            assert result == key.encode()
            if key == "queued":
                Path(marker).touch()
    # Without the second worker taking "queued", it would come only after "slow" (30 s later).
    assert order.index("queued") < order.index("slow") and sorted(order) == ["queued", "quick", "slow"]
