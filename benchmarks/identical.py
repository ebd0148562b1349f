"""Fingerprint every output of the bundled examples and a generated workspace, to show a speed
change altered no byte.

    python3 benchmarks/identical.py --save /tmp/before.json     # on the code before (or --src OTHER/src)
    python3 benchmarks/identical.py --compare /tmp/before.json  # on the code after: lists any difference

It runs the code beside it (src/ of this checkout): `render` of each bundled advisory to every
format (the PDF also as PDF/A, and French), and a full `build` (-j 1 and -j 2) of 15 generated
advisories.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run
from generate import generate
from run import ENV, REPO, TR

FORMATS = ("pdf", "html", "fragment", "json", "text", "cap", "sms")


def tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(_bytes(p)).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".travelrisk.lock"
    }


def _bytes(path: Path) -> bytes:
    """A file's bytes; the manifest's without each output's `key`, which hashes the templates'
    absolute paths (so the same code in another folder, e.g. --src, has other keys)."""
    if path.name != ".travelrisk-manifest.json":
        return path.read_bytes()

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "key"}
        return [strip(v) for v in value] if isinstance(value, list) else value

    return json.dumps(strip(json.loads(path.read_bytes())), sort_keys=True).encode()


def fingerprints(tmp: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for advisory in sorted((REPO / "advisories").glob("*.yaml")):
        asks = [[f] for f in FORMATS] + [["pdf", "--pdf-variant", "pdf/a-3u"], ["pdf", "--lang", "fr"]]
        for ask in asks:
            target = tmp / "one.out"
            cmd = [*TR, "-w", str(REPO), "render", str(advisory), "-f", ask[0], *ask[1:], "-o", str(target)]
            done = subprocess.run(cmd, env=ENV, capture_output=True, cwd=REPO)
            key = f"render {advisory.name} {' '.join(ask)}"
            out[key] = hashlib.sha256(target.read_bytes()).hexdigest() if done.returncode == 0 else "failed"
    root = tmp / "ws"
    generate(root, 15, seed=3, with_rules=True)
    for jobs in ("1", "2"):
        folder = tmp / f"build-{jobs}"
        cmd = [*TR, "-w", str(root), "build", "-j", jobs, "-o", str(folder)]
        subprocess.run(cmd, env=ENV, check=True, cwd=REPO, capture_output=True)
        out.update({f"build -j {jobs}: {k}": v for k, v in tree(folder).items()})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--compare", type=Path)
    parser.add_argument("--src", type=Path, help="fingerprint another checkout's src/ (the code before a change)")
    args = parser.parse_args()
    if args.src:
        run.SRC = args.src.resolve()
        ENV["PYTHONPATH"] = str(run.SRC)
    with tempfile.TemporaryDirectory(prefix="travelrisk-identical-") as name:
        now = fingerprints(Path(name))
    if args.save:
        args.save.write_text(json.dumps(now, indent=1, sort_keys=True), "utf-8")
        print(f"{len(now)} outputs fingerprinted into {args.save}")
        return
    before = json.loads(args.compare.read_text("utf-8"))
    differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    for key in differ:
        print(f"DIFFERS: {key}")
    print(f"{len(now)} outputs, {len(differ)} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
