"""The rule library: levels, targets, threats, country profiles, rules and their examples.

`RuleLibrary.load` reads one or more `rules/` folders, later ones laid over earlier ones (the
built-in library, then a workspace's own): a file at the same relative path replaces the
earlier one, and a rule with the same id as a rule of an earlier folder overrides it. The whole
library is checked (collecting every problem before stopping).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

import jinja2

from . import countries
from .errors import Problem, TravelriskError, did_you_mean
from .lang import SOURCE, LanguageFile, load_pack, localize
from .loading import Document, load_yaml
from .model import (
    Condition,
    CountryFile,
    CountryProfile,
    GeneralFile,
    Grade,
    Kind,
    Level,
    LevelsFile,
    RecommendationsFile,
    Rule,
    RuleExample,
    TargetCategory,
    TargetsFile,
    Threat,
    ThreatFile,
)
from .text import TEXT_ENV
from .validation import validate_document


class Layer(IntEnum):
    """How specific a rule is, by what its `when` names: a more specific rule wins its slot."""

    GENERAL = 0
    THREAT = 1
    KIND = 2
    COUNTRY = 3

    @classmethod
    def of(cls, cond: Condition) -> Layer:
        if _names(cond, "country", "region"):
            return cls.COUNTRY
        if _names(cond, "kind"):
            return cls.KIND
        return cls.THREAT if _names(cond, "threat") else cls.GENERAL


@dataclass
class LoadedRule:
    rule: Rule
    path: Path
    line: int
    layer: Layer
    order: tuple[int, int]  # (group, position) for a deterministic output order
    threat: str | None  # the threat whose file holds it, if any
    origin: int  # which rules/ folder it comes from: a later folder's rule overrides by id
    template: jinja2.Template | None = None


@dataclass
class Example:
    example: RuleExample
    path: Path
    line: int


# Rule groups, in output order: each threat's rules (its own group each), then countries', then general.
_COUNTRY_GROUP, _GENERAL_GROUP = 1000, 2000


@dataclass
class RuleLibrary:
    roots: list[Path]
    levels: dict[str, Level] = field(default_factory=dict)
    targets: dict[str, TargetCategory] = field(default_factory=dict)
    threats: dict[str, Threat] = field(default_factory=dict)
    countries: dict[str, CountryProfile] = field(default_factory=dict)
    grades: dict[str, Grade] = field(default_factory=dict)
    kinds: dict[str, tuple[str, Kind]] = field(default_factory=dict)
    """kind key -> (its threat's key, the kind)."""
    rules: list[LoadedRule] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    lang: str = SOURCE
    """The language of the library's text (`in_lang` gives it in another)."""
    language: LanguageFile | None = None
    """How that language joins lists, names the security contact and puts countries in a sentence."""
    untranslated: dict[str, Problem] = field(default_factory=dict)
    """What has no text in `lang` (by 'rule <id>', 'target <key>'...), refused when an advisory uses it."""
    source: RuleLibrary | None = field(default=None, repr=False)
    """The English library a localized one was made from."""
    _langs: dict[str, RuleLibrary] = field(default_factory=dict, repr=False)

    def in_lang(self, lang: str) -> RuleLibrary:
        """This library with its text in `lang` (English: itself), or an error naming the languages there are."""
        if lang == self.lang:
            return self
        if self.source is not None:
            return self.source.in_lang(lang)
        if lang not in self._langs:
            self._langs[lang] = localize(self, load_pack(self.roots, lang))
        return self._langs[lang]

    @property
    def root(self) -> Path:
        """The most specific rules folder (the workspace's own when it has one)."""
        return self.roots[-1]

    # --- loading ---------------------------------------------------------------------------

    @classmethod
    def load(cls, roots: Path | list[Path]) -> RuleLibrary:
        """The checked library of `roots`: from the cache between runs when their files are unchanged."""
        from . import librarycache

        dirs = roots if isinstance(roots, list) else [roots]
        return librarycache.load(dirs, lambda: cls.read(dirs))

    @classmethod
    def read(cls, roots: list[Path]) -> RuleLibrary:
        """Read and check the library's files (every problem collected before stopping)."""
        lib = cls(list(roots))
        if not lib.roots or not all(r.is_dir() for r in lib.roots):
            missing = next((r for r in lib.roots if not r.is_dir()), Path("rules"))
            raise TravelriskError(
                Problem(
                    str(missing),
                    message="rule library folder not found",
                    hint="run in a workspace with rules/, or pass --workspace",
                )
            )
        problems: list[Problem] = []
        rule_files: list[tuple[Any, Document, str | None, int, int]] = []
        for pattern, model, add, required in _FILES:
            for group, (path, origin) in enumerate(_overlay(lib.roots, pattern), start=1):
                lib.files.append(path)
                try:
                    doc = load_yaml(path)
                    data = validate_document(doc, model)
                except TravelriskError as exc:
                    problems.extend(exc.problems)
                    continue
                threat, group = add(lib, data, doc, path, problems, group)
                rule_files.append((data, doc, threat, group, origin))
            if required and not any(p.match(pattern) for p in lib.files):
                problems.append(Problem(str(lib.root / pattern), message="missing", hint=f"create rules/{pattern}"))
        for data, doc, threat, group, origin in rule_files:
            problems.extend(lib._add_rules(data, doc, threat, group, origin))
        problems.extend(lib._check_slots())
        if problems:
            raise TravelriskError(sorted(set(problems)))
        lib.language = load_pack(lib.roots, SOURCE).language
        return lib

    def _add_levels(
        self, data: LevelsFile, doc: Document, path: Path, problems: list[Problem], group: int
    ) -> tuple[None, int]:
        for i, level in enumerate(data.levels):
            if level.key in self.levels:
                problems.append(doc.problem(("levels", i, "key"), f"duplicate level '{level.key}'"))
            self.levels[level.key] = level
        return None, group

    def _add_grades(
        self, data: RecommendationsFile, doc: Document, path: Path, problems: list[Problem], group: int
    ) -> tuple[None, int]:
        for i, grade in enumerate(data.grades):
            if grade.key in self.grades:
                problems.append(doc.problem(("grades", i, "key"), f"duplicate grade '{grade.key}'"))
            self.grades[grade.key] = grade
        for level in self.levels.values():  # levels come first; their default grades are known now
            if level.recommend and level.recommend not in self.grades:
                problems.append(
                    Problem(
                        str(path),
                        message=f"level '{level.key}' recommends unknown grade '{level.recommend}'",
                        hint=did_you_mean(level.recommend, self.grades),
                    )
                )
        return None, group

    def _add_targets(
        self, data: TargetsFile, doc: Document, path: Path, problems: list[Problem], group: int
    ) -> tuple[None, int]:
        self.targets = dict(data.targets)
        return None, group

    def _add_threat(
        self, data: ThreatFile, doc: Document, path: Path, problems: list[Problem], group: int
    ) -> tuple[str, int]:
        key = data.threat.key
        if key != path.stem:
            problems.append(
                doc.problem(
                    ("threat", "key"), f"threat key '{key}' differs from the file name", f"name the file {key}.yaml"
                )
            )
        if key in self.threats:
            problems.append(doc.problem(("threat", "key"), f"duplicate threat '{key}'"))
        self.threats[key] = data.threat
        for j, target in enumerate(data.threat.default_targets):
            if target not in self.targets:
                problems.append(_unknown(doc, ("threat", "default_targets", j), "target", target, self.targets))
        for name, kind in data.threat.kinds.items():
            if name in self.kinds and self.kinds[name][0] != key:
                problems.append(
                    doc.problem(
                        ("threat", "kinds", name),
                        f"kind '{name}' is also a kind of '{self.kinds[name][0]}'",
                        "give each kind one threat",
                    )
                )
            self.kinds[name] = (key, kind)
            for j, target in enumerate(kind.default_targets or []):
                if target not in self.targets:
                    problems.append(
                        _unknown(doc, ("threat", "kinds", name, "default_targets", j), "target", target, self.targets)
                    )
        return key, group

    def _add_country(
        self, data: CountryFile, doc: Document, path: Path, problems: list[Problem], group: int
    ) -> tuple[None, int]:
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
            problems.append(doc.problem(("country", "code"), f"'{profile.code}' is not an ISO 3166-1 alpha-2 code"))
        self.countries[profile.code] = profile
        for j, item in enumerate(profile.background):
            for k, key in enumerate(item.threats or []):
                if key not in self.threats:
                    problems.append(
                        _unknown(doc, ("country", "background", j, "threats", k), "threat", key, self.threats)
                    )
        return None, _COUNTRY_GROUP

    def _add_general(
        self, data: GeneralFile, doc: Document, path: Path, problems: list[Problem], group: int
    ) -> tuple[None, int]:
        return None, _GENERAL_GROUP

    def _add_rules(self, data: Any, doc: Document, threat: str | None, group: int, origin: int) -> list[Problem]:
        problems: list[Problem] = []
        for i, rule in enumerate(getattr(data, "rules", [])):
            loc = ("rules", i)
            line = doc.place(loc)[0]
            other = next((r for r in self.rules if r.rule.id == rule.id), None)
            if other is not None and other.origin < origin:
                self.rules.remove(other)  # a workspace rule overrides the built-in rule of that id
            elif other is not None:
                problems.append(
                    doc.problem(
                        (*loc, "id"),
                        f"duplicate rule id '{rule.id}'",
                        f"it is also used at {other.path}:{other.line}; rename one",
                    )
                )
                continue
            problems.extend(self._check_condition(rule.when, doc, (*loc, "when")))
            if rule.recommend is not None and rule.recommend not in self.grades:
                problems.append(_unknown(doc, (*loc, "recommend"), "recommendation grade", rule.recommend, self.grades))
            loaded = LoadedRule(rule, doc.path, line, Layer.of(rule.when), (group, i), threat, origin)
            try:
                loaded.template = TEXT_ENV.from_string(rule.advice) if rule.advice is not None else None
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
            self.rules.append(loaded)
        for i, example in enumerate(getattr(data, "examples", [])):
            self.examples.append(Example(example, doc.path, doc.place(("examples", i))[0]))
        return problems

    def _check_condition(self, cond: Condition, doc: Document, loc: tuple[Any, ...]) -> list[Problem]:
        problems = []
        for name, known, what in (
            ("threat", self.threats, "threat"),
            ("severity", self.levels, "severity level"),
            ("targets", self.targets, "target"),
            ("kind", self.kinds, "kind"),
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
        """Two rules in one slot, layer and priority with the same conditions can never both win; nor can
        two rules that both set the travel recommendation (the advisory's one recommendation is a slot too)."""
        problems = []
        seen: dict[tuple[Any, ...], LoadedRule] = {}
        for loaded in self.rules:
            rule = loaded.rule
            slots = [s for s in (rule.slot if rule.advice else None, "recommend" if rule.recommend else None) if s]
            for slot in slots:
                key = (slot, loaded.layer, rule.priority, rule.when.model_dump_json())
                if (other := seen.setdefault(key, loaded)) is not loaded:
                    what = (
                        "sets the recommendation with the same priority and conditions"
                        if slot == "recommend"
                        else "has the same slot, priority and conditions"
                    )
                    problems.append(
                        Problem(
                            str(loaded.path),
                            loaded.line,
                            3,
                            f"rule '{rule.id}' {what} as "
                            f"'{other.rule.id}' ({other.path}:{other.line}): one always shadows "
                            "the other",
                            "change its conditions or priority, or remove one",
                        )
                    )
        return problems

    # --- lookups ---------------------------------------------------------------------------

    def level_rank(self, key: str) -> int:
        return list(self.levels).index(key)

    def rule(self, rule_id: str) -> LoadedRule:
        return next(r for r in self.rules if r.rule.id == rule_id)

    def country_code(self, value: str) -> str | None:
        """An ISO code for a code or a name, the profiles' own names included."""
        return countries.to_code(value, {p.name: code for code, p in self.countries.items()})


_Add = Callable[[RuleLibrary, Any, Document, Path, list[Problem], int], tuple[str | None, int]]
_FILES: tuple[tuple[str, type[Any], _Add, bool], ...] = (
    # (pattern under rules/, model, how to add it, required); targets before threats, threats
    # before countries: later files refer to the keys of earlier ones.
    ("levels.yaml", LevelsFile, RuleLibrary._add_levels, True),
    ("targets.yaml", TargetsFile, RuleLibrary._add_targets, True),
    ("recommendations.yaml", RecommendationsFile, RuleLibrary._add_grades, True),
    ("threats/*.yaml", ThreatFile, RuleLibrary._add_threat, False),
    ("countries/*.yaml", CountryFile, RuleLibrary._add_country, False),
    ("general.yaml", GeneralFile, RuleLibrary._add_general, False),
)


def _overlay(roots: list[Path], pattern: str) -> list[tuple[Path, int]]:
    """The files matching `pattern` across `roots`, a later root's file replacing an earlier one's."""
    found: dict[str, tuple[Path, int]] = {}
    for origin, root in enumerate(roots):
        for path in root.glob(pattern):
            if path.is_file():
                found[path.relative_to(root).as_posix()] = (path, origin)
    return [found[name] for name in sorted(found)]


def _names(cond: Condition, *keys: str) -> bool:
    """Whether `cond` asks for one of `keys` (inside `all`/`any` too). A key under `not` does
    not count: "any threat but health" is no more specific than a general rule."""
    if any(getattr(cond, key) for key in keys):
        return True
    return any(_names(sub, *keys) for sub in [*(cond.all or []), *(cond.any or [])])


def _unknown(doc: Document, loc: tuple[Any, ...], what: str, key: str, known: Iterable[str]) -> Problem:
    return doc.problem(loc, f"unknown {what} '{key}'", did_you_mean(key, known))
