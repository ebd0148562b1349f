"""Every advisory of a workspace to `output/`, incrementally: plan, render, write.

1. **Plan.** Each advisory file whose bytes match the manifest keeps its publication record
   without being parsed; the others are parsed. One `Publication` (state.py) then says which
   are published and how they link. An advisory whose input key (its bytes, its neighbours,
   the rules, templates and config) matches and whose files are present needs nothing. The
   others are resolved (one at a time, as rendering reaches them, so memory holds only the
   advisories in flight), and only formats whose output key (the resolved data and the templates
   that format uses) changed are rendered: a rule that matches no advisory re-renders nothing,
   a change to `print.css` re-renders only PDFs.
2. **Render.** In this process, with the heavy step of PDFs in worker processes (`jobs`).
3. **Write.** An advisory's files once all its formats rendered (never half updated), then
   the pruning of outputs nobody owns, the site, and the manifest.

A broken rule library or template fails the whole build up front (it would break every
advisory); a broken advisory is reported and keeps its last good outputs.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .assets import Stylesheet, prune_stylesheets, write_stylesheet
from .dates import utc_iso
from .errors import Problem, TravelriskError
from .formats import BUILD_FORMATS, FORMATS, OutputFormat, RenderOptions
from .keys import TemplateDeps, branding_key, related_key, sha, workspace_key
from .manifest import MANIFEST_NAME, Entry, Manifest, Output
from .pdfpool import Pool, default_jobs
from .publish import output_lock, write_atomic, write_if_changed
from .rules import Resolution
from .state import Publication, Record
from .views import to_json, view
from .workspace import Workspace

__all__ = ["BUILD_FORMATS", "MANIFEST_NAME", "BuildReport", "build"]

Progress = Callable[[int, int], None]
"""Called with (advisories done, advisories to render) as a build goes."""


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


def build(
    ws: Workspace,
    out_dir: Path | None = None,
    formats: tuple[str, ...] = BUILD_FORMATS,
    *,
    jobs: int | None = None,
    force: bool = False,
    include_drafts: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> BuildReport:
    """Render every advisory that changed; a broken one is reported and the others still build.

    `now` decides which advisories the site marks as expired; `strict` fails advisories with warnings.
    """
    chosen = [FORMATS[f] for f in dict.fromkeys(formats) if f in FORMATS]
    if len(chosen) != len(set(formats)) or not chosen:
        raise ValueError(f"unknown format(s) in {formats}; choose from {', '.join(FORMATS)}")
    started = time.perf_counter()
    ws.require_advisories()
    out_dir = (out_dir or ws.output_dir).resolve()
    if out_dir != ws.output_dir.resolve():  # the workspace's own output/ is travelrisk's by convention
        _check_output_folder(out_dir)
    with output_lock(out_dir):
        run = _Run(ws, out_dir, chosen, force, include_drafts, strict, now or datetime.now(UTC))
        todo = run.plan()
        _render(run, todo, max(1, jobs or default_jobs()), progress)
        run.tally()
        run.write_site()
    run.report.seconds = time.perf_counter() - started
    return run.report


@dataclass(frozen=True)
class _Todo:
    """An advisory whose inputs changed: resolved when its turn comes."""

    source: str
    path: Path
    raw: str
    """The hash of the file's bytes as the plan read them."""
    inputs: str


@dataclass(eq=False)
class _Job:
    """One advisory to render: its resolution, the formats it needs and what is rendered so far."""

    source: str
    res: Resolution
    entry: Entry
    keys: dict[str, str]
    data: dict[str, bytes] = field(default_factory=dict)


class _Run:
    """The state of one build: the old and new manifests, the publication and the report."""

    def __init__(
        self,
        ws: Workspace,
        out_dir: Path,
        formats: list[OutputFormat],
        force: bool,
        include_drafts: bool,
        strict: bool,
        now: datetime,
    ) -> None:
        self.ws, self.out_dir, self.formats, self.force = ws, out_dir, formats, force
        self.include_drafts, self.strict, self.now = include_drafts, strict, now
        self.report = BuildReport()
        self.old, damaged = Manifest.load(out_dir)
        if damaged:
            self.report.warnings.append(damaged)
        self.new = Manifest()
        self.rendered: set[str] = set()
        self.failed_sources: set[str] = set()
        self.checked = False
        self.to_render: set[str] = set()
        self.fingerprint = ""
        self.pub = Publication()
        self.deps = TemplateDeps(ws)
        self.sheet: Stylesheet | None = None
        """The external stylesheet, when `fragment.style` is `external`."""

    # --- 1. plan -----------------------------------------------------------------------------

    def plan(self) -> list[_Todo]:
        ws = self.ws
        sources = {ws.source(path): path for path in ws.advisory_paths()}
        raws: dict[str, bytes] = {}
        records: dict[str, Record] = {}
        for source, path in sources.items():
            try:
                raws[source] = path.read_bytes()
            except OSError as exc:
                self._fail(source, [Problem(str(path), message=f"cannot be read ({exc.strerror})")])
                continue
            old = self.old.entries.get(source)
            if old is not None and old.raw == sha(raws[source]) and not self.force:
                records[source] = old.record  # unchanged bytes: no need to parse it again
                continue
            try:
                records[source] = Record.of(ws.load(path).advisory, source)
            except TravelriskError as exc:
                self._fail(source, exc.problems)
        self.pub = Publication.of(records.values(), self.include_drafts)
        for problem in self.pub.problems:
            if problem.severity == "warning" and not self.strict:
                self.report.warnings.append(problem)
            else:  # a file that lost its id to another must not keep outputs under that id
                self._fail(problem.path, [problem.as_error()], keep_old=problem.path not in self.pub.losers)
        fingerprint = self.fingerprint = workspace_key(ws)  # reads every rule and template file: once a build
        self.branding = branding_key(ws)
        if ws.renderer.fragment_style == "external":  # pages and fragments link it by its content's name
            self.sheet = ws.renderer.stylesheet
            self.branding = sha(self.branding, self.sheet.name)
        todo = []
        for source, record in records.items():
            if source in self.failed_sources:
                continue
            inputs = sha(
                fingerprint, raws[source], related_key(self.pub.related(record.id, self.now)), str(self.include_drafts)
            )
            old = self.old.entries.get(source)
            if old is not None and old.inputs == inputs and not self.force and self._present(old):
                self.new.entries[source] = old if self.pub.is_published(record.id) else _unpublished(old)
            else:  # resolved only when its turn to render comes: memory holds the advisories in flight
                todo.append(_Todo(source, sources[source], sha(raws[source]), inputs))
        return todo

    def jobs(self, todo: list[_Todo]) -> Iterator[_Job | None]:
        """Each advisory to resolve, resolved in turn: its job, or None when nothing of it needs rendering."""
        for item in todo:
            job = self._resolve(item.source, item.path, item.raw, item.inputs)
            if job is not None:
                self.to_render.add(job.source)
            yield job

    def tally(self) -> None:
        """Drafts left out, and the advisories that needed nothing (after rendering: resolving is lazy)."""
        for source, entry in sorted(self.new.entries.items()):
            if not self.pub.is_published(entry.id):
                self.report.drafts.append(entry.id)
            elif source not in self.to_render and source not in self.failed_sources:
                self.report.unchanged.append(entry.id)

    def _present(self, entry: Entry) -> bool:
        if not self.pub.is_published(entry.id):
            return True  # an unpublished draft needs no outputs
        for fmt in self.formats:
            out = entry.outputs.get(fmt.name)
            if out is None or _size(self.out_dir / entry.id / out.file) != out.size:
                return False
        return True

    def _resolve(self, source: str, path: Path, raw: str, inputs: str) -> _Job | None:
        ws = self.ws
        if not self.checked:  # a broken rule library or template fails the whole build, before any write
            ws.library  # noqa: B018
            if template_problems := ws.renderer.check_templates():
                raise TravelriskError(template_problems)
            self.checked = True
            # The library, templates and modules live as long as the build: the collector need not
            # walk them again each time a PDF's layout fills a generation (~5% of a build -j 1).
            gc.freeze()
        try:
            res = ws.resolve(path)
            if self.strict and res.warnings:
                raise TravelriskError([w.as_error() for w in res.warnings])
            related = self.pub.related(res.advisory.id, self.now)
            data = to_json(res, related, ws.config.base_url).encode()  # links to neighbours too
        except TravelriskError as exc:
            self._fail(source, exc.problems)
            return None
        self.report.warnings.extend(res.warnings)
        from .site import listing

        v = view(res, related, ws.config.base_url)
        old = self.old.entries.get(source)
        same_id = old is not None and old.id == res.advisory.id
        data_key = sha(data)
        if old is None:
            updated = v["issued"]["iso"]
        else:
            updated = old.updated if same_id and old.data == data_key else utc_iso(self.now)
        entry = Entry(
            source,
            raw,
            inputs,
            data_key,
            Record.of(res.advisory, source),
            listing(v, ws.library.level_rank(res.advisory.severity)),
            updated,
        )
        self.new.entries[source] = entry
        if not self.pub.is_published(res.advisory.id):
            return None
        asked = {f.name for f in self.formats}
        old_outputs = old.outputs if old is not None and same_id else {}
        entry.outputs = {f: o for f, o in old_outputs.items() if f not in asked}  # formats not asked keep their files
        out_dir_name = res.advisory.id
        keys = {f.name: sha(__version__, f.name, data_key, self.deps.key(f), self.branding) for f in self.formats}
        wanted = {}
        for name, key in keys.items():
            out = old_outputs.get(name)
            if not self.force and out and out.key == key and _size(self.out_dir / out_dir_name / out.file) == out.size:
                entry.outputs[name] = out
            else:
                wanted[name] = key
        return _Job(source, res, entry, wanted, {"json": data} if "json" in wanted else {}) if wanted else None

    def _fail(self, source: str, problems: list[Problem], keep_old: bool = True) -> None:
        """A broken advisory: reported, and its last good outputs stay published."""
        self.failed_sources.add(source)
        self.report.failed.setdefault(str(self.ws.advisories_dir / source), []).extend(problems)
        if keep_old and source in self.old.entries:
            self.new.entries[source] = self.old.entries[source]
        else:
            self.new.entries.pop(source, None)

    # --- 3. write ----------------------------------------------------------------------------

    def finish(self, job: _Job) -> None:
        """Write an advisory's files once every format rendered, so it is never half updated."""
        aid = job.res.advisory.id
        folder = self.out_dir / aid
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            problem = Problem(
                str(folder),
                message="is a link or a file, not a folder travelrisk made; nothing was written through it",
                hint="remove it, then build again",
            )
            self.failed_render(job, [problem])
            return
        for name in job.keys:
            target = folder / FORMATS[name].file_name(aid)
            write_atomic(target, job.data[name])
            self.report.files.append(target)
            linked = (self.sheet.name,) if self.sheet and self.sheet.name.encode() in job.data[name] else ()
            job.entry.outputs[name] = Output(target.name, job.keys[name], len(job.data[name]), linked)
        self.report.built.append(aid)
        self.rendered.add(job.source)

    def failed_render(self, job: _Job, problems: list[Problem]) -> None:
        self.rendered.add(job.source)
        self._fail(job.source, problems)

    def write_site(self) -> None:
        self._write_stylesheet()
        self._prune()
        from .site import build_site, site_items

        entries = {e.id: e for e in self.new.entries.values()}
        items = site_items(self.pub, entries, self.now, self.ws.config.base_url)
        written, self.new.site = build_site(
            self.ws, self.out_dir, items, None if self.force else self.old.site, self.fingerprint
        )
        self.report.files += written
        write_if_changed(self.out_dir / MANIFEST_NAME, self.new.dump())

    def _write_stylesheet(self) -> None:
        """The external stylesheet, once for every page and fragment; the manifest records it as the build's."""
        if self.sheet is None:
            return
        written, problem = write_stylesheet(self.out_dir, self.sheet)
        self.report.files += written
        self.report.warnings += [problem] if problem else []
        self.new.assets = () if problem else (self.sheet.name,)

    def _prune_assets(self) -> None:
        linked = {a for e in self.new.entries.values() for o in e.outputs.values() for a in o.assets}
        owned = {a for e in self.old.entries.values() for o in e.outputs.values() for a in o.assets}
        prune_stylesheets(self.out_dir, owned | set(self.old.assets), linked | set(self.new.assets))

    def _prune(self) -> None:
        """Remove outputs nobody owns any more: deleted advisories, old ids, unpublished drafts."""
        self._prune_assets()
        keep = {(e.id, o.file) for e in self.new.entries.values() for o in e.outputs.values()}
        for source, old in self.old.entries.items():
            folder = self.out_dir / old.id
            if folder.is_symlink():  # never follow a link inside the output folder
                continue
            for out in old.outputs.values():
                if (old.id, out.file) not in keep:
                    (folder / out.file).unlink(missing_ok=True)
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
            new = self.new.entries.get(source)
            if new is None or new.id != old.id:  # deleted, renamed or lost its id
                self.report.removed.append(old.id)


def _check_output_folder(out_dir: Path) -> None:
    """Build only into a folder travelrisk made (it has the manifest) or an empty one: a build prunes
    what it published before, and must never mix its files with, or remove, anyone else's."""
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise TravelriskError(Problem(str(out_dir), message="is not a folder", hint="choose a folder with -o"))
    if not out_dir.is_dir() or (out_dir / MANIFEST_NAME).exists():
        return
    if {p.name for p in out_dir.iterdir()} - {".travelrisk.lock"}:
        raise TravelriskError(
            Problem(
                str(out_dir),
                message="is not empty and was not made by travelrisk (it has no build manifest)",
                hint="choose an empty or new folder with -o",
            )
        )


def _unpublished(entry: Entry) -> Entry:
    return Entry(entry.source, entry.raw, entry.inputs, entry.data, entry.record, entry.listing, entry.updated)


# --- 2. render -------------------------------------------------------------------------------


def _render(run: _Run, todo: list[_Todo], workers: int, progress: Progress | None) -> None:
    total, done = len(todo), 0
    if progress:
        progress(0, total)
    options = RenderOptions()
    heavy = any(f.finish is not None for f in run.formats)
    pending: dict[_Job, int] = {}
    failed: set[_Job] = set()

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    def collect(results: Iterator[tuple[tuple[_Job, str], bytes | list[Problem]]]) -> None:
        for (job, name), result in results:
            if job in failed:
                continue
            if isinstance(result, list):
                failed.add(job)  # its other results, still to come, are dropped
                run.failed_render(job, result)
            else:
                job.data[name] = result
                pending[job] -= 1
                if pending[job]:
                    continue
                run.finish(job)
            pending.pop(job, None)
            _release(job)
            step()

    with Pool[tuple[_Job, str]](len(todo) if heavy else 0, workers) as pool:
        for job in run.jobs(todo):
            if job is None:
                step()
                continue
            related = run.pub.related(job.res.advisory.id, run.now)
            try:
                for name in job.keys:  # heavy formats first, so workers start while this process does the rest
                    fmt = FORMATS[name]
                    if fmt.finish is not None:
                        pool.submit((job, name), fmt.finish, fmt.prepare(run.ws, job.res, related, options))
                        pending[job] = pending.get(job, 0) + 1
                for name in job.keys:
                    fmt = FORMATS[name]
                    if fmt.finish is None and name not in job.data:
                        job.data[name] = fmt.render(run.ws, job.res, related, options)
            except TravelriskError as exc:
                for name in job.keys:
                    pool.cancel((job, name))
                pending.pop(job, None)
                run.failed_render(job, exc.problems)
                _release(job)
                step()
                continue
            if not pending.get(job):
                run.finish(job)
                _release(job)
                step()
            collect(pool.completed())
        collect(pool.completed(drain=True))


def _release(job: _Job) -> None:
    """A finished advisory's text and outputs are written: let them go (its entry stays)."""
    job.data = {}
    del job.res


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None
