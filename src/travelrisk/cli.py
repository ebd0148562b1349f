"""The command-line face: parse flags, call the library, turn errors into messages and exit codes.

Exit codes: 0 ok, 1 bad input or a failed render, 2 wrong usage (Typer's own).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from .errors import Problem, TravelriskError

app = typer.Typer(
    name="travelrisk",
    help="Turn short YAML advisories into finished travel-risk advisories (PDF, HTML, JSON).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


class Format(StrEnum):
    pdf = "pdf"
    html = "html"
    fragment = "fragment"
    json = "json"
    text = "text"


class PdfVariant(StrEnum):
    pdfa = "pdf/a-3u"
    pdfua = "pdf/ua-1"


def report(problems: list[Problem], label: str = "error") -> None:
    for p in problems:
        text = str(p)
        if label != "error":
            path_place, _, rest = text.partition(": ")
            text = f"{path_place}: {label}: {rest}"
        typer.echo(text, err=True)


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
            typer.echo(f"travelrisk: internal error ({type(exc).__name__}: {exc}); "
                       "please report it, with TRAVELRISK_DEBUG=1 set for the traceback", err=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def workspace(ctx: typer.Context) -> Any:
    from .workspace import Workspace

    return Workspace(ctx.obj or Path.cwd())


@app.callback()
def main(
    ctx: typer.Context,
    workspace_dir: Annotated[Path | None, typer.Option(
        "--workspace", "-w", help="Workspace folder (advisories/, rules/, templates/). Default: current folder.",
        file_okay=False)] = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        from . import __version__

        typer.echo(f"travelrisk {__version__}")
        raise typer.Exit(0)
    ctx.obj = workspace_dir


@app.command()
@friendly
def render(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The advisory YAML file (it may live anywhere).")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.pdf,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="Output file, or - for standard output. Default: output/<id>/<file>.")] = None,
    pdf_variant: Annotated[PdfVariant | None, typer.Option(
        "--pdf-variant", help="PDF/A (archival) or PDF/UA (accessibility).")] = None,
) -> None:
    """Render one advisory to PDF, a standalone HTML page, an HTML fragment, JSON or text."""
    from .build import file_name
    from .build import render as render_one
    from .publish import write_atomic

    ws = workspace(ctx)
    res = ws.resolve(file)
    report(res.warnings, "warning")
    data = render_one(ws, res, fmt.value, pdf_variant.value if pdf_variant else None)
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(output) if output else ws.output_dir / res.advisory.id / file_name(res.advisory.id, fmt.value)
    write_atomic(target, data)
    typer.echo(str(target), err=True)


@app.command()
@friendly
def build(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output folder. Default: output/.",
                                                file_okay=False)] = None,
) -> None:
    """Build every advisory in advisories/ to HTML, fragment, PDF and JSON under output/<id>/."""
    from .build import build as build_all

    ws = workspace(ctx)
    result = build_all(ws, output)
    report(result.warnings, "warning")
    for problems in result.failed.values():
        report(problems)
    out = output or ws.output_dir
    typer.echo(f"built {len(result.built)}, failed {len(result.failed)} -> {out}", err=True)
    if result.failed:
        raise typer.Exit(1)


@app.command()
@friendly
def validate(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Advisory files or folders, rule files, templates. Default: the whole workspace.")] = None,
) -> None:
    """Check advisories, the rule library (running its examples) and templates; exit 1 on any error."""
    from .checks import validate as check

    result = check(workspace(ctx), paths or None)
    report(result.warnings, "warning")
    report(result.problems)
    if not result.ok:
        typer.echo(f"{len(result.problems)} problem(s) in {result.checked} file(s) checked", err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {result.checked} file(s) checked", err=True)


def run() -> None:  # the console script
    app()
