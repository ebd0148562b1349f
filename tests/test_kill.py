"""A build killed with SIGKILL at any moment leaves every output complete and valid (the old
version or the new one, never a part), the next build cleans up and succeeds, and a second
build into a folder that is being written gets the lock message instead of interleaving."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from travelrisk.publish import output_lock

ADVISORIES = 8


def _workspace(root: Path) -> Path:
    (root / "advisories").mkdir(parents=True)
    source = (REPO / "advisories" / "ma-2017-07-15-returning-fighters.yaml").read_text()
    for i in range(ADVISORIES):
        (root / "advisories" / f"ma-{i:02d}.yaml").write_text(source)
    return root


def _build(ws: Path, *args: str) -> subprocess.Popen[bytes]:
    # A session of its own, so the kill reaches the PDF workers too, as a killed shell would.
    return subprocess.Popen(
        [sys.executable, "-m", "travelrisk", "--workspace", str(ws), "build", "-j", "2", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


class _Closed(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ended = False

    def handle_endtag(self, tag: str) -> None:
        self.ended = self.ended or tag in ("html", "div", "article")


def assert_complete(out: Path) -> int:
    """Every output file parses whole; returns how many there are."""
    count = 0
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        data = path.read_bytes()
        if path.suffix == ".pdf":
            assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), path
        elif path.suffix == ".json":
            json.loads(data)
        elif path.suffix == ".html":
            parser = _Closed()
            parser.feed(data.decode("utf-8"))
            assert parser.ended and data.rstrip().endswith(b">"), path
        count += 1
    return count


def test_sigkill_at_any_moment_leaves_complete_outputs(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws")
    out = ws / "output"
    started = time.monotonic()
    first = _build(ws)
    assert first.wait(timeout=300) == 0, first.stderr.read() if first.stderr else ""
    took = time.monotonic() - started
    before = assert_complete(out)
    assert before >= ADVISORIES * 4

    # Kill moments spread over a build's own duration on this machine: most files are written
    # in its last part (after start-up and rendering), so that part gets most of the kills.
    rng = random.Random(5)
    for round_, fraction in enumerate((0.4, 0.7, 0.8, 0.88, 0.94, 0.99)):
        for path in sorted((ws / "advisories").glob("*.yaml")):  # every advisory changes: all rebuild
            text = path.read_text().replace("Security services", f"Security services (round {round_})", 1)
            path.write_text(text)
        build = _build(ws, "--force")
        time.sleep(took * fraction * rng.uniform(0.95, 1.05))
        os.killpg(build.pid, signal.SIGKILL)
        build.wait(timeout=60)
        assert assert_complete(out) >= before  # nothing lost, nothing half-written

    # A kill does not always land mid-write; a temp file of a dead writer is planted to be sure.
    ended = subprocess.Popen(["true"])
    ended.wait()
    (out / "ma-03" / f".index.html.pid{ended.pid}.abcd.tmp").write_text("<html><body>half")
    final = _build(ws)
    _, err = final.communicate(timeout=300)
    assert final.returncode == 0, err.decode()
    assert assert_complete(out) >= before
    assert list(out.rglob("*.tmp")) == []  # what the killed builds left half-written was swept away
    html = (out / "ma-00" / "index.html").read_text()
    assert "round 5" in html


def test_second_build_gets_the_lock_message(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws")
    out = ws / "output"
    with output_lock(out):  # this test process is "the first build", mid-write
        second = _build(ws, "-f", "json")
        _, err = second.communicate(timeout=120)
    assert second.returncode == 1
    message = err.decode()
    assert (
        f"{out}:1:1: another travelrisk run (pid {os.getpid()}) is writing to this folder; "
        "wait for it to finish, then run again" in message
    ), message
    assert "Traceback" not in message
    assert [p.name for p in out.iterdir()] == [".travelrisk.lock"]  # it wrote nothing


def _outputs(out: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under `out` (the lock file left out) by inode, mtime and size: an atomic
    replace, even with the same bytes, shows as a new inode."""
    found = {}
    for path in sorted(out.rglob("*")):
        if path.name != ".travelrisk.lock":
            st = path.lstat()
            found[str(path.relative_to(out))] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return found


def test_a_second_build_never_writes_while_the_first_holds_the_folder(tmp_path: Path) -> None:
    """The first build is held mid-write: its last advisory's page is a pipe with a 4 kB buffer
    that this test reads only at the end (a build writes into a pipe rather than replacing it).
    The second build, started meanwhile, must fail with the lock message (or wait for its turn)
    and must not touch one file while the first is writing."""
    ws = _workspace(tmp_path / "ws")
    out = ws / "output"
    held = out / f"ma-{ADVISORIES - 1:02d}" / "index.html"
    held.parent.mkdir(parents=True)
    os.mkfifo(held)
    reader = os.open(held, os.O_RDONLY | os.O_NONBLOCK)
    fcntl.fcntl(reader, fcntl.F_SETPIPE_SZ, 4096)
    first = second = None
    try:
        first = _build(ws, "-f", "json", "-f", "html")
        # Readable once the first build has filled the pipe: it now holds the lock, blocked mid-write.
        ready, _, _ = select.select([reader], [], [], 120)
        assert ready, "the first build never reached the held page"
        assert first.poll() is None
        before = _outputs(out)
        assert any(name.startswith("ma-00") for name in before), "the first build should have written others"

        second = _build(ws, "-f", "json", "-f", "html")
        with contextlib.suppress(subprocess.TimeoutExpired):  # it waits for its turn: acceptable,
            second.wait(timeout=20)  # as long as it writes nothing meanwhile
        waited = second.returncode is None
        assert _outputs(out) == before, "the second build wrote into a folder the first was writing"
        assert first.poll() is None
        if not waited:
            err = second.stderr.read().decode() if second.stderr else ""
            assert second.returncode == 1, err
            assert f"{out}:1:1: another travelrisk run (pid {first.pid}) is writing to this folder" in err, err
            assert "Traceback" not in err

        # Let the first build (and a waiting second one) finish: drain the pipe until both exit.
        deadline = time.monotonic() + 120
        while first.poll() is None or second.poll() is None:
            assert time.monotonic() < deadline, "the builds never finished"
            select.select([reader], [], [], 0.05)
            try:
                if not os.read(reader, 65536):
                    time.sleep(0.01)  # no writer at the moment
            except BlockingIOError:
                pass
        assert first.returncode == 0, first.stderr.read().decode() if first.stderr else ""
        assert second.returncode == (0 if waited else 1)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        os.close(reader)
    held.unlink()  # the pipe is not an output: without it, every file can be checked whole
    final = _build(ws, "-f", "json", "-f", "html")
    _, err = final.communicate(timeout=120)
    assert final.returncode == 0, err.decode()
    assert assert_complete(out) >= ADVISORIES * 2


def test_a_build_sweeps_temp_files_of_dead_writers_only(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws")
    out = ws / "output"
    (out / "ma-00").mkdir(parents=True)
    ended = subprocess.Popen(["true"])
    ended.wait()  # a writer that died: its pid is gone
    alive = subprocess.Popen(["sleep", "60"])  # a writer still at work (a `render`, which takes no lock)
    try:
        stale = [out / f".index.html.pid{ended.pid}.abcd.tmp", out / "ma-00" / f".ma-00.json.pid{ended.pid}.k2j4.tmp"]
        live = out / "ma-00" / f".index.html.pid{alive.pid}.x9y8.tmp"
        for path in [*stale, live]:
            path.write_text("half-written")
        ran = run_cli("build", "-f", "json", workspace=ws)
        assert ran.exit_code == 0, ran.stderr
        assert [p for p in stale if p.exists()] == []
        assert live.read_text() == "half-written"
        assert sorted(out.rglob("*.tmp")) == [live]
    finally:
        alive.kill()
        alive.wait()


@pytest.mark.parametrize("planted", ["symlink", "dangling"])
def test_lock_file_that_is_a_link_is_never_followed(tmp_path: Path, planted: str) -> None:
    victim = tmp_path / "victim.txt"
    if planted == "symlink":
        victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / ".travelrisk.lock").symlink_to(victim)
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "travelrisk",
            "--workspace",
            str(_workspace(tmp_path / "ws")),
            "build",
            "-f",
            "json",
            "-o",
            str(out),
        ],
        capture_output=True,
        timeout=120,
    )
    assert ran.returncode == 1
    assert f"{out}/.travelrisk.lock:1:1: cannot open the lock file" in ran.stderr.decode()
    if planted == "symlink":
        assert victim.read_text() == "precious"
    else:
        assert not victim.exists()
    shutil.rmtree(out)
