"""The analyst's desk commands: `new`, `update`, `serve` and `list`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .clikit import (
    StateChoice,
    StatusChoice,
    app,
    friendly,
    report,
    workspace,
)
from .errors import TravelriskError


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
