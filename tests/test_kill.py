"""A build killed with SIGKILL at any moment leaves every output complete and valid (the old
version or the new one, never a part), the next build cleans up and succeeds, and a second
build into a folder that is being written gets the lock message instead of interleaving."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REPO
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


def test_two_real_builds_at_once_never_interleave(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws")
    first, second = _build(ws, "-f", "json", "-f", "html"), _build(ws, "-f", "json", "-f", "html")
    results = [(p.wait(timeout=300), p.stderr.read().decode() if p.stderr else "") for p in (first, second)]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 1]), results  # either one waited its turn, or it got the message
    for code, err in results:
        if code == 1:
            assert "is writing to this folder; wait for it to finish" in err, err
    assert assert_complete(ws / "output") >= ADVISORIES * 2


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
