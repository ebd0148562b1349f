"""Whether a rule's `when` holds for an advisory, and if not, why: one evaluator for matching
and for `explain`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from .model import Condition
from .text import join_list

if TYPE_CHECKING:
    from .library import RuleLibrary


@dataclass(frozen=True)
class Facts:
    """What conditions look at."""

    country: str
    region: str | None
    threats: tuple[str, ...]
    severity: str
    targets: tuple[str, ...]
    cities: tuple[str, ...]
    issued: date
    kinds: tuple[str, ...] = ()
    local: bool = False
    """Whether the advisory names an `area`."""


def holds(cond: Condition, facts: Facts, lib: RuleLibrary) -> bool:
    """Whether `cond` holds: it stops at the first reason it does not, and words none (a build asks
    this of every rule for every advisory; only `explain` reads the reasons)."""
    return next(_reasons(cond, facts, lib), None) is None


def failures(cond: Condition, facts: Facts, lib: RuleLibrary) -> list[str]:
    """Why `cond` does not hold for `facts`, in words; empty when it holds."""
    return [word() for word in _reasons(cond, facts, lib)]


def _reasons(cond: Condition, facts: Facts, lib: RuleLibrary) -> Iterator[Callable[[], str]]:
    """Each reason `cond` does not hold, as a function that words it."""
    for name, wanted, actual, fold in (
        ("country", cond.country and [c.upper() for c in cond.country], [facts.country], False),
        ("region", cond.region, [facts.region] if facts.region else [], False),
        ("threat", cond.threat, facts.threats, False),
        ("severity", cond.severity, [facts.severity], False),
        ("targets", cond.targets, facts.targets, False),
        ("cities", cond.cities, facts.cities, True),
        ("kind", cond.kind, facts.kinds, False),
    ):
        if wanted is not None and not _meets(wanted, actual, fold):
            yield partial(_one_of, name, wanted, actual)
    if cond.local is not None and cond.local != facts.local:
        yield lambda: "the advisory names an area (a local event)" if facts.local else "the advisory names no area"
    if cond.severity_at_least and lib.level_rank(facts.severity) < lib.level_rank(cond.severity_at_least):
        yield lambda: f"severity {facts.severity} is below {cond.severity_at_least}"
    if cond.issued_after and not facts.issued > cond.issued_after:
        yield lambda: f"issued {facts.issued} is not after {cond.issued_after}"
    if cond.issued_before and not facts.issued < cond.issued_before:
        yield lambda: f"issued {facts.issued} is not before {cond.issued_before}"
    for sub in cond.all or []:
        yield from _reasons(sub, facts, lib)
    if cond.any is not None and not any(holds(sub, facts, lib) for sub in cond.any):
        failed = cond.any
        yield lambda: "none of 'any' holds (" + "; ".join("; ".join(failures(f, facts, lib)) for f in failed) + ")"
    if cond.not_ is not None and holds(cond.not_, facts, lib):
        yield lambda: "the 'not' condition holds"


def _meets(wanted: list[str], actual: Iterable[str], fold: bool) -> bool:
    norm = str.casefold if fold else str
    return bool({norm(w) for w in wanted} & {norm(a) for a in actual})


def _one_of(name: str, wanted: list[str], actual: Iterable[str]) -> str:
    return f"{name} is {join_list(list(actual)) or 'none'}, not {join_list(wanted, 'or')}"
