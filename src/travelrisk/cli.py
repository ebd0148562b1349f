"""The command-line face: parse flags, call the library, turn errors into messages and exit codes.

Exit codes: 0 ok, 1 bad input or a failed render, 2 wrong usage (Typer's own).
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from .errors import Problem, TravelriskError
from .formats import BUILD_FORMATS, FORMATS, PDF_VARIANTS
from .state import STATES, STATUSES

app = typer.Typer(
    name="travelrisk",
    help="Turn short YAML advisories into finished travel-risk advisories (PDF, HTML, JSON).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


def _choices(name: str, values: Iterable[str]) -> Any:
    """An enum of a library constant's values for Typer's choices: the CLI keeps no copy of the list.
    Its members are `str`s equal to the values."""
    return StrEnum(name, {re.sub(r"\W", "_", v): v for v in values})


if TYPE_CHECKING:  # to the type checker, each choice is the plain string it equals
    FormatChoice = str
    PdfVariantChoice = str
    StatusChoice = str
    StateChoice = str
else:
    FormatChoice = _choices("FormatChoice", FORMATS)
    PdfVariantChoice = _choices("PdfVariantChoice", PDF_VARIANTS)
    StatusChoice = _choices("StatusChoice", STATUSES)
    StateChoice = _choices("StateChoice", STATES)


def report(problems: list[Problem]) -> None:
    for p in problems:
        typer.echo(str(p), err=True)


def friendly(func: F) -> F:
    """Bad input ends in `path:line:col: message` and exit 1, never in a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TravelriskError as exc:
            report(exc.problems)
            raise typer.Exit(1) from None
        except OSError as exc:
            where = exc.filename or "travelrisk"
            typer.echo(f"{where}:1:1: {exc.strerror or exc}; check the path and its permissions", err=True)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug of ours: say so briefly; TRAVELRISK_DEBUG=1 shows the traceback
            if os.environ.get("TRAVELRISK_DEBUG"):
                raise
            typer.echo(
                f"travelrisk: internal error ({type(exc).__name__}: {exc}); "
                "please report it, with TRAVELRISK_DEBUG=1 set for the traceback",
                err=True,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def workspace(ctx: typer.Context, **overrides: tuple[Any, str]) -> Any:
    """The workspace the command works in, with command-line `overrides` laid over its config."""
    from .workspace import Workspace

    return Workspace(ctx.obj or Path.cwd(), {k.replace("__", "."): v for k, v in overrides.items()})


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"travelrisk {__version__}")
        raise typer.Exit(0)


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
        bool, typer.Option("--version", help="Print the version and exit.", is_eager=True, callback=_version)
    ] = False,
) -> None:
    ctx.obj = workspace_dir


@app.command()
@friendly
def render(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The advisory YAML file (it may live anywhere).")],
    fmt: Annotated[FormatChoice, typer.Option("--format", "-f", help="Output format.")] = "pdf",
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Output file, or - for standard output. Default: output/<id>/<file>."),
    ] = None,
    pdf_variant: Annotated[
        PdfVariantChoice | None,
        typer.Option("--pdf-variant", help="PDF/A (archival) or PDF/UA (accessibility)."),
    ] = None,
    shadow: Annotated[
        bool,
        typer.Option(
            "--shadow", help="Fragment only: wrap it in a declarative shadow root, isolated from the host's CSS."
        ),
    ] = False,
) -> None:
    """Render one advisory to PDF, a standalone HTML page, an HTML fragment, JSON or text."""
    from .formats import RenderOptions
    from .publish import write_atomic

    ws = workspace(ctx, **({"fragment__shadow": (True, "--shadow")} if shadow else {}))
    res = ws.resolve(file)
    a = res.advisory
    pub = ws.publication(mentioning={a.id, *([a.supersedes] if a.supersedes else [])}, extra=[file])
    report(res.warnings)
    data = FORMATS[fmt].render(ws, res, pub.related(a.id), RenderOptions(pdf_variant))
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(output) if output else ws.output_dir / a.id / FORMATS[fmt].file_name(a.id)
    write_atomic(target, data)
    typer.echo(str(target), err=True)


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
    typer.echo(f"{result.summary()} in {result.seconds:.2f} s -> {output or ws.output_dir}", err=True)
    if result.failed:
        raise typer.Exit(1)


@contextmanager
def terminal_progress(stream: IO[str] | None = None) -> Iterator[Callable[[int, int], None] | None]:
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
        typer.echo(str(folder / name), err=True)


class ListFormat(StrEnum):
    table = "table"
    json = "json"


def _interactive() -> bool:
    """Whether to ask for missing `new` flags (a test may pretend to be a terminal)."""
    return sys.stdin.isatty()


def _ask(label: str, check: Callable[[str], Any]) -> Any:
    """Prompt until `check` accepts the answer; its error is shown and the question asked again."""

    def convert(value: str) -> Any:
        try:
            return check(value)
        except TravelriskError as exc:
            raise typer.BadParameter(
                "; ".join(f"{p.message}; {p.hint}" if p.hint else p.message for p in exc.problems)
            ) from None

    return typer.prompt(label, value_proc=convert)


@app.command()
@friendly
def new(
    ctx: typer.Context,
    country: Annotated[str | None, typer.Option("--country", "-c", help="ISO code (MA) or English name.")] = None,
    threat: Annotated[
        list[str] | None, typer.Option("--threat", "-t", help="Threat key; repeat or separate with commas for several.")
    ] = None,
    severity: Annotated[str | None, typer.Option("--severity", "-s", help="Severity level key, e.g. warning.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="The headline.")] = None,
    summary: Annotated[str | None, typer.Option("--summary", help="Summary (default: a placeholder).")] = None,
    event: Annotated[str | None, typer.Option("--event", help="What happened (default: a placeholder).")] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to create. Default: advisories/<id>.yaml.", dir_okay=False),
    ] = None,
) -> None:
    """Start a new advisory (a draft) from flags, or by asking on a terminal; prints the new file's path."""
    from .authoring import check_country, check_severity, check_threats, check_title, new_advisory

    ws = workspace(ctx)
    missing = [
        flag
        for flag, value in (("--country", country), ("--threat", threat), ("--severity", severity), ("--title", title))
        if not value
    ]
    if missing and not _interactive():  # wrong usage: exit 2, like Typer's own usage errors
        typer.echo(
            f"travelrisk new: missing {', '.join(missing)}; give them as flags (on a terminal, "
            "travelrisk asks for them)",
            err=True,
        )
        raise typer.Exit(2)
    if not country:
        country = _ask("Country (ISO code or English name)", lambda v: check_country(ws, v))
    if not threat:
        threat = _ask(f"Threat(s), comma-separated [{', '.join(ws.library.threats)}]", lambda v: check_threats(ws, [v]))
    if not severity:
        severity = _ask(f"Severity [{', '.join(ws.library.levels)}]", lambda v: check_severity(ws, v))
    if not title:
        title = _ask("Title", check_title)
    assert country and threat and severity and title
    path = new_advisory(
        ws, country=country, threats=threat, severity=severity, title=title, summary=summary, event=event, output=output
    )
    typer.echo(str(path))
    typer.echo(f"next: edit it, then `travelrisk render {path}` (it is a draft until you set status: final)", err=True)


@app.command()
@friendly
def update(
    ctx: typer.Context,
    advisory_id: Annotated[str, typer.Argument(metavar="ID", help="The id (or file) of the advisory to update.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to create. Default: advisories/<new id>.yaml.", dir_okay=False),
    ] = None,
) -> None:
    """Start an update (a draft) that supersedes advisory ID: its fields copied, new id and issue time."""
    from .authoring import update_advisory

    path = update_advisory(workspace(ctx), advisory_id, output=output)
    typer.echo(str(path))
    typer.echo(f"next: say what has changed, set status: final, then `travelrisk render {path}`", err=True)


@app.command()
@friendly
def serve(
    ctx: typer.Context,
    port: Annotated[
        int, typer.Option("--port", "-p", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")
    ] = 8000,
) -> None:
    """Preview the workspace's advisories in a browser; pages rebuild and reload as files change."""
    from .serve import serve as run_preview

    run_preview(workspace(ctx).root, port, log=lambda line: typer.echo(line, err=True))


@app.command("list")
@friendly
def list_advisories(
    ctx: typer.Context,
    country: Annotated[list[str] | None, typer.Option("--country", "-c", help="Code or name; repeatable.")] = None,
    severity: Annotated[list[str] | None, typer.Option("--severity", "-s", help="Level key; repeatable.")] = None,
    status: Annotated[list[StatusChoice] | None, typer.Option("--status", help="As written in the file.")] = None,
    threat: Annotated[list[str] | None, typer.Option("--threat", "-t", help="Threat key; repeatable.")] = None,
    expired: Annotated[bool, typer.Option("--expired", help="Only final ones past valid_until.")] = False,
    active: Annotated[bool, typer.Option("--active", help="Only those in force now.")] = False,
    state: Annotated[
        list[StateChoice] | None, typer.Option("--state", help="Only those in this state; repeatable.")
    ] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="table or json.")] = ListFormat.table,
) -> None:
    """List the advisories: id, country, severity, status, issued, valid until, and whether in force."""
    from .listing import Filters, rows, table, to_json

    states = (*(state or ()), *(("expired",) if expired else ()), *(("active",) if active else ()))
    filters = Filters(tuple(country or ()), tuple(severity or ()), tuple(status or ()), tuple(threat or ()), states)
    found, problems = rows(workspace(ctx), filters)
    typer.echo(to_json(found) if fmt is ListFormat.json else table(found), nl=False)
    report(problems)
    if problems:
        raise typer.Exit(1)


def run() -> None:  # the console script
    app()
