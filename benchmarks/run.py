"""Every target of issue 15, each as a ratio against its anchor, in one run.

    python3 benchmarks/run.py            # 3 rounds; memory at 50 and 500 advisories (a few minutes)
    python3 benchmarks/run.py --quick    # 2 rounds; memory at 40 and 120 advisories
    python3 benchmarks/run.py --only a   # only target (a); --only bc: only (b) and (c)

It measures the code beside it (src/ of this checkout, put first on PYTHONPATH), whole processes
as a user runs them. The machine may be shared: each anchor run is interleaved with its subject
run, so load hits both alike, and a ratio is the median of the per-round ratios (the best of
each side is printed too).

  (a) `travelrisk render` of the Morocco PDF vs the `weasyprint` command on the very HTML
      travelrisk hands WeasyPrint (same base URL).
  (b) `build -f pdf --jobs 1` of 40 generated advisories vs bare WeasyPrint rendering the same
      HTML documents in one warm process (imported, one warm-up render, one FontConfiguration).
  (c) `--jobs 2` vs `--jobs 1`, same build.
  (d) a PDF asked of `serve` once started (the page built and answered), one per advisory.
  (e) peak memory (largest process, workers included) of `build` at two workspace sizes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
MOROCCO = REPO / "advisories" / "ma-2017-07-15-returning-fighters.yaml"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])}
TR = [sys.executable, "-m", "travelrisk"]

BARE = """
import sys, time
from pathlib import Path
import weasyprint
from weasyprint.text.fonts import FontConfiguration
base, files = sys.argv[1], sys.argv[2:]
fonts = FontConfiguration()
htmls = [Path(f).read_text("utf-8") for f in files]
weasyprint.HTML(string=htmls[0], base_url=base).write_pdf(font_config=fonts)  # warm-up, not timed
started = time.perf_counter()
for html in htmls:
    weasyprint.HTML(string=html, base_url=base).write_pdf(font_config=fonts)
print(time.perf_counter() - started)
"""
PEAK = "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); \
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env or ENV, cwd=REPO)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def paired(subject: list[float], anchor: list[float]) -> dict[str, float]:
    ratios = [s / a for s, a in zip(subject, anchor, strict=True)]
    return {"ratio": statistics.median(ratios), "subject": min(subject), "anchor": min(anchor)}


def pdf_html(root: Path, advisory: Path | None) -> tuple[str, list[tuple[str, str]]]:
    """The base URL and (id, HTML) travelrisk hands WeasyPrint, for one advisory (as `render`
    does) or for every published one of the workspace (as `build` does)."""
    sys.path.insert(0, str(SRC))
    from travelrisk.formats import FORMATS, RenderOptions
    from travelrisk.workspace import Workspace

    ws = Workspace(root)
    out = []
    if advisory is not None:
        res = ws.resolve(advisory)
        a = res.advisory
        pub = ws.publication(mentioning={a.id, *([a.supersedes] if a.supersedes else [])}, extra=[advisory])
        out.append((a.id, FORMATS["pdf"].prepare(ws, res, pub.related(a.id), RenderOptions())[0]))
    else:
        pub = ws.publication()
        for path in ws.advisory_paths():
            res = ws.resolve(path)
            if pub.is_published(res.advisory.id):
                related = pub.related(res.advisory.id)
                out.append((res.advisory.id, FORMATS["pdf"].prepare(ws, res, related, RenderOptions())[0]))
    return ws.template_dirs[0].as_uri() + "/", out


def one_pdf(tmp: Path, rounds: int) -> dict[str, float]:
    base, [(_, html)] = pdf_html(REPO, MOROCCO)
    page = tmp / "morocco.html"
    page.write_text(html, "utf-8")
    weasy = [shutil.which("weasyprint") or "weasyprint", "-u", base, str(page), str(tmp / "bare.pdf")]
    ours = [*TR, "-w", str(REPO), "render", str(MOROCCO), "-o", str(tmp / "ours.pdf")]
    run(ours), run(weasy)  # warm the page cache and any on-disk cache, for both alike
    subject, anchor = [], []
    for _ in range(rounds + 2):  # a process start is short and noisy: a few more rounds
        subject.append(run(ours)[0])
        anchor.append(run(weasy)[0])
    return paired(subject, anchor)


def batch(root: Path, tmp: Path, rounds: int) -> dict[str, Any]:
    base, docs = pdf_html(root, None)
    files = []
    for aid, html in docs:
        files.append(tmp / f"bare-{aid}.html")
        files[-1].write_text(html, "utf-8")
    bare = [sys.executable, "-c", BARE, base, *map(str, files)]
    build = [*TR, "-w", str(root), "build", "--force", "-f", "pdf", "-o", str(tmp / "out")]
    run([*build, "-j", "1"])  # warm-up (and the output folder exists for the others)
    j1, j2, anchor = [], [], []
    for _ in range(rounds):
        anchor.append(float(run(bare)[1]))
        j1.append(run([*build, "-j", "1"])[0])
        j2.append(run([*build, "-j", "2"])[0])
    return {"docs": len(docs), "jobs1": paired(j1, anchor), "jobs2": paired(j1, j2)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def served(root: Path, ids: list[str]) -> list[float]:
    port = free_port()
    proc = subprocess.Popen(
        [*TR, "-w", str(root), "serve", "--port", str(port)], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"serve did not start: {proc.stderr.read().decode()[-2000:]}") from None  # type: ignore[union-attr]
                time.sleep(0.1)
        time.sleep(1.0)  # "once started": the server answers; give its start-up work a moment
        times = []
        for aid in ids:
            started = time.perf_counter()
            body = urllib.request.urlopen(f"{url}{aid}.pdf", timeout=60).read()
            times.append(time.perf_counter() - started)
            assert body.startswith(b"%PDF"), body[:100]
        return times
    finally:
        proc.terminate()
        proc.wait(10)


def peak_memory(tmp: Path, n: int) -> tuple[float, float]:
    """(MB of the largest process, seconds) of a full `build -j 2` of `n` advisories."""
    root = tmp / f"ws-{n}"
    generate(root, n, seed=1, with_rules=True)
    cmd = [sys.executable, "-c", PEAK, *TR, "-w", str(root), "build", "-j", "2"]
    # Each size with an empty map cache of its own: drawing a map (loading the world's outlines) is
    # a fixed ~18 MB peak, so sizes measured with the cache in different states compare a drawn map
    # with a cached one, not a small workspace with a large one.
    seconds, out = run(cmd, {**ENV, "TRAVELRISK_CACHE": str(tmp / f"cache-{n}")})
    code, kb = out.split()[-2:]  # the build's own output comes first
    if code != "0":
        raise SystemExit(f"build of {n} advisories failed ({code})")
    return int(kb) / 1024, seconds


def row(name: str, value: str, target: str = "", ok: bool | None = None) -> str:
    mark = "" if ok is None else ("met" if ok else "MISSED")
    return f"  {name:<52} {value:>16}   {target:<10} {mark}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 rounds; memory at 40 and 120 advisories")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 3, quick 2)")
    parser.add_argument("--memory", type=int, nargs=2, metavar=("SMALL", "LARGE"), help="advisory counts")
    parser.add_argument("--src", type=Path, help="measure another checkout's src/ (e.g. the code before a change)")
    parser.add_argument("--only", default="abcde", help="the targets to measure, e.g. 'a' or 'bc' (default: all)")
    args = parser.parse_args()
    if args.src:
        global SRC
        SRC = args.src.resolve()
        ENV["PYTHONPATH"] = str(SRC)
    # The measured code compiled, as an installed copy is (pip compiles on install, and so does
    # scripts/install.sh): where PYTHONDONTWRITEBYTECODE is set, src/ would be compiled anew by
    # every process measured, while the anchors' WeasyPrint is not.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(SRC / "travelrisk")], check=True)
    rounds = args.rounds or (2 if args.quick else 3)
    small, large = args.memory or ((40, 120) if args.quick else (50, 500))
    load = os.getloadavg()[0]
    print(
        f"travelrisk benchmark (issue 15): {SRC}, Python {sys.version.split()[0]}, "
        f"{len(os.sched_getaffinity(0))} cores, load {load:.2f} at start; {rounds} interleaved rounds"
    )
    print(row("target", "measured", "target"), flush=True)
    with tempfile.TemporaryDirectory(prefix="travelrisk-bench-") as name:
        tmp = Path(name)
        if "a" in args.only:
            one = one_pdf(tmp, rounds)
            print(
                row(
                    f"(a) render Morocco PDF {one['subject']:.2f} s / weasyprint {one['anchor']:.2f} s",
                    f"{one['ratio']:.2f}x",
                    "<= 1.00x",
                    one["ratio"] <= 1.0,
                ),
                flush=True,
            )
        root = tmp / "ws-40"
        if {"b", "c", "d"} & set(args.only):
            generate(root, 40, seed=1, with_rules=True)
        if {"b", "c"} & set(args.only):
            many = batch(root, tmp, rounds)
            j1, j2 = many["jobs1"], many["jobs2"]
            print(
                row(
                    f"(b) build -j 1, {many['docs']} PDFs {j1['subject']:.2f} s / bare warm {j1['anchor']:.2f} s",
                    f"{j1['ratio']:.2f}x",
                    "<= 1.05x",
                    j1["ratio"] <= 1.05,
                )
            )
            print(
                row(
                    f"(c) speed-up of -j 2: {j2['subject']:.2f} s / {j2['anchor']:.2f} s",
                    f"{j2['ratio']:.2f}x",
                    ">= 1.85x",
                    j2["ratio"] >= 1.85,
                ),
                flush=True,
            )
        if "d" in args.only:
            serve_times = served(root, [aid for aid, _ in pdf_html(root, None)[1][1:6]])
            med = statistics.median(serve_times)
            times = ", ".join(f"{t:.2f}" for t in serve_times)
            print(row(f"(d) serve: a PDF once started ({times} s)", f"{med:.2f} s", "< 0.50 s", med < 0.5), flush=True)
        if "e" in args.only:
            mem_small, _ = peak_memory(tmp, small)
            mem_large, large_seconds = peak_memory(tmp, large)
            grow = mem_large / mem_small
            print(
                row(
                    f"(e) peak memory, build of {large} / of {small}: {mem_large:.0f} / {mem_small:.0f} MB",
                    f"{grow:.2f}x",
                    "<= 1.10x",
                    grow <= 1.10,
                )
            )
            print(f"      (build of {large} advisories, all formats, -j 2: {large_seconds:.1f} s)")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (ratios: median of per-round ratios; times: best)")


if __name__ == "__main__":
    main()
