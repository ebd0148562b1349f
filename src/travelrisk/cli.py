"""The command-line face: parse flags, call the library, turn errors into messages and exit codes.

Exit codes: 0 ok, 1 bad input or a failed render, 2 wrong usage (Typer's own).
"""

from __future__ import annotations

import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import cli_desk  # noqa: F401 - registers new, update, serve and list
from .clikit import (
    FormatChoice,
    PdfVariantChoice,
    StyleChoice,
    app,
    friendly,
    report,
    show_version,
    terminal_progress,
    workspace,
)
from .formats import BUILD_FORMATS, FORMATS, for_suffix

if TYPE_CHECKING:
    from .formats import OutputFormat
    from .pdfpool import Early

__all__ = ["app", "run"]


@app.callback(context_settings={"help_option_names": ["-h", "--help"]})
def main(
    ctx: typer.Context,
    workspace_dir: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Workspace folder (advisories/, rules/, templates/). Default: current folder.",
            file_okay=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", is_eager=True, callback=show_version)
    ] = False,
) -> None:
    ctx.obj = workspace_dir


@app.command()
@friendly
def render(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The advisory YAML file (it may live anywhere).")],
    fmt: Annotated[
        FormatChoice | None,
        typer.Option(
            "--format", "-f", help="Output format. Default: from -o's extension (.pdf, .html, .json, .txt), else pdf."
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Output file, or - for standard output. Default: output/<id>/<file>."),
    ] = None,
    pdf_variant: Annotated[
        PdfVariantChoice | None,
        typer.Option("--pdf-variant", help="PDF/A (archival) or PDF/UA (accessibility)."),
    ] = None,
    style: Annotated[
        StyleChoice | None,
        typer.Option(
            "--style",
            help="Fragment only: scoped (one <style>), inline (style attributes only, for "
            "sanitisers that strip <style>), shadow (a shadow root with an inline fallback) or external "
            "(pages and fragments link a stylesheet written to assets/, for a CSP without inline styles).",
        ),
    ] = None,
    shadow: Annotated[bool, typer.Option("--shadow", help="Same as --style shadow.")] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            "-l",
            help="Language: fr, ar...; several (en,fr) make one document with each language whole. "
            "Default: the advisory's own.",
        ),
    ] = None,
    attach_pdf: Annotated[
        bool, typer.Option("--attach-pdf", help="Email only: attach the PDF (config: email.attach_pdf).")
    ] = False,
) -> None:
    """Render one advisory to PDF, a standalone HTML page, an HTML fragment, JSON, text, an email or an SMS."""
    chosen = _format_for(fmt, output)
    if output == "-" and chosen.binary and sys.stdout.isatty():
        typer.echo(
            f"travelrisk render: a {chosen.name.upper()} is not for a terminal; give -o FILE, or pipe it", err=True
        )
        raise typer.Exit(2)
    from .pdfpool import early as early_worker

    # A PDF: WeasyPrint's import (the slowest step) starts now, in a forked worker, beside ours
    # (or started already, before our imports: pdfpool.prestart).
    early = early_worker(chosen.name == "pdf")
    try:
        _render_one(ctx, file, chosen, output, pdf_variant, style, shadow, lang, attach_pdf, early)
    finally:
        if early is not None:
            early.close()


def _render_one(
    ctx: typer.Context,
    file: Path,
    chosen: OutputFormat,
    output: str | None,
    pdf_variant: str | None,
    style: str | None,
    shadow: bool,
    lang: str | None,
    attach_pdf: bool,
    early: Early | None,
) -> None:
    from .assets import ASSETS
    from .formats import RenderOptions
    from .publish import write_atomic

    overrides = {"fragment__style": (style, "--style")} if style else {}
    if shadow:
        overrides = {"fragment__style": ("shadow", "--shadow")}
    ws = workspace(ctx, **overrides)
    if output and output != "-":  # an external stylesheet goes beside the file, in assets/
        ws.renderer.asset_prefix = ""
    langs = _languages(lang)
    res, *others = [ws.resolve(file, code) for code in langs] if langs else [ws.resolve(file)]
    a = res.advisory
    pub = ws.publication(mentioning={a.id, *([a.supersedes] if a.supersedes else [])}, extra=[file])
    report(res.warnings)
    options = RenderOptions(pdf_variant, attach_pdf=attach_pdf, others=tuple(others))
    if early is not None and chosen.finish is not None:
        data = early.run(chosen.finish, chosen.prepare(ws, res, pub.related(a.id), options))
    else:
        data = chosen.render(ws, res, pub.related(a.id), options)
    sheet = ws.renderer.stylesheet if ws.renderer.fragment_style == "external" else None
    if sheet is not None and sheet.name.encode() not in data:
        sheet = None  # a PDF, JSON or text links no stylesheet
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        if sheet is not None:
            href = ws.renderer.stylesheet_link()["href"]
            typer.echo(f"travelrisk render: it links {href}; `travelrisk build` writes it, or give -o FILE", err=True)
        return
    name = chosen.file_name(a.id)
    if langs:  # never over the advisory's own-language file: index.fr.html, <id>.en-fr.pdf
        stem, _, ext = name.rpartition(".")
        name = f"{stem}.{'-'.join(langs)}.{ext}"
    target = Path(output) if output else ws.output_dir / a.id / name
    write_atomic(target, data)
    typer.echo(str(target))
    if sheet is not None:  # what the page or fragment links, where its link finds it
        css = (target.parent if output else ws.output_dir) / ASSETS / sheet.name
        write_atomic(css, sheet.data)
        typer.echo(str(css))


def _languages(given: str | None) -> list[str]:
    """`--lang fr` or `--lang en,fr`: language codes, each once, in the order given."""
    if given is None:
        return []
    codes = list(dict.fromkeys(c.strip().lower() for c in given.split(",") if c.strip()))
    if not codes or any(not re.fullmatch(r"[a-z]{2,3}", c) for c in codes):
        typer.echo(f"travelrisk render: --lang {given}: give language codes such as fr or en,fr", err=True)
        raise typer.Exit(2)
    return codes


def _format_for(fmt: str | None, output: str | None) -> OutputFormat:
    """-f when given; else the format -o's extension names; else PDF. A clash is a usage error."""
    by_suffix = for_suffix(Path(output).suffix) if output and output != "-" else None
    if fmt is None:
        return by_suffix or FORMATS["pdf"]
    if by_suffix is not None and by_suffix.name != fmt and Path(str(output)).suffix not in FORMATS[fmt].suffixes:
        typer.echo(
            f"travelrisk render: -o {output} is a {by_suffix.name} file name, but -f asks for {fmt}; make them agree",
            err=True,
        )
        raise typer.Exit(2)
    return FORMATS[fmt]


@app.command()
@friendly
def build(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Output folder. Default: output/.", file_okay=False)
    ] = None,
    formats: Annotated[
        list[FormatChoice] | None,
        typer.Option(
            "--format",
            "-f",
            help=f"Format to build; repeat for several. Default: {', '.join(BUILD_FORMATS)}.",
        ),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes for PDFs. Default: the number of cores.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild every advisory, changed or not.")] = False,
    include_drafts: Annotated[
        bool,
        typer.Option(
            "--include-drafts", help="Also build drafts and list them on the site (for review, not publication)."
        ),
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
) -> None:
    """Build every changed advisory in advisories/ under output/<id>/, and the site: index.html, feed.xml,
    advisories.json."""
    from .build import build as build_all

    ws = workspace(ctx)
    chosen = tuple(formats) if formats else BUILD_FORMATS
    with terminal_progress() as progress:
        result = build_all(
            ws, output, chosen, jobs=jobs, force=force, include_drafts=include_drafts, strict=strict, progress=progress
        )
    report(result.warnings)
    for problems in result.failed.values():
        report(problems)
    for written in result.files:  # what it wrote, for scripts; the summary is for people
        typer.echo(str(written))
    typer.echo(f"{result.summary()} in {result.seconds:.2f} s -> {output or ws.output_dir}", err=True)
    if result.failed:
        raise typer.Exit(1)


@app.command()
@friendly
def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Advisory files or folders, rule files, templates. Default: the whole workspace."),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
) -> None:
    """Check advisories, the rule library (running its examples) and templates; exit 1 on any error."""
    from .checks import validate as check

    result = check(workspace(ctx), paths or None, strict=strict)
    report(result.warnings)
    report(result.problems)
    if not result.ok:
        typer.echo(f"{len(result.problems)} problem(s) in {result.checked} file(s) checked", err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {result.checked} file(s) checked", err=True)


class ExplainFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
@friendly
def explain(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The advisory YAML file.")],
    fmt: Annotated[ExplainFormat, typer.Option("--format", "-f", help="text or json.")] = ExplainFormat.text,
) -> None:
    """Show which rules matched and why, which did not (and the failing condition), and which
    rule wrote each advice paragraph."""
    from .explain import explanation, to_json, to_text

    ws = workspace(ctx)
    data = explanation(ws.resolve(file), ws.library, ws.root)
    typer.echo((to_json if fmt is ExplainFormat.json else to_text)(data), nl=False)


@app.command()
@friendly
def schema(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the *.schema.json files.", file_okay=False)
    ] = Path("schemas"),
) -> None:
    """Write JSON Schemas for advisory and rule files, for editor completion and checks."""
    from .publish import write_atomic
    from .schema import dumps, schemas

    ws = workspace(ctx)
    folder = output if output.is_absolute() else ws.root / output
    for name, data in schemas(ws.library).items():
        write_atomic(folder / name, dumps(data))
        typer.echo(str(folder / name))


def run() -> None:  # the console script
    app()
