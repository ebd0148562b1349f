"""One error type for every bad input: it carries a place (path, line, column) and a fix."""

from __future__ import annotations

import re
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
        return _printable(f"{text}; {self.hint}" if self.hint else text)


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
