"""What every command shares: the Typer app, choices made from library constants, problem reports,
the error guard, the workspace with flag overrides, and the progress bar."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import typer

from .errors import Problem, TravelriskError
from .formats import FORMATS, PDF_VARIANTS
from .state import STATES, STATUSES

FRAGMENT_STYLES = ("scoped", "inline", "shadow", "external")

app = typer.Typer(
    name="travelrisk",
    help="Turn short YAML advisories into finished travel-risk advisories (PDF, HTML, JSON).",
    no_args_is_help=True,
    add_completion=True,
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
    StyleChoice = str
else:
    FormatChoice = _choices("FormatChoice", FORMATS)
    PdfVariantChoice = _choices("PdfVariantChoice", PDF_VARIANTS)
    StatusChoice = _choices("StatusChoice", STATUSES)
    StateChoice = _choices("StateChoice", STATES)
    StyleChoice = _choices("StyleChoice", FRAGMENT_STYLES)


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
        except BrokenPipeError:  # `travelrisk render -o - | head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush at exit
            raise typer.Exit(0) from None
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


def show_version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"travelrisk {__version__}")
        raise typer.Exit(0)


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
