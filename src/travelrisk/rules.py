"""The rule library, and threat context -> advice, targets, cities and background.

`RuleLibrary.load` reads `rules/` and checks it whole (collecting every problem before
stopping). `resolve` applies it to one advisory and returns plain data for the renderer,
with a trace of every rule: matched or not, why, and whether another rule shadowed it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import countries
from .errors import Problem, TravelriskError
from .loading import Document, load_yaml
from .model import (
    Advisory,
    Condition,
    CountryFile,
    CountryProfile,
    GeneralFile,
    Level,
    LevelsFile,
    Rule,
    RuleExample,
    TargetCategory,
    TargetsFile,
    Threat,
    ThreatFile,
    validate_document,
)

LAYERS = ("general", "threat", "country")


def join_list(items: Iterable[Any], word: str = "and") -> str:
    """`a`, `a and b`, `a, b and c`: how advice reads a list mid-sentence."""
    items = [str(i) for i in items]
    if len(items) <= 2:
        return f" {word} ".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _text_environment() -> ImmutableSandboxedEnvironment:
    # Rule text is plain text (HTML templates escape it later); the sandbox keeps rule authors
    # to reading the values they are given, and StrictUndefined turns a typo into an error.
    env = ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["join_and"] = join_list
    env.filters["join_or"] = lambda items: join_list(items, "or")
    return env


TEXT_ENV = _text_environment()


@dataclass
class LoadedRule:
    rule: Rule
    path: Path
    line: int
    layer: int  # index into LAYERS; higher is more specific
    order: tuple[int, int]  # (group, position) for a deterministic output order
    threat: str | None  # the threat whose file holds it, if any
    template: jinja2.Template | None = None


@dataclass
class Example:
    example: RuleExample
    path: Path
    line: int


@dataclass
class RuleLibrary:
    root: Path
    levels: dict[str, Level] = field(default_factory=dict)
    targets: dict[str, TargetCategory] = field(default_factory=dict)
    threats: dict[str, Threat] = field(default_factory=dict)
    countries: dict[str, CountryProfile] = field(default_factory=dict)
    rules: list[LoadedRule] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    # --- loading ---------------------------------------------------------------------------

    @classmethod
    def load(cls, root: Path) -> RuleLibrary:
        lib = cls(root)
        problems: list[Problem] = []

        def read(path: Path, model: type[Any]) -> tuple[Any, Document] | None:
            lib.files.append(path)
            try:
                doc = load_yaml(path)
                return validate_document(doc, model), doc
            except TravelriskError as exc:
                problems.extend(exc.problems)
                return None

        if not root.is_dir():
            raise TravelriskError(
                Problem(
                    str(root),
                    message="rule library folder not found",
                    hint="run in a workspace with rules/, or pass --workspace",
                )
            )
        for name, model in (("levels.yaml", LevelsFile), ("targets.yaml", TargetsFile)):
            if not (root / name).is_file():
                problems.append(Problem(str(root / name), message="missing", hint=f"create rules/{name}"))
            elif (loaded := read(root / name, model)) and isinstance(loaded[0], LevelsFile):
                for i, level in enumerate(loaded[0].levels):
                    if level.key in lib.levels:
                        problems.append(loaded[1].problem(("levels", i, "key"), f"duplicate level '{level.key}'"))
                    lib.levels[level.key] = level
            elif loaded:
                lib.targets = dict(loaded[0].targets)

        rule_docs: list[tuple[Any, Document, str | None, int]] = []
        for group, path in enumerate(sorted((root / "threats").glob("*.yaml")), start=1):
            if loaded := read(path, ThreatFile):
                data, doc = loaded
                if data.threat.key != path.stem:
                    problems.append(
                        doc.problem(
                            ("threat", "key"),
                            f"threat key '{data.threat.key}' differs from the file name",
                            f"name the file {data.threat.key}.yaml",
                        )
                    )
                if data.threat.key in lib.threats:
                    problems.append(doc.problem(("threat", "key"), f"duplicate threat '{data.threat.key}'"))
                lib.threats[data.threat.key] = data.threat
                rule_docs.append((data, doc, data.threat.key, group))
        for path in sorted((root / "countries").glob("*.yaml")):
            if loaded := read(path, CountryFile):
                data, doc = loaded
                profile = data.country
                if profile.code.lower() != path.stem:
                    problems.append(
                        doc.problem(
                            ("country", "code"),
                            f"country code '{profile.code}' differs from the file name",
                            f"name the file {profile.code.lower()}.yaml",
                        )
                    )
                if not countries.is_iso_code(profile.code):
                    problems.append(
                        doc.problem(("country", "code"), f"'{profile.code}' is not an ISO 3166-1 alpha-2 code")
                    )
                lib.countries[profile.code] = profile
                rule_docs.append((data, doc, None, 1000))
        if (root / "general.yaml").is_file() and (loaded := read(root / "general.yaml", GeneralFile)):
            rule_docs.append((*loaded, None, 2000))

        for data, doc, threat, group in rule_docs:
            problems.extend(lib._add_rules(data, doc, threat, group))
        problems.extend(lib._check_slots())
        if problems:
            raise TravelriskError(sorted(set(problems)))
        return lib

    def _add_rules(self, data: Any, doc: Document, threat: str | None, group: int) -> list[Problem]:
        problems = []
        if isinstance(data, ThreatFile):
            for j, key in enumerate(data.threat.default_targets):
                if key not in self.targets:
                    problems.append(_unknown(doc, ("threat", "default_targets", j), "target", key, self.targets))
        if isinstance(data, CountryFile):
            for j, item in enumerate(data.country.background):
                for k, key in enumerate(item.threats or []):
                    if key not in self.threats:
                        problems.append(
                            _unknown(doc, ("country", "background", j, "threats", k), "threat", key, self.threats)
                        )
        seen = {r.rule.id: r for r in self.rules}
        for i, rule in enumerate(data.rules):
            loc = ("rules", i)
            line = doc.place(loc)[0]
            if rule.id in seen:
                other = seen[rule.id]
                problems.append(
                    doc.problem(
                        (*loc, "id"),
                        f"duplicate rule id '{rule.id}'",
                        f"it is also used at {other.path}:{other.line}; rename one",
                    )
                )
                continue
            problems.extend(self._check_condition(rule.when, doc, (*loc, "when")))
            layer = 2 if _names(rule.when, "country", "region") else 1 if _names(rule.when, "threat") else 0
            loaded = LoadedRule(rule, doc.path, line, layer, (group, i), threat)
            try:
                loaded.template = TEXT_ENV.from_string(rule.advice)
            except jinja2.TemplateSyntaxError as exc:
                at_line, column = doc.place((*loc, "advice"))
                problems.append(
                    Problem(
                        str(doc.path),
                        at_line + (exc.lineno or 1),
                        column,
                        f"rule '{rule.id}': template error in advice: {exc.message}",
                        "check the {{ }} and {% %} tags",
                    )
                )
            seen[rule.id] = loaded
            self.rules.append(loaded)
        for i, example in enumerate(data.examples):
            self.examples.append(Example(example, doc.path, doc.place(("examples", i))[0]))
        return problems

    def _check_condition(self, cond: Condition, doc: Document, loc: tuple[Any, ...]) -> list[Problem]:
        problems = []
        for name, known, what in (
            ("threat", self.threats, "threat"),
            ("severity", self.levels, "severity level"),
            ("targets", self.targets, "target"),
        ):
            for j, key in enumerate(getattr(cond, name) or []):
                if key not in known:
                    problems.append(_unknown(doc, (*loc, name, j), what, key, known))
        if cond.severity_at_least and cond.severity_at_least not in self.levels:
            problems.append(
                _unknown(doc, (*loc, "severity_at_least"), "severity level", cond.severity_at_least, self.levels)
            )
        for j, code in enumerate(cond.country or []):
            if not countries.is_iso_code(code.upper()):
                problems.append(
                    doc.problem(
                        (*loc, "country", j),
                        f"'{code}' is not an ISO 3166-1 alpha-2 code",
                        "write a two-letter code such as MA",
                    )
                )
        for name in ("all", "any"):
            for j, sub in enumerate(getattr(cond, name) or []):
                problems.extend(self._check_condition(sub, doc, (*loc, name, j)))
        if cond.not_:
            problems.extend(self._check_condition(cond.not_, doc, (*loc, "not")))
        return problems

    def _check_slots(self) -> list[Problem]:
        """Two rules in one slot, layer and priority with the same conditions can never both win."""
        problems = []
        seen: dict[tuple[Any, ...], LoadedRule] = {}
        for loaded in self.rules:
            rule = loaded.rule
            if rule.slot is None:
                continue
            key = (rule.slot, loaded.layer, rule.priority, rule.when.model_dump_json())
            if key in seen:
                other = seen[key]
                problems.append(
                    Problem(
                        str(loaded.path),
                        loaded.line,
                        3,
                        f"rule '{rule.id}' has the same slot, priority and conditions as "
                        f"'{other.rule.id}' ({other.path}:{other.line}): one always shadows the other",
                        "change its conditions or priority, or remove one",
                    )
                )
            else:
                seen[key] = loaded
        return problems

    # --- lookups ---------------------------------------------------------------------------

    def level_rank(self, key: str) -> int:
        return list(self.levels).index(key)

    def rule(self, rule_id: str) -> LoadedRule:
        return next(r for r in self.rules if r.rule.id == rule_id)


def _names(cond: Condition, *keys: str) -> bool:
    """Whether `cond` asks for one of `keys` (inside `all`/`any` too). A key under `not` does
    not count: "any threat but health" is no more specific than a general rule."""
    if any(getattr(cond, key) for key in keys):
        return True
    return any(_names(sub, *keys) for sub in [*(cond.all or []), *(cond.any or [])])


def _unknown(doc: Document, loc: tuple[Any, ...], what: str, key: str, known: Iterable[str]) -> Problem:
    import difflib

    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(sorted(known))}"
    return doc.problem(loc, f"unknown {what} '{key}'", hint)


# --- applying the rules to one advisory ----------------------------------------------------


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


def holds(cond: Condition, facts: Facts, lib: RuleLibrary) -> bool:
    """Whether `cond` holds for `facts`: the fast test every rule gets on every resolve."""

    def one_of(wanted: list[str] | None, actual: Iterable[str]) -> bool:
        return wanted is None or not set(wanted).isdisjoint(actual)

    return (
        one_of(cond.country and [c.upper() for c in cond.country], (facts.country,))
        and one_of(cond.region, (facts.region,) if facts.region else ())
        and one_of(cond.threat, facts.threats)
        and one_of(cond.severity, (facts.severity,))
        and one_of(cond.targets, facts.targets)
        and one_of(cond.cities and [c.casefold() for c in cond.cities], (c.casefold() for c in facts.cities))
        and not (cond.severity_at_least and lib.level_rank(facts.severity) < lib.level_rank(cond.severity_at_least))
        and not (cond.issued_after and not facts.issued > cond.issued_after)
        and not (cond.issued_before and not facts.issued < cond.issued_before)
        and all(holds(sub, facts, lib) for sub in cond.all or [])
        and (cond.any is None or any(holds(sub, facts, lib) for sub in cond.any))
        and not (cond.not_ is not None and holds(cond.not_, facts, lib))
    )


def check(cond: Condition, facts: Facts, lib: RuleLibrary) -> str | None:
    """None when `cond` holds for `facts`, else the reason it does not, in words (for explain)."""

    def one_of(name: str, wanted: list[str] | None, actual: Iterable[str], fold: bool = False) -> str | None:
        if wanted is None:
            return None
        norm = (lambda s: s.casefold()) if fold else (lambda s: s)
        if {norm(w) for w in wanted} & {norm(a) for a in actual}:
            return None
        return f"{name} is {join_list(list(actual), 'and') or 'none'}, not {join_list(wanted, 'or')}"

    reasons = [
        one_of("country", cond.country and [c.upper() for c in cond.country], [facts.country]),
        one_of("region", cond.region, [facts.region] if facts.region else []),
        one_of("threat", cond.threat, facts.threats),
        one_of("severity", cond.severity, [facts.severity]),
        one_of("targets", cond.targets, facts.targets),
        one_of("cities", cond.cities, facts.cities, fold=True),
    ]
    if cond.severity_at_least and lib.level_rank(facts.severity) < lib.level_rank(cond.severity_at_least):
        reasons.append(f"severity {facts.severity} is below {cond.severity_at_least}")
    if cond.issued_after and not facts.issued > cond.issued_after:
        reasons.append(f"issued {facts.issued} is not after {cond.issued_after}")
    if cond.issued_before and not facts.issued < cond.issued_before:
        reasons.append(f"issued {facts.issued} is not before {cond.issued_before}")
    for sub in cond.all or []:
        reasons.append(check(sub, facts, lib))
    if cond.any is not None:
        failed = [check(sub, facts, lib) for sub in cond.any]
        if all(failed):
            reasons.append("none of 'any' holds (" + "; ".join(r for r in failed if r) + ")")
    if cond.not_ is not None and check(cond.not_, facts, lib) is None:
        reasons.append("the 'not' condition holds")
    found = [r for r in reasons if r]
    return "; ".join(found) if found else None


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
    reason: str | None  # why it did not match (in detail only from explain.explanation)
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
    facts: Facts  # what the conditions were tested against (explain re-tests them for reasons)


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
        reason = None if holds(loaded.rule.when, facts, lib) else "does not match"  # `explain` says why
        trace.append(
            RuleTrace(
                loaded.rule.id, str(loaded.path), loaded.line, LAYERS[loaded.layer], reason is None, reason, used=False
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
        warnings,
        facts,
    )


def _threat_position(loaded: LoadedRule, threats: list[str]) -> int:
    return threats.index(loaded.threat) if loaded.threat in threats else len(threats)


def _dedupe(keys: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(keys))


def _country(
    advisory: Advisory, doc: Document, lib: RuleLibrary, problems: list[Problem], warnings: list[Problem]
) -> tuple[str, str, CountryProfile | None]:
    code = countries.to_code(advisory.country, {p.name: c for c, p in lib.countries.items()})
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
