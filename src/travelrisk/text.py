"""Rule text: a sandboxed, plain-text Jinja environment, and how lists read mid-sentence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jinja2

from .sandbox import BoundedEnvironment


def join_list(items: Iterable[Any], word: str = "and") -> str:
    """`a`, `a and b`, `a, b and c`: how advice reads a list mid-sentence."""
    items = [str(i) for i in items]
    if len(items) <= 2:
        return f" {word} ".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _text_environment() -> BoundedEnvironment:
    # Rule text is plain text (HTML templates escape it later); the sandbox keeps rule authors
    # to reading the values they are given, and StrictUndefined turns a typo into an error.
    env = BoundedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    env.filters["join_and"] = join_list
    env.filters["join_or"] = lambda items: join_list(items, "or")
    return env


TEXT_ENV = _text_environment()
