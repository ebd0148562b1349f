"""Whether a rule's `when` holds for an advisory, and if not, why: one evaluator for matching
and for `explain`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
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
    """Whether `cond` holds: `not failures(...)`, without putting the reasons into words (a build
    asks this of every rule for every advisory; only `explain` reads the reasons)."""
    if cond.country is not None and facts.country not in {c.upper() for c in cond.country}:
        return False
    if cond.region is not None and facts.region not in cond.region:
        return False
    for wanted, actual in (
        (cond.threat, facts.threats),
        (cond.severity, (facts.severity,)),
        (cond.targets, facts.targets),
        (cond.kind, facts.kinds),
    ):
        if wanted is not None and not set(wanted) & set(actual):
            return False
    if cond.cities is not None and not {c.casefold() for c in cond.cities} & {c.casefold() for c in facts.cities}:
        return False
    if cond.local is not None and cond.local != facts.local:
        return False
    if cond.severity_at_least and lib.level_rank(facts.severity) < lib.level_rank(cond.severity_at_least):
        return False
    if cond.issued_after and not facts.issued > cond.issued_after:
        return False
    if cond.issued_before and not facts.issued < cond.issued_before:
        return False
    if cond.all and not all(holds(sub, facts, lib) for sub in cond.all):
        return False
    if cond.any is not None and not any(holds(sub, facts, lib) for sub in cond.any):
        return False
    return cond.not_ is None or not holds(cond.not_, facts, lib)


def failures(cond: Condition, facts: Facts, lib: RuleLibrary) -> list[str]:
    """Why `cond` does not hold for `facts`, in words; empty when it holds."""
    reasons = [
        reason
        for reason in (
            _one_of("country", cond.country and [c.upper() for c in cond.country], [facts.country]),
            _one_of("region", cond.region, [facts.region] if facts.region else []),
            _one_of("threat", cond.threat, facts.threats),
            _one_of("severity", cond.severity, [facts.severity]),
            _one_of("targets", cond.targets, facts.targets),
            _one_of("cities", cond.cities, facts.cities, fold=True),
            _one_of("kind", cond.kind, facts.kinds),
        )
        if reason
    ]
    if cond.local is not None and cond.local != facts.local:
        reasons.append("the advisory names an area (a local event)" if facts.local else "the advisory names no area")
    if cond.severity_at_least and lib.level_rank(facts.severity) < lib.level_rank(cond.severity_at_least):
        reasons.append(f"severity {facts.severity} is below {cond.severity_at_least}")
    if cond.issued_after and not facts.issued > cond.issued_after:
        reasons.append(f"issued {facts.issued} is not after {cond.issued_after}")
    if cond.issued_before and not facts.issued < cond.issued_before:
        reasons.append(f"issued {facts.issued} is not before {cond.issued_before}")
    for sub in cond.all or []:
        reasons += failures(sub, facts, lib)
    if cond.any is not None:
        failed = [failures(sub, facts, lib) for sub in cond.any]
        if all(failed):
            reasons.append("none of 'any' holds (" + "; ".join("; ".join(f) for f in failed) + ")")
    if cond.not_ is not None and not failures(cond.not_, facts, lib):
        reasons.append("the 'not' condition holds")
    return reasons


def _one_of(name: str, wanted: list[str] | None, actual: Iterable[str], fold: bool = False) -> str | None:
    if wanted is None:
        return None
    actual = list(actual)
    norm = str.casefold if fold else str
    if {norm(w) for w in wanted} & {norm(a) for a in actual}:
        return None
    return f"{name} is {join_list(actual) or 'none'}, not {join_list(wanted, 'or')}"
