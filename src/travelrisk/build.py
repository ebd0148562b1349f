"""One advisory to its output files, and every advisory of a workspace to `output/`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem, TravelriskError
from .publish import output_lock, write_atomic
from .render import to_json, to_text
from .rules import Resolution
from .workspace import Workspace

FORMATS = ("html", "fragment", "pdf", "json", "text")
BUILD_FORMATS = ("html", "fragment", "pdf", "json")
"""What `travelrisk build` writes by default."""


def file_name(advisory_id: str, fmt: str) -> str:
    """Where format `fmt` of an advisory goes inside `output/<id>/`."""
    return {"html": "index.html", "fragment": "fragment.html", "pdf": f"{advisory_id}.pdf",
            "json": f"{advisory_id}.json", "text": f"{advisory_id}.txt"}[fmt]


def render(ws: Workspace, res: Resolution, fmt: str, pdf_variant: str | None = None) -> bytes:
    """One advisory in one format, as bytes."""
    if fmt == "json":
        return to_json(res).encode()
    if fmt == "text":
        return to_text(res).encode()
    if fmt == "pdf":
        from .pdf import html_to_pdf  # WeasyPrint is imported only when a PDF is wanted

        html = ws.renderer.html(res, "pdf")
        base = ws.template_dirs[0]
        identity = f"{res.advisory.id}\n{html}\n{pdf_variant}"
        return html_to_pdf(html, base, ws.template_dirs, identity, pdf_variant, str(res.advisory.id))
    kind = {"html": "page", "fragment": "fragment"}.get(fmt)
    if kind is None:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return ws.renderer.html(res, kind).encode()


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    failed: dict[str, list[Problem]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def build(ws: Workspace, out_dir: Path | None = None, formats: tuple[str, ...] = BUILD_FORMATS) -> BuildReport:
    """Render every advisory; a broken one is reported and the others still build."""
    out_dir = out_dir or ws.output_dir
    report = BuildReport()
    ws.library  # noqa: B018 - a broken rule library fails the whole build up front
    if problems := ws.renderer.check_templates():
        raise TravelriskError(problems)
    with output_lock(out_dir):
        _build_into(ws, out_dir, formats, report)
    return report


def _build_into(ws: Workspace, out_dir: Path, formats: tuple[str, ...], report: BuildReport) -> None:
    seen: dict[str, Path] = {}
    for path in ws.advisory_paths():
        try:
            res = ws.resolve(path)
            aid = res.advisory.id
            if aid in seen:
                raise TravelriskError(Problem(str(path), message=f"id '{aid}' is already used by {seen[aid]}",
                                              hint="give each advisory its own id"))
            seen[aid] = path
            outputs = {file_name(aid, fmt): render(ws, res, fmt) for fmt in formats}
        except TravelriskError as exc:
            report.failed[str(path)] = exc.problems
            continue
        for name, data in outputs.items():  # written only once every format rendered
            target = out_dir / aid / name
            write_atomic(target, data)
            report.files.append(target)
        report.built.append(aid)
        report.warnings.extend(res.warnings)
