"""One advisory to its output files, and every advisory of a workspace to `output/`, incrementally.

`build` keeps a manifest (`output/.travelrisk-manifest.json`) of content hashes. Each advisory
has two keys:

- an *input* key: its file's bytes, the whole rule library, every template, the tool's version.
  When it matches, nothing is loaded at all (the no-change rebuild path).
- per format, an *output* key: the advisory as resolved by the rules (the JSON of `view`), the
  templates that format uses, and the tool's version. When the library or a template changed,
  every advisory is resolved again (cheap), and only formats whose output key changed are
  rendered: a rule that matches no advisory re-renders nothing, a change to `print.css`
  re-renders only PDFs. Comparing resolved data rather than guessing which rule files an
  advisory "depends on" is what makes this exact: a rule edited to match a new country is seen.

PDFs are rendered in worker processes (`jobs`); everything else in this process.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from . import __version__
from .errors import Problem, TravelriskError
from .publish import output_lock, write_atomic
from .render import to_json, to_text, view
from .rules import Resolution
from .workspace import Workspace

FORMATS = ("html", "fragment", "pdf", "json", "text")
BUILD_FORMATS = ("html", "fragment", "pdf", "json")
"""What `travelrisk build` writes by default."""
MANIFEST_NAME = ".travelrisk-manifest.json"
MANIFEST_FORMAT = "travelrisk-build-manifest"
MANIFEST_VERSION = 1
_KIND = {"html": "page", "fragment": "fragment", "pdf": "pdf"}

Progress = Callable[[int, int], None]
"""Called with (advisories done, advisories to render) as a build goes."""


def file_name(advisory_id: str, fmt: str) -> str:
    """Where format `fmt` of an advisory goes inside `output/<id>/`."""
    return {
        "html": "index.html",
        "fragment": "fragment.html",
        "pdf": f"{advisory_id}.pdf",
        "json": f"{advisory_id}.json",
        "text": f"{advisory_id}.txt",
    }[fmt]


def render(ws: Workspace, res: Resolution, fmt: str, pdf_variant: str | None = None) -> bytes:
    """One advisory in one format, as bytes."""
    if fmt == "json":
        return to_json(res, ws.lifecycle.related(res.advisory)).encode()
    if fmt == "text":
        return to_text(res).encode()
    if fmt == "pdf":
        from .pdf import html_to_pdf  # WeasyPrint is imported only when a PDF is wanted

        return html_to_pdf(*_pdf_args(ws, res, ws.renderer.html(res, "pdf"), pdf_variant))
    kind = _KIND.get(fmt)
    if kind is None:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return ws.renderer.html(res, kind).encode()


def _pdf_args(ws: Workspace, res: Resolution, html: str, variant: str | None = None) -> tuple[Any, ...]:
    base = ws.template_dirs[0]
    identity = f"{res.advisory.id}\n{html}\n{variant}"
    return html, base, ws.template_dirs, identity, variant, str(res.advisory.id)


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, list[Problem]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    """Ids whose outputs were removed: their file was deleted, renamed to another id, or is a draft."""
    drafts: list[str] = field(default_factory=list)
    """Drafts left out (see `include_drafts`)."""
    warnings: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    """Files written (advisory outputs and site files whose content changed)."""
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [f"built {len(self.built)}", f"unchanged {len(self.unchanged)}", f"failed {len(self.failed)}"]
        if self.removed:
            parts.append(f"removed {len(self.removed)}")
        if self.drafts:
            parts.append(f"drafts left out {len(self.drafts)}")
        return ", ".join(parts)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def build(
    ws: Workspace,
    out_dir: Path | None = None,
    formats: tuple[str, ...] = BUILD_FORMATS,
    *,
    jobs: int | None = None,
    force: bool = False,
    include_drafts: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> BuildReport:
    """Render every advisory that changed; a broken one is reported and the others still build.

    A broken rule library or template fails the whole build up front (it would break every
    advisory). `now` decides which advisories the site marks as expired.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"unknown format(s) {unknown}; choose from {', '.join(FORMATS)}")
    started = time.perf_counter()
    out_dir = (out_dir or ws.output_dir).resolve()
    with output_lock(out_dir):
        report = _Build(
            ws,
            out_dir,
            tuple(dict.fromkeys(formats)),
            jobs or default_jobs(),
            force,
            include_drafts,
            progress,
            now or datetime.now(UTC),
        ).run()
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def terminal_progress(stream: IO[str] | None = None) -> Iterator[Progress | None]:
    """A progress bar on `stream` (stderr) when it is a terminal; None (quiet) otherwise."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield None
        return
    from rich.console import Console  # only on a terminal: rich costs ~50 ms to import
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("building"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=stream),
        transient=True,
    )
    task = bar.add_task("build", total=None)
    with bar:
        yield lambda done, total: bar.update(task, completed=done, total=total)


# --- hashing -------------------------------------------------------------------------------


def _sha(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))  # length-prefixed: ("ab","c") != ("a","bc")
        digest.update(data)
    return digest.hexdigest()


def _tree_hash(folders: list[Path], skip: Callable[[Path], bool] = lambda p: False) -> str:
    parts: list[str | bytes] = []
    for i, folder in enumerate(folders):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not skip(path):
                parts += [f"{i}:{path.relative_to(folder).as_posix()}", path.read_bytes()]
    return _sha(*parts)


class _TemplateDeps:
    """Per HTML kind: a hash of the templates it uses (following includes) and of the assets a PDF may fetch."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.cache: dict[str, str] = {}

    def key(self, fmt: str) -> str:
        if fmt not in self.cache:
            self.cache[fmt] = self._compute(fmt)
        return self.cache[fmt]

    def _compute(self, fmt: str) -> str:
        if fmt not in _KIND:
            return ""  # json and text come from the resolved data alone
        import jinja2.meta

        env = self.ws.renderer.env
        todo, seen, parts = [f"{_KIND[fmt]}.html.j2"], set(), []
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            try:
                source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
            except jinja2.TemplateNotFound:
                parts.append(f"missing:{name}")
                continue
            parts += [f"{name}:{filename}", source]
            if name.endswith(".j2"):
                refs = list(jinja2.meta.find_referenced_templates(env.parse(source)))
                if None in refs:  # a computed template name: depend on every template
                    return _tree_hash(self.ws.template_dirs)
                todo += [r for r in refs if r]
        if fmt == "pdf":  # WeasyPrint may fetch any file in the template folders (fonts, images)
            parts.append(_tree_hash(self.ws.template_dirs, lambda p: p.suffix == ".j2" or p.parent.name == "site"))
            parts.append(_weasyprint_version())  # a new WeasyPrint lays pages out anew
        return _sha(*parts)


# --- the manifest ----------------------------------------------------------------------------


def _load_manifest(out_dir: Path) -> dict[str, Any]:
    """The last build's manifest, or an empty one (first build, or a manifest from another version)."""
    try:
        data = json.loads((out_dir / MANIFEST_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT or data.get("version") != MANIFEST_VERSION:
        return {}
    return data if isinstance(data.get("advisories"), dict) else {}


def _dump_manifest(entries: dict[str, Any], site_key: str) -> bytes:
    data = {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, "site": site_key, "advisories": entries}
    # No indent: json's C encoder then does the work, several times faster for 500 advisories.
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()


def _site_entry(v: dict[str, Any], level_rank: int) -> dict[str, Any]:
    """What the index, feed and JSON index need of an advisory, kept so unchanged ones are not loaded."""
    keep = (
        "id",
        "title",
        "full_title",
        "country",
        "issued",
        "threats",
        "summary",
        "status",
        "valid_until",
        "supersedes",
    )
    entry = {k: v[k] for k in keep}
    entry["severity"] = {k: v["severity"][k] for k in ("key", "label", "colour")} | {"rank": level_rank}
    return entry


# --- the build -------------------------------------------------------------------------------


@dataclass
class _Job:
    """One advisory to render: its resolution, the formats it needs and what is rendered so far."""

    rel: str
    res: Resolution
    entry: dict[str, Any]
    keys: dict[str, str]
    data: dict[str, bytes] = field(default_factory=dict)
    pending: set[str] = field(default_factory=set)


class _Build:
    def __init__(
        self,
        ws: Workspace,
        out_dir: Path,
        formats: tuple[str, ...],
        jobs: int,
        force: bool,
        include_drafts: bool,
        progress: Progress | None,
        now: datetime,
    ) -> None:
        self.ws, self.out_dir, self.formats, self.jobs = ws, out_dir, formats, max(1, jobs)
        self.force, self.include_drafts, self.progress, self.now = force, include_drafts, progress, now
        self.report = BuildReport()
        manifest = _load_manifest(out_dir)
        self.old: dict[str, Any] = manifest.get("advisories", {})
        self.old_site: str | None = manifest.get("site")
        self.new: dict[str, Any] = {}
        self.deps = _TemplateDeps(ws)
        self.rendered: set[str] = set()

    def run(self) -> BuildReport:
        ws = self.ws
        sources = {path.relative_to(ws.advisories_dir).as_posix(): path for path in ws.advisory_paths()}
        fingerprint = _sha(__version__, _tree_hash([ws.rules_dir]), _tree_hash(ws.template_dirs))
        to_resolve: list[tuple[str, Path, str]] = []
        raws: dict[str, bytes] = {}
        for rel, path in sources.items():
            try:
                raws[rel] = path.read_bytes()
            except OSError as exc:
                self.report.failed[str(path)] = [Problem(str(path), message=f"cannot be read ({exc.strerror})")]
        # A page links to the advisories it updates and that update it, so an edit to any advisory
        # may change another's page: then every advisory is resolved again (cheap) and only those
        # whose resolved data changed are rendered.
        catalogue = _sha(*(f"{rel}\0{_sha(raw)}" for rel, raw in raws.items()))
        for rel, raw in raws.items():
            path = sources[rel]
            inputs = _sha(fingerprint, catalogue, raw)
            old = self.old.get(rel)
            if not self.force and old and old.get("inputs") == inputs and self._outputs_present(old):
                unpublished = old["entry"]["status"] == "draft" and not self.include_drafts
                self.new[rel] = {**old, "outputs": {}} if unpublished else old
            else:
                to_resolve.append((rel, path, inputs))

        jobs = self._resolve(to_resolve) if to_resolve else []
        self._check_ids(sources)
        self._render(jobs)
        self._prune(sources)
        failed = {Path(p) for p in self.report.failed}
        for rel, entry in sorted(self.new.items()):
            aid = entry["entry"]["id"]
            if entry["entry"]["status"] == "draft" and not self.include_drafts:
                self.report.drafts.append(aid)
            elif rel not in self.rendered and sources[rel] not in failed:
                self.report.unchanged.append(aid)
        from .site import build_site

        site_entries = [e for e in self.new.values() if self.include_drafts or e["entry"]["status"] != "draft"]
        written, site_key = build_site(
            ws, self.out_dir, site_entries, self.now, None if self.force else self.old_site, fingerprint
        )
        self.report.files += written
        self._write_if_changed(self.out_dir / MANIFEST_NAME, _dump_manifest(self.new, site_key))
        return self.report

    def _outputs_present(self, entry: dict[str, Any]) -> bool:
        if entry["entry"]["status"] == "draft" and not self.include_drafts:
            return True  # a draft that is not published needs no outputs
        outputs = entry.get("outputs", {})
        for fmt in self.formats:
            out = outputs.get(fmt)
            try:
                if out is None or (self.out_dir / entry["entry"]["id"] / out["file"]).stat().st_size != out["size"]:
                    return False
            except OSError:
                return False
        return True

    def _resolve(self, todo: list[tuple[str, Path, str]]) -> list[_Job]:
        ws = self.ws
        lib = ws.library  # a broken rule library fails the whole build, here
        if problems := ws.renderer.check_templates():
            raise TravelriskError(problems)
        jobs: list[_Job] = []
        for rel, path, inputs in todo:
            try:
                res = ws.resolve(path)
                data = to_json(res, ws.lifecycle.related(res.advisory)).encode()  # links to neighbours too
            except TravelriskError as exc:
                self.report.failed[str(path)] = exc.problems
                if rel in self.old:  # its last good outputs stay published
                    self.new[rel] = self.old[rel]
                continue
            self.report.warnings.extend(res.warnings)
            v = view(res)
            old = self.old.get(rel) or {}
            entry = {
                "id": res.advisory.id,
                "inputs": inputs,
                "data": _sha(data),
                "entry": _site_entry(v, lib.level_rank(res.advisory.severity)),
                "outputs": {},
            }
            same_id = old.get("id") == res.advisory.id
            entry["entry"]["updated"] = (
                old["entry"].get("updated")
                if same_id and old.get("data") == entry["data"]
                else v["issued"]["iso"]
                if not old
                else _iso(self.now)
            )
            if same_id:  # formats not asked for this time keep their files and keys
                entry["outputs"] = {f: o for f, o in old.get("outputs", {}).items() if f not in self.formats}
            keys = {fmt: _sha(__version__, fmt, entry["data"], self.deps.key(fmt)) for fmt in self.formats}
            wanted = set()
            for fmt, key in keys.items():
                out = old.get("outputs", {}).get(fmt) if same_id else None
                if (
                    not self.force
                    and out
                    and out.get("key") == key
                    and _size(self.out_dir / res.advisory.id / out["file"]) == out["size"]
                ):
                    entry["outputs"][fmt] = out
                else:
                    wanted.add(fmt)
            if res.advisory.status == "draft" and not self.include_drafts:
                entry["outputs"] = {}
                wanted = set()
            self.new[rel] = entry
            if wanted:
                jobs.append(_Job(rel, res, entry, {f: keys[f] for f in wanted}, {"json": data}, set(wanted)))
        return jobs

    def _check_ids(self, sources: dict[str, Path]) -> None:
        seen: dict[str, str] = {}
        for rel in sorted(self.new):
            aid = self.new[rel]["entry"]["id"]
            if aid in seen:
                path = sources[rel]
                self.report.failed[str(path)] = [
                    Problem(
                        str(path),
                        message=f"id '{aid}' is already used by {sources[seen[aid]]}",
                        hint="give each advisory its own id",
                    )
                ]
                del self.new[rel]  # its outputs would overwrite the other's
            else:
                seen[aid] = rel

    def _render(self, jobs: list[_Job]) -> None:
        jobs = [j for j in jobs if j.rel in self.new]  # not those that lost an id clash
        total, done = len(jobs), 0
        if self.progress:
            self.progress(0, total)
        expected = sum("pdf" in job.pending for job in jobs)
        with _Pdfs(expected, self.jobs) as pdfs:
            for job in jobs:
                try:
                    if "pdf" in job.pending:  # first, so workers start while this process renders the rest
                        pdfs.submit(job, _pdf_args(self.ws, job.res, self.ws.renderer.html(job.res, "pdf")))
                    for fmt in sorted(job.pending - {"pdf"}):
                        if fmt not in job.data:
                            job.data[fmt] = render(self.ws, job.res, fmt)
                except TravelriskError as exc:
                    pdfs.cancel(job)
                    self._fail(job, exc.problems)
                    done += 1
                    continue
                if "pdf" not in job.pending:
                    self._finish(job)
                    done += 1
                    if self.progress:
                        self.progress(done, total)
            for job, result in pdfs.results():
                if isinstance(result, bytes):
                    job.data["pdf"] = result
                    self._finish(job)
                else:
                    self._fail(job, result)
                done += 1
                if self.progress:
                    self.progress(done, total)

    def _fail(self, job: _Job, problems: list[Problem]) -> None:
        self.rendered.add(job.rel)
        self.report.failed[str(self.ws.advisories_dir / job.rel)] = problems
        if job.rel in self.old:  # its last good outputs stay published
            self.new[job.rel] = self.old[job.rel]
        else:
            del self.new[job.rel]

    def _finish(self, job: _Job) -> None:
        """Write an advisory's files once every format rendered, so it is never half updated."""
        aid = job.res.advisory.id
        for fmt in job.pending:
            target = self.out_dir / aid / file_name(aid, fmt)
            write_atomic(target, job.data[fmt])
            self.report.files.append(target)
            job.entry["outputs"][fmt] = {"file": target.name, "key": job.keys[fmt], "size": len(job.data[fmt])}
        self.report.built.append(aid)
        self.rendered.add(job.rel)

    def _prune(self, sources: dict[str, Path]) -> None:
        """Remove outputs nobody owns any more: deleted advisories, old ids, unpublished drafts."""
        keep = {(e["entry"]["id"], o["file"]) for e in self.new.values() for o in e.get("outputs", {}).values()}
        for rel, old in self.old.items():
            aid = old["entry"]["id"]
            stale = [o["file"] for o in old.get("outputs", {}).values() if (aid, o["file"]) not in keep]
            for name in stale:
                (self.out_dir / aid / name).unlink(missing_ok=True)
            folder = self.out_dir / aid
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
            if aid != (self.new.get(rel) or {}).get("id"):  # deleted, renamed or lost its id
                self.report.removed.append(aid)

    def _write_if_changed(self, path: Path, data: bytes) -> None:
        if _read(path) != data:
            write_atomic(path, data)


class _Pdfs:
    """PDFs in this process (one job, or one PDF), or in forked worker processes.

    Workers start on the first PDF submitted and each imports WeasyPrint and makes its own
    FontConfiguration, while this process goes on rendering the HTML of the next advisories.
    """

    def __init__(self, expected: int, jobs: int) -> None:
        self.items: list[tuple[_Job, Any]] = []
        self.pool: Any = None
        if jobs > 1 and expected > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
            self.pool = ProcessPoolExecutor(min(jobs, expected), mp_context=context, initializer=_worker_init)

    def __enter__(self) -> _Pdfs:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def submit(self, job: _Job, args: tuple[Any, ...]) -> None:
        self.items.append((job, self.pool.submit(_pdf_worker, args) if self.pool else args))

    def cancel(self, job: _Job) -> None:
        for item in [i for i in self.items if i[0] is job]:
            self.items.remove(item)
            if self.pool is not None:
                item[1].cancel()

    def results(self) -> Iterator[tuple[_Job, bytes | list[Problem]]]:
        if self.pool is None:
            for job, args in self.items:
                yield job, _pdf_worker(args)
            return
        from concurrent.futures import as_completed

        futures = {future: job for job, future in self.items}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _worker_init() -> None:
    from . import pdf

    pdf._weasy.cache_clear()  # each worker makes its own FontConfiguration (it holds C state)


def _pdf_worker(args: tuple[Any, ...]) -> bytes | list[Problem]:
    """Problems are returned, not raised: TravelriskError does not survive pickling whole."""
    from .pdf import html_to_pdf

    try:
        return html_to_pdf(*args)
    except TravelriskError as exc:
        return exc.problems


def _weasyprint_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # metadata only: WeasyPrint is not imported

    try:
        return version("weasyprint")
    except PackageNotFoundError:  # pragma: no cover - a broken install fails at the first PDF anyway
        return "unknown"


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
