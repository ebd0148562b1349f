"""Print the figures issue 4 asks for, for N = 20 and N = 500 synthetic advisories.

    python benchmarks/run.py            # N = 20 and 500 (a few minutes on 2 cores: 500 PDFs, twice)
    python benchmarks/run.py --quick    # N = 20 only
    python benchmarks/run.py --sizes 50 --sample 10

Whole-process figures run the installed `travelrisk` command, as a user would; in-process ones
import the library. Start-up times are the best of several runs (the least disturbed by other
load on the machine); build times are single runs. Bare WeasyPrint is timed in the same run on
the very HTML travelrisk hands to WeasyPrint, with one shared FontConfiguration, warm.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

LAST_CPU = 0.0
"""CPU seconds (user + system, all processes) of the last `run`: CPU / wall shows the cores a build used."""
TOUCHED_RULE = ("threats/kidnapping.yaml", "kidnapping-critical")


def run(cmd: list[str], check: bool = True) -> tuple[float, subprocess.CompletedProcess[str]]:
    global LAST_CPU
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    LAST_CPU = (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime)
    if check and done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, done


def best(cmd: list[str], times: int) -> tuple[float, float]:
    """(best, median) seconds of `times` runs."""
    results = [run(cmd)[0] for _ in range(times)]
    return min(results), statistics.median(results)


def built_count(stderr: str) -> int:
    found = re.search(r"built (\d+)", stderr)
    return int(found.group(1)) if found else -1


def touch_rule(rules: Path) -> None:
    """Put a sentence first in one rule's advice (a real change, not just a new mtime)."""
    path, rule_id = rules / TOUCHED_RULE[0], TOUCHED_RULE[1]
    lines = path.read_text("utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {rule_id}")
    at = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("advice:"))
    indent = re.match(r"\s*", lines[at + 1]).group(0)  # type: ignore[union-attr]
    lines.insert(at + 1, f"{indent}Benchmark edit.\n")
    path.write_text("".join(lines), "utf-8")


def in_process(root: Path, sample: int) -> dict[str, float]:
    """HTML renders per second, and per-PDF time of travelrisk against bare WeasyPrint."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from travelrisk.formats import FORMATS
    from travelrisk.workspace import Workspace

    def render(ws: Any, res: Any, fmt: str) -> bytes:
        return FORMATS[fmt].render(ws, res)

    ws = Workspace(root)
    paths = ws.advisory_paths()
    ws.library  # noqa: B018 - loading the rule library once is not part of the per-advisory rate
    ws.renderer.html(ws.resolve(paths[0]), "page")
    started = time.perf_counter()
    for path in paths:
        ws.renderer.html(ws.resolve(path), "page")
    page_rate = len(paths) / (time.perf_counter() - started)
    started = time.perf_counter()
    for path in paths:
        res = ws.resolve(path)
        for fmt in ("html", "fragment", "json"):
            render(ws, res, fmt)
    three_rate = len(paths) / (time.perf_counter() - started)

    fonts = FontConfiguration()
    base = ws.template_dirs[0].as_uri() + "/"
    chosen = [ws.resolve(p) for p in paths[:sample]]
    htmls = [ws.renderer.html(res, "pdf") for res in chosen]

    def bare(html: str) -> bytes:
        return weasyprint.HTML(string=html, base_url=base).write_pdf(font_config=fonts)

    def bare_same_options(html: str) -> bytes:
        return weasyprint.HTML(string=html, base_url=base).write_pdf(
            font_config=fonts, pdf_tags=True, custom_metadata=True
        )

    def ours(res: Any) -> bytes:
        return render(ws, res, "pdf")

    for fn, arg in ((bare, htmls[0]), (bare_same_options, htmls[0]), (ours, chosen[0])):  # warm up
        fn(arg)
    totals = {"bare": 0.0, "bare_same_options": 0.0, "ours": 0.0}
    jobs: list[tuple[str, Callable[[Any], bytes], Any]] = []
    for res, html in zip(chosen, htmls, strict=True):  # interleaved, so load on the machine hits all alike
        jobs += [("ours", ours, res), ("bare", bare, html), ("bare_same_options", bare_same_options, html)]
    for name, fn, arg in jobs:
        started = time.perf_counter()
        fn(arg)
        totals[name] += time.perf_counter() - started
    per = {k: v / len(chosen) for k, v in totals.items()}
    return {
        "page_rate": page_rate,
        "three_rate": three_rate,
        "pdf_ours": per["ours"],
        "pdf_bare": per["bare"],
        "pdf_bare_same": per["bare_same_options"],
        "sample": len(chosen),
        "html": htmls[0],
    }


def measure(n: int, tmp: Path, sample: int) -> dict[str, Any]:
    tr = [shutil.which("travelrisk") or "travelrisk"]
    root = tmp / f"ws-{n}"
    generate(root, n, seed=1, with_rules=True)
    published = sum("status: draft" not in p.read_text() for p in (root / "advisories").glob("*.yaml"))
    ws = [*tr, "--workspace", str(root)]
    fig: dict[str, Any] = {"n": n, "published": published}

    fig["validate"], _ = best([*ws, "validate"], 3)
    fig["html_build"], done = run([*ws, "build", "-f", "html", "-o", str(tmp / f"html-{n}")])
    fig.update(in_process(root, min(sample, n)))
    fig["pdf_serial"], _ = run([*ws, "build", "--force", "-f", "pdf", "-j", "1"])
    fig["pdf_serial_cpu"] = LAST_CPU
    fig["pdf_jobs2"], _ = run([*ws, "build", "--force", "-f", "pdf", "-j", "2"])
    fig["pdf_jobs2_cpu"] = LAST_CPU
    fig["full_build"], done = run([*ws, "build", "-j", "2"])  # adds html, fragment, json to the PDFs
    fig["nochange"], fig["nochange_median"] = best([*ws, "build"], 3)
    fig["nochange_built"] = built_count(run([*ws, "build"])[1].stderr)
    touch_rule(root / "rules")
    fig["touch_rule"], done = run([*ws, "build", "-j", "2"])
    fig["touch_rule_built"] = built_count(done.stderr)

    one = next(p for p in sorted((root / "advisories").glob("*.yaml")) if "status: draft" not in p.read_text())
    html_file = tmp / "one.html"
    from travelrisk.workspace import Workspace

    w = Workspace(root)
    html_file.write_text(w.renderer.html(w.resolve(one), "pdf"), "utf-8")
    weasy = [shutil.which("weasyprint") or "weasyprint"]
    fig["render_one"], _ = best([*ws, "render", str(one), "-f", "pdf", "-o", str(tmp / "one-ours.pdf")], 3)
    fig["weasy_one"], _ = best([*weasy, str(html_file), str(tmp / "one-bare.pdf")], 3)
    return fig


def row(name: str, value: str, target: str = "", ok: bool | None = None) -> str:
    mark = "" if ok is None else ("met" if ok else "MISSED")
    return f"  {name:<46} {value:>20}   {target:<26} {mark}"


def report(fig: dict[str, Any], start: dict[str, float]) -> None:
    n, pub = fig["n"], fig["published"]
    print(f"\nN = {n} advisories ({pub} published, {n - pub} drafts left out of builds)")
    print(row("figure", "value", "target"))
    gap = start["help"] - start["pass"]
    print(row("CLI start-up: --help minus python -c pass", f"{gap * 1000:.0f} ms", "<= 150 ms", gap <= 0.15))
    print(
        row(
            "validate (whole process)",
            f"{fig['validate']:.2f} s",
            "< 1 s at N=500",
            fig["validate"] < 1 if n >= 500 else None,
        )
    )
    print(
        row(
            "HTML page renders per second (in process)",
            f"{fig['page_rate']:.0f} /s",
            ">= 1000 /s",
            fig["page_rate"] >= 1000,
        )
    )
    print(row("  page + fragment + JSON per second", f"{fig['three_rate']:.0f} /s"))
    print(row("build -f html (whole process)", f"{fig['html_build']:.2f} s"))
    serial, jobs2 = fig["pdf_serial"] / pub, fig["pdf_jobs2"] / pub
    print(row("PDF per document, build -j 1 (whole process)", f"{serial * 1000:.0f} ms"))
    print(row("PDF per document, build -j 2 (whole process)", f"{jobs2 * 1000:.0f} ms"))
    speedup = fig["pdf_serial"] / fig["pdf_jobs2"]
    print(row("  speed-up of -j 2", f"{speedup:.2f}x", ">= 1.8x", speedup >= 1.8))
    print(
        row(
            "  cores used (CPU time / wall time), -j 1, -j 2",
            f"{fig['pdf_serial_cpu'] / fig['pdf_serial']:.2f}, {fig['pdf_jobs2_cpu'] / fig['pdf_jobs2']:.2f}",
        )
    )
    ratio = fig["pdf_ours"] / fig["pdf_bare"]
    print(row(f"PDF in process, ours (sample of {fig['sample']})", f"{fig['pdf_ours'] * 1000:.0f} ms"))
    print(row("PDF in process, bare WeasyPrint, same HTML", f"{fig['pdf_bare'] * 1000:.0f} ms"))
    print(row("  ratio ours / bare (our overhead)", f"{ratio:.2f}", "<= 1.10", ratio <= 1.10))
    print(row("  bare with our options (tags, metadata)", f"{fig['pdf_bare_same'] * 1000:.0f} ms"))
    print(row("  ratio ours / bare with our options", f"{fig['pdf_ours'] / fig['pdf_bare_same']:.2f}"))
    print(row("full build after the PDFs (-j 2)", f"{fig['full_build']:.2f} s"))
    print(
        row(
            "no-change rebuild (whole process, best of 3)",
            f"{fig['nochange']:.2f} s",
            "< 0.5 s at N=500",
            fig["nochange"] < 0.5 and fig["nochange_built"] == 0,
        )
    )
    print(row("  advisories it rebuilt", str(fig["nochange_built"]), "0", fig["nochange_built"] == 0))
    print(row(f"rebuild after editing rule {TOUCHED_RULE[1]}", f"{fig['touch_rule']:.2f} s"))
    print(row("  advisories it rebuilt", str(fig["touch_rule_built"])))
    r = fig["render_one"] / fig["weasy_one"]
    print(row("render one PDF, whole process", f"{fig['render_one']:.2f} s"))
    print(row("weasyprint command, same HTML", f"{fig['weasy_one']:.2f} s"))
    print(row("  ratio", f"{r:.2f}", "<= 1.15", r <= 1.15))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="N = 20 only")
    parser.add_argument("--sizes", type=int, nargs="+", help="advisory counts (default: 20 500)")
    parser.add_argument("--sample", type=int, default=20, help="advisories in the in-process PDF comparison")
    args = parser.parse_args()
    sizes = args.sizes or ([20] if args.quick else [20, 500])

    print(
        f"travelrisk benchmark, Python {sys.version.split()[0]}, {len(__import__('os').sched_getaffinity(0))} "
        "cores available"
    )
    start = {
        "pass": best([sys.executable, "-c", "pass"], 7)[0],
        "help": best([shutil.which("travelrisk") or "travelrisk", "--help"], 7)[0],
    }
    print(
        f"start-up (best of 7): python -c pass {start['pass'] * 1000:.0f} ms, "
        f"travelrisk --help {start['help'] * 1000:.0f} ms"
    )
    with tempfile.TemporaryDirectory(prefix="travelrisk-bench-") as tmp:
        for n in sizes:
            report(measure(n, Path(tmp), args.sample), start)


if __name__ == "__main__":
    main()
