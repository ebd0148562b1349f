"""Threat context -> advice, targets, cities and background.

`resolve` applies the rule library (library.py) to one advisory and returns plain data for
the renderer, with a trace of every rule: matched or not, why, and whether another rule
shadowed it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from . import countries
from .conditions import Facts, failures
from .errors import Problem, TravelriskError
from .library import LoadedRule, RuleLibrary, _unknown
from .loading import Document
from .model import Advisory, CountryProfile, Level, TargetCategory, Threat

__all__ = ["AdviceParagraph", "Resolution", "RuleLibrary", "RuleTrace", "resolve"]


# --- applying the rules to one advisory ----------------------------------------------------


@dataclass
class AdviceParagraph:
    text: str
    rule: str  # the id of the rule that wrote it, or "author" for the advisory's own advice


@dataclass
class RuleTrace:
    rule: str
    path: str
    line: int
    layer: str
    matched: bool
    reason: str | None  # why it did not match
    used: bool
    shadowed_by: str | None = None


@dataclass
class Resolution:
    """An advisory with its rules applied: everything a template needs, as plain data."""

    advisory: Advisory
    country_code: str
    country_name: str
    profile: CountryProfile | None
    level: Level
    threats: list[Threat]
    targets: dict[str, TargetCategory]
    cities: list[str]
    advice: list[AdviceParagraph]
    background: list[str]
    trace: list[RuleTrace]
    warnings: list[Problem]
    facts: Facts  # what the conditions were tested against


def resolve(advisory: Advisory, doc: Document, lib: RuleLibrary) -> Resolution:
    """Apply the rule library to an advisory, or raise with every bad reference placed."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    code, name, profile = _country(advisory, doc, lib, problems, warnings)
    if advisory.severity not in lib.levels:
        problems.append(_unknown(doc, ("severity",), "severity level", advisory.severity, lib.levels))
    for i, key in enumerate(advisory.threat):
        if key not in lib.threats:
            problems.append(
                _unknown(
                    doc,
                    ("threat", i) if doc.place(("threat", i)) != doc.place(()) else ("threat",),
                    "threat",
                    key,
                    lib.threats,
                )
            )
    for i, key in enumerate(advisory.targets or []):
        if key not in lib.targets:
            problems.append(_unknown(doc, ("targets", i), "target", key, lib.targets))
    if problems:
        raise TravelriskError(sorted(set(problems)))

    threats = [lib.threats[key] for key in advisory.threat]
    target_keys = (
        advisory.targets
        if advisory.targets is not None
        else _dedupe(key for threat in threats for key in threat.default_targets)
    )
    targets = {key: lib.targets[key] for key in target_keys}
    cities = list(advisory.cities) if advisory.cities is not None else list(profile.cities if profile else [])
    if profile is None and advisory.cities is None:
        warnings.append(
            doc.problem(
                ("country",),
                f"no country profile for {name}, so no cities are named",
                "add 'cities:' to the advisory, or a profile under rules/countries/",
            )
        )
    facts = Facts(
        code,
        profile.region if profile else None,
        tuple(advisory.threat),
        advisory.severity,
        tuple(targets),
        tuple(cities),
        advisory.issued.date(),
    )

    trace: list[RuleTrace] = []
    matched: list[LoadedRule] = []
    ordered = sorted(lib.rules, key=lambda r: (_threat_position(r, advisory.threat), r.order))
    for loaded in ordered:
        reasons = failures(loaded.rule.when, facts, lib)
        reason = "; ".join(reasons) if reasons else None
        trace.append(
            RuleTrace(
                loaded.rule.id,
                str(loaded.path),
                loaded.line,
                loaded.layer.name.lower(),
                reason is None,
                reason,
                used=False,
            )
        )
        if reason is None:
            matched.append(loaded)

    winners: dict[str, LoadedRule] = {}
    for loaded in matched:
        slot = loaded.rule.slot or f"rule:{loaded.rule.id}"
        best = winners.get(slot)
        if best is None or (loaded.layer, loaded.rule.priority) > (best.layer, best.rule.priority):
            winners[slot] = loaded
    by_id = {t.rule: t for t in trace}
    advice: list[AdviceParagraph] = []
    emitted: set[str] = set()
    for loaded in matched:
        slot = loaded.rule.slot or f"rule:{loaded.rule.id}"
        winner = winners[slot]
        if winner is not loaded:
            by_id[loaded.rule.id].shadowed_by = winner.rule.id
        if slot in emitted:
            continue
        emitted.add(slot)
        by_id[winner.rule.id].used = True
        text = render_rule_text(winner, lib, code, name, cities, advisory, targets)
        if text:
            advice.append(AdviceParagraph(text, winner.rule.id))
    advice += [AdviceParagraph(text, "author") for text in advisory.advice]

    background = [
        item.text
        for item in (profile.background if profile else [])
        if item.threats is None or set(item.threats) & set(advisory.threat)
    ]
    return Resolution(
        advisory,
        code,
        name,
        profile,
        lib.levels[advisory.severity],
        threats,
        targets,
        cities,
        advice,
        background,
        trace,
        [w.as_warning() for w in warnings],
        facts,
    )


def _threat_position(loaded: LoadedRule, threats: list[str]) -> int:
    return threats.index(loaded.threat) if loaded.threat in threats else len(threats)


def _dedupe(keys: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(keys))


def _country(
    advisory: Advisory, doc: Document, lib: RuleLibrary, problems: list[Problem], warnings: list[Problem]
) -> tuple[str, str, CountryProfile | None]:
    code = lib.country_code(advisory.country)
    if code is None:
        problems.append(
            doc.problem(
                ("country",),
                f"unknown country '{advisory.country}'",
                "write an ISO 3166-1 alpha-2 code such as MA, or the English name",
            )
        )
        return "", advisory.country, None
    profile = lib.countries.get(code)
    if profile:
        return code, profile.name, profile
    name = countries.name(code)
    warnings.append(
        doc.problem(
            ("country",),
            f"no country profile for {name} ({code}); using the ISO name",
            f"add rules/countries/{code.lower()}.yaml for cities and background",
        )
    )
    return code, name, None


def render_rule_text(
    loaded: LoadedRule,
    lib: RuleLibrary,
    code: str,
    country: str,
    cities: list[str],
    advisory: Advisory,
    targets: dict[str, TargetCategory],
) -> str:
    threat_key = loaded.threat or next(iter(loaded.rule.when.threat or []), None) or advisory.threat[0]
    if advisory.targets is None and threat_key in lib.threats:
        # Without targets chosen by the author, each threat's advice lists that threat's own
        # targets: a strike paragraph should not list embassies because unrest is also named.
        targets = {k: t for k, t in targets.items() if k in lib.threats[threat_key].default_targets}
    values = {
        "country": country,
        "the_country": countries.in_sentence(code, country),
        "country_code": code,
        "cities": cities,
        "area": advisory.area or "",
        "severity": lib.levels[advisory.severity].label,
        "threat": lib.threats[threat_key].label if threat_key in lib.threats else "",
        "targets": [{"key": k, "label": t.label, "examples": list(t.examples)} for k, t in targets.items()],
        "target_examples": [e for t in targets.values() for e in t.examples],
    }
    assert loaded.template is not None  # a rule whose text does not compile fails loading
    try:
        text = loaded.template.render(values)
    except Exception as exc:  # rule text's own errors too: `{{ 1/0 }}`, a range over the sandbox's limit
        raise TravelriskError(
            Problem(
                str(loaded.path),
                loaded.line,
                3,
                f"rule '{loaded.rule.id}': {getattr(exc, 'message', None) or exc}",
                f"rule text may use only: {', '.join(values)}",
            )
        ) from None
    return re.sub(r"\s+", " ", text).strip()
