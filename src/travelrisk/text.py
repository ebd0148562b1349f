"""Rule text: a sandboxed, plain-text Jinja environment, and how lists read mid-sentence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import jinja2

from .sandbox import BoundedEnvironment


def join_list(items: Iterable[Any], word: str = "and") -> str:
    """`a`, `a and b`, `a, b and c`: how advice reads a list mid-sentence. Arabic repeats و or أو
    before every item (الرباط وفاس وطنجة): natural, and a run of Latin names keeps its order on a
    right-to-left line, since an Arabic letter stands between each two. و is joined to an Arabic
    word and set apart from a Latin one."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    if word == "و":
        return items[0] + "".join(f" و{i}" if not re.match(r"[A-Za-z0-9]", i) else f" و {i}" for i in items[1:])
    if word == "أو":
        return " أو ".join(items)
    comma, tail = ", ", f" {word} "
    if any(", " in i for i in items):
        comma, tail = "; ", f"; {word} "  # items that hold commas themselves ("Nanterre, especially ...")
    return f"{comma.join(items[:-1])}{tail}{items[-1]}"


@jinja2.pass_context
def _join_and(context: Any, items: Iterable[Any]) -> str:
    return join_list(items, context.get("_and", "and"))


@jinja2.pass_context
def _join_or(context: Any, items: Iterable[Any]) -> str:
    return join_list(items, context.get("_or", "or"))


def _text_environment() -> BoundedEnvironment:
    # Rule text is plain text (HTML templates escape it later); the sandbox keeps rule authors
    # to reading the values they are given, and StrictUndefined turns a typo into an error.
    env = BoundedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    # The language's words for 'and' and 'or' come with the values rule text is rendered with.
    env.filters["join_and"] = _join_and
    env.filters["join_or"] = _join_or
    return env


TEXT_ENV = _text_environment()
