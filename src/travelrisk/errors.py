"""One error type for every bad input: it carries a place (path, line, column) and a fix."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input file, where it is, and how to fix it."""

    path: str
    line: int = 1
    column: int = 1
    message: str = ""
    hint: str = ""
    severity: Severity = "error"
    """A warning is printed and the run goes on; `--strict` makes it an error."""

    def __str__(self) -> str:
        label = "warning: " if self.severity == "warning" else ""
        # A command-line option has no lines: `--country: unknown country 'Atlantis'`.
        where = self.path if self.path.startswith("--") else f"{self.path}:{self.line}:{self.column}"
        text = f"{where}: {label}{self.message}"
        return _printable(f"{text}; {self.hint}" if self.hint else text)

    def as_warning(self) -> Problem:
        return replace(self, severity="warning")

    def as_error(self) -> Problem:
        return replace(self, severity="error")


# Input echoed in a message (a key, a file name) must not break the one-line format or send
# escape sequences to the terminal: control, line-breaking and bidi characters are shown as \uXXXX.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _printable(text: str) -> str:
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


class TravelriskError(Exception):
    """Bad input or a failed render: the CLI prints the problems and exits 1."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def problem(path: str | Path, message: str, hint: str = "", line: int = 1, column: int = 1) -> Problem:
    return Problem(str(path), line, column, message, hint)


def fail(path: str | Path, message: str, hint: str = "", line: int = 1, column: int = 1) -> TravelriskError:
    """Build (not raise) an error with a single problem, for `raise fail(...)`."""
    return TravelriskError(problem(path, message, hint, line, column))


def closest(value: str, known: Iterable[str]) -> str | None:
    """The known value `value` was most likely meant to be: an exact match ignoring case first,
    then the nearest spelling."""
    choices = list(known)
    folded = [k for k in choices if k.casefold() == value.casefold()]
    if len(folded) == 1:
        return folded[0]
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if not close:
        lowered = {k.casefold(): k for k in choices}
        close = [lowered[m] for m in difflib.get_close_matches(value.casefold(), list(lowered), n=1, cutoff=0.6)]
    return close[0] if close else None


def did_you_mean(value: str, known: Iterable[str], otherwise: str | None = None) -> str:
    """The hint for an unknown value: "did you mean 'x'?", else `otherwise`, else what is allowed."""
    choices = list(known)
    if (guess := closest(value, choices)) is not None:
        return f"did you mean '{guess}'?"
    if otherwise is not None:
        return otherwise
    return f"known: {', '.join(sorted(choices))}" if choices else ""
