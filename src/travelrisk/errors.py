"""One error type for every bad input: it carries a place (path, line, column) and a fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input file, where it is, and how to fix it."""

    path: str
    line: int = 1
    column: int = 1
    message: str = ""
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {self.message}"
        return f"{text}; {self.hint}" if self.hint else text


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
