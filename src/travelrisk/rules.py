"""Threat context -> one travel recommendation, advice, places, impact and background.

`resolve` applies the rule library (library.py) to one advisory and returns plain data for
the renderer, with a trace of every rule: matched or not, why, and whether another rule
shadowed it. It reads the event: the kinds of threat the analyst names (or that the title,
summary and event name in words), the area, the places to avoid, curfew hours and time frame.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from jinja2.sandbox import SecurityError

from . import countries, places, prepublish, templatecache
from . import kinds as kinds_mod
from . import lang as lang_mod
from .conditions import Facts, failures, holds
from .context import MAX_FACTS, Fact, select
from .deadline import RenderTimeout, bounded
from .errors import Problem, TravelriskError
from .lang import SOURCE, LanguageFile
from .library import Layer, LoadedRule, RuleLibrary, _unknown
from .loading import Document
from .model import (
    Advisory,
    CountryProfile,
    Grade,
    Kind,
    Level,
    TargetCategory,
    Threat,
    clean_text,
)
from .sandbox import RULE_SECONDS, check_output
from .text import TEXT_ENV

__all__ = ["AdviceParagraph", "Resolution", "RuleLibrary", "RuleTrace", "Settings", "resolve"]


@dataclass(frozen=True)
class Settings:
    """What the organisation sets once in `travelrisk.yaml` and rule text uses."""

    contact: str | None = None
    """How advice names the organisation's security contact (one name, everywhere); None: the
    language's own default (rules/lang/<xx>/language.yaml)."""


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
    used: bool
    shadowed_by: str | None = None
    why: Callable[[], list[str]] | None = field(default=None, repr=False, compare=False)
    """Puts into words why the rule did not match, when asked (`explain`): a build never asks."""

    @property
    def reason(self) -> str | None:
        """Why it did not match; None when it did."""
        return None if self.matched or self.why is None else "; ".join(self.why())


@dataclass
class Recommendation:
    grade: str
    label: str
    text: str
    rule: str  # the rule that set it, or "level" for the severity level's default


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
    kinds: dict[str, Kind] = field(default_factory=dict)
    kinds_found: dict[str, str] = field(default_factory=dict)
    """kind -> how it was found ("named in the advisory", "the word 'typhoon' in the title")."""
    recommendation: Recommendation | None = None
    impact: str | None = None
    context: list[Fact] = field(default_factory=list)
    """Every background fact of the profile, chosen or not, with the reason (for `explain`)."""
    cities_from: str = ""
    time_zone: str | None = None
    path: str = ""
    """The advisory's file, which problems found later (in its PDF) point at."""
    lang: str = SOURCE
    language: LanguageFile | None = None
    """The library language's words (emergency service names, the country in a sentence)."""
    country_forms: tuple[str, str, str] = ("", "", "")
    """The country mid-sentence, after 'in' and after 'to', in the library's language."""


def resolve(advisory: Advisory, doc: Document, lib: RuleLibrary, settings: Settings = Settings()) -> Resolution:
    """Apply the rule library to an advisory, or raise with every bad reference placed."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    code, name, profile = places.country(advisory, doc, lib, problems, warnings)
    if lib.lang != SOURCE and code:
        name = lang_mod.country_name(lib, code, name)
    if advisory.severity not in lib.levels:
        problems.append(_unknown(doc, ("severity",), "severity level", advisory.severity, lib.levels))
    for i, key in enumerate(advisory.threat):
        if key not in lib.threats:
            loc = ("threat", i) if doc.place(("threat", i)) != doc.place(()) else ("threat",)
            problems.append(_unknown(doc, loc, "threat", key, lib.threats))
    for i, key in enumerate(advisory.targets or []):
        if key not in lib.targets:
            problems.append(_unknown(doc, ("targets", i), "target", key, lib.targets))
    kinds_found = kinds_mod.find(advisory, doc, lib, problems)
    prepublish.check(advisory, doc, name, code, problems, warnings)
    if problems:
        raise TravelriskError(sorted(set(problems)))

    threats = [lib.threats[key] for key in advisory.threat]
    kinds = {k: lib.kinds[k][1] for k in kinds_found}
    coast = places.coast_here(advisory, code, profile)
    struck = places.named_in(advisory, lib.targets)  # the places the event's own words name (a church, a mall)
    per_threat = [
        places.target_keys(t, kinds_mod.of_threat(t, kinds, lib), advisory.targets, lib.targets, coast, struck)
        for t in threats
    ]
    keys = list(dict.fromkeys(k for ks in per_threat for k in ks))
    targets = {key: lib.targets[key] for key in keys}
    cities, cities_from = places.cities(advisory, code, name, profile)
    if profile is None and not cities and advisory.cities is None and not advisory.area:
        warnings.append(
            doc.problem(
                ("country",),
                f"no country profile or GeoNames cities for {name}",
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
        tuple(kinds),
        bool(advisory.area),
    )

    trace: list[RuleTrace] = []
    matched: list[LoadedRule] = []
    for loaded in sorted(lib.rules, key=lambda r: (_threat_position(r, advisory.threat), r.order)):
        applies = holds(loaded.rule.when, facts, lib)
        trace.append(
            RuleTrace(
                loaded.rule.id,
                str(loaded.path),
                loaded.line,
                loaded.layer.name.lower(),
                applies,
                used=False,
                why=None if applies else partial(failures, loaded.rule.when, facts, lib),
            )
        )
        if applies:
            matched.append(loaded)

    scene = _Scene(lib, advisory, code, name, profile, cities, kinds, settings, struck)
    by_id = {t.rule: t for t in trace}
    recommendation = _recommend(matched, scene, by_id)
    advice = _advice([r for r in matched if r.rule.advice is not None], scene, by_id)
    advice += [AdviceParagraph(text, "author") for text in advisory.advice]

    zone = places.zone(code, cities, profile, advisory)
    # Facts dated the day of issue are the event itself: the day as it was where it happened.
    issue_day = advisory.issued.astimezone(ZoneInfo(zone)).date() if zone else advisory.issued.date()
    context = select(
        profile.background if profile else [],
        advisory.threat,
        issue_day,
        MAX_FACTS - 1 if advisory.context else MAX_FACTS,
        {k: lib.kinds[k][0] for k in kinds_found},
        lambda text, threats: kinds_mod.in_text(text, threats, lib),
    )
    # The impact line: the first (threats in the advisory's order, a kind's before its threat's) that
    # the advice does not already say.
    impacts = [i for t in threats for i in [*(k.impact for k in kinds_mod.of_threat(t, kinds, lib)), t.impact] if i]
    impact = next((i for i in impacts if _unless_said(scene.render(i, "impact"), advice)), None)
    if lib.untranslated:  # never a silent mix of languages: what this advisory uses must have the language's text
        used = [
            f"level {advisory.severity}",
            *([f"grade {recommendation.grade}"] if recommendation else []),
            *(f"threat {t}" for t in advisory.threat),
            *(f"kind {k}" for k in kinds),
            *(f"target {k}" for k in targets),
            *(f"rule {t.rule}" for t in trace if t.used),
        ]
        if gaps := [lib.untranslated[u] for u in used if u in lib.untranslated]:
            raise TravelriskError(gaps)
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
        [f.text for f in context if f.chosen],
        trace,
        [w.as_warning() for w in warnings],
        facts,
        kinds,
        kinds_found,
        recommendation,
        scene.render(impact, "impact") if impact else None,
        context,
        cities_from,
        zone,
        str(doc.path),
        lib.lang,
        lib.language,
        lang_mod.country_forms(lib, code, name),
    )


# --- kinds -------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"\w{4,}", text.lower())


def _unless_said(impact: str, advice: list[AdviceParagraph]) -> str | None:
    """The impact line, unless the advice already says it (the same four words in a row, or most of
    its words): a reader is told each thing once."""
    said = " ".join(p.text for p in advice)
    mine, theirs = _words(impact), set(_words(said))
    runs = {" ".join(mine[i : i + 3]) for i in range(len(mine) - 2)}
    spoken = " ".join(_words(said))
    if any(run in spoken for run in runs) or (mine and sum(w in theirs for w in mine) / len(mine) >= 0.5):
        return None
    return impact


# --- rule text ---------------------------------------------------------------------------------


@dataclass
class _Scene:
    """What rule text is rendered with: the advisory's facts as words."""

    lib: RuleLibrary
    advisory: Advisory
    code: str
    name: str
    profile: CountryProfile | None
    cities: list[str]
    kinds: dict[str, Kind]
    settings: Settings
    struck: list[str]
    """The kinds of place the event's words name: first among a threat's own places."""

    def values(self, threat_key: str | None = None, rule_kinds: list[str] | None = None) -> dict[str, Any]:
        """The values rule text sees; a rule about certain kinds names those kinds' places."""
        a, lib = self.advisory, self.lib
        threat = lib.threats.get(threat_key or "") or lib.threats[a.threat[0]]
        kinds = [self.kinds[k] for k in rule_kinds or [] if k in self.kinds] or kinds_mod.of_threat(
            threat, self.kinds, lib
        )
        coast = places.coast_here(a, self.code, self.profile)
        keys = places.target_keys(threat, kinds, a.targets, lib.targets, coast, self.struck)
        targets = {k: lib.targets[k] for k in keys}
        the_country, in_country, to_country = lang_mod.country_forms(lib, self.code, self.name)
        place, in_place, to_place = (
            lang_mod.area_forms(lib, a.area) if a.area else (the_country, in_country, to_country)
        )
        language = lib.language
        return {
            "country": self.name,
            "the_country": the_country,
            "in_country": in_country,
            "to_country": to_country,
            "country_code": self.code,
            "cities": self.cities,
            "area": place if a.area else "",
            "coast": coast,
            "land_borders": countries.has_land_border(self.code),
            "place": place,
            "in_place": in_place,
            "to_place": to_place,
            "local": bool(a.area),
            "severity": lib.levels[a.severity].label,
            "threat": threat.label,
            "kind": kinds[0].label.lower() if kinds else "",
            "kinds": [k.label.lower() for k in self.kinds.values()],
            "kind_keys": list(self.kinds),
            "targets": [
                {
                    "key": k,
                    "label": t.label,
                    "examples": places.examples([k], lib.targets, self.code, self.profile, coast),
                }
                for k, t in targets.items()
            ],
            "target_examples": places.examples(keys, lib.targets, self.code, self.profile, coast),
            "avoid": [lang_mod.area_forms(lib, p)[0] for p in a.avoid or []],
            "curfew": a.curfew or "",
            "curfew_placed": _says_where(a.curfew or "", a.area or "", language),
            "time_frame": a.time_frame or "",
            "contact": self.settings.contact or (language.contact if language else ""),
            "_and": language.and_ if language else "and",
            "_or": language.or_ if language else "or",
        }

    def render(
        self,
        text: str,
        what: str,
        threat_key: str | None = None,
        loaded: LoadedRule | None = None,
        said: str = "",
    ) -> str:
        """`said` is the advice written so far: once it names the contact, rule text gets the
        language's `contact_again` as `contact` ("the same contact"), and `contact_named`."""
        values = self.values(threat_key, loaded.rule.when.kind if loaded is not None else None)
        values["contact_named"] = bool(values["contact"]) and values["contact"] in said
        language = self.lib.language
        if values["contact_named"] and language is not None and language.contact_again:
            values["contact"] = language.contact_again
        try:
            template = loaded.template if loaded is not None and loaded.template is not None else _compile(text)
            with bounded(RULE_SECONDS, what):
                rendered = check_output(template.render(values), what)
        except Exception as exc:  # rule text's own errors too: `{{ 1/0 }}`, a range over the sandbox's limit
            where = (str(loaded.path), loaded.line) if loaded else ("rules", 1)
            raise TravelriskError(
                Problem(
                    where[0],
                    where[1],
                    3,
                    f"{what}: {getattr(exc, 'message', None) or exc}".replace(f"{what}: {what} ", f"{what} "),
                    "rule text must stay within the limits in docs/security.md"
                    if isinstance(exc, SecurityError | RenderTimeout)
                    else f"rule text may use only: {', '.join(values)}",
                )
            ) from None
        try:  # rule text may make characters through escapes ("\x1b", "\u202e"): checked like an advisory's
            clean_text(rendered)
        except ValueError as exc:
            where = (str(loaded.path), loaded.line) if loaded else ("rules", 1)
            raise TravelriskError(Problem(where[0], where[1], 3, f"{what}: its text {exc}")) from None
        # Line breaks of the YAML go; a no-break space (French before ':') stays.
        text = re.sub(r"[ \t\r\n]+", " ", rendered).strip()
        for written, contracted in (self.lib.language.contractions if self.lib.language else {}).items():
            text = text.replace(written, contracted)  # French: "à Le Caire" -> "au Caire"
        return text


def _says_where(curfew: str, area: str, language: LanguageFile | None) -> bool:
    """Whether the curfew as written names where it applies ("nationwide, from 18:00", "from 22:00
    in the old town"): the advisory's area is then not added after it, which would narrow a
    nationwide curfew to the places struck."""
    if not curfew:
        return False
    text = curfew.casefold()
    words = language.scope_words if language else []
    return (bool(area) and area.casefold() in text) or any(
        re.search(rf"(?<!\w){re.escape(w.casefold())}(?!\w)", text) for w in words
    )


@lru_cache(maxsize=256)
def _compile(text: str) -> jinja2.Template:
    return templatecache.from_string(TEXT_ENV, text)


def _threat_of(loaded: LoadedRule, scene: _Scene) -> str:
    when = loaded.rule.when
    kind_threat = next((scene.lib.kinds[k][0] for k in when.kind or [] if k in scene.lib.kinds), None)
    return loaded.threat or kind_threat or next(iter(when.threat or []), None) or scene.advisory.threat[0]


def _recommend(matched: list[LoadedRule], scene: _Scene, by_id: dict[str, RuleTrace]) -> Recommendation | None:
    """One recommendation: the most specific rule that sets one (the stricter grade on a tie), else the level's."""
    lib = scene.lib
    rank = {key: i for i, key in enumerate(lib.grades)}
    setters = [r for r in matched if r.rule.recommend in lib.grades]
    # The most specific rule within each threat decides that threat's grade; across threats the
    # strictest grade wins: a mild kind of one threat never overrides a stricter verdict on another.
    per_threat: dict[str | None, LoadedRule] = {}
    for r in setters:
        group = _threat_of(r, scene) if r.layer > Layer.GENERAL else None
        held = per_threat.get(group)
        if held is None or (r.layer, r.rule.priority, rank[r.rule.recommend or ""]) > (
            held.layer,
            held.rule.priority,
            rank[held.rule.recommend or ""],
        ):
            per_threat[group] = r
    best = max(
        per_threat.values(), key=lambda r: (rank[r.rule.recommend or ""], r.layer, r.rule.priority), default=None
    )
    grade_key = best.rule.recommend if best else lib.levels[scene.advisory.severity].recommend
    if grade_key is None or grade_key not in lib.grades:
        return None
    if best is not None:
        by_id[best.rule.id].used = True
        for other in setters:
            if other is not best:
                by_id[other.rule.id].shadowed_by = best.rule.id
    grade: Grade = lib.grades[grade_key]
    text = scene.render(grade.text, f"grade '{grade.key}'", _threat_of(best, scene) if best else None)
    return Recommendation(grade.key, grade.label, text, best.rule.id if best else "level")


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“(])")


def _advice(matched: list[LoadedRule], scene: _Scene, by_id: dict[str, RuleTrace]) -> list[AdviceParagraph]:
    winners: dict[str, LoadedRule] = {}
    for loaded in matched:
        slot = loaded.rule.slot or f"rule:{loaded.rule.id}"
        best = winners.get(slot)
        if best is None or (loaded.layer, loaded.rule.priority) > (best.layer, best.rule.priority):
            winners[slot] = loaded
    advice: list[AdviceParagraph] = []
    emitted: set[str] = set()
    said: set[str] = set()
    for loaded in matched:
        slot = loaded.rule.slot or f"rule:{loaded.rule.id}"
        winner = winners[slot]
        if winner is not loaded:
            by_id[loaded.rule.id].shadowed_by = winner.rule.id
        if slot in emitted:
            continue
        emitted.add(slot)
        text = scene.render(
            winner.rule.advice or "",
            f"rule '{winner.rule.id}'",
            _threat_of(winner, scene),
            winner,
            " ".join(p.text for p in advice),
        )
        # Nothing said twice: a sentence another rule already wrote is left out.
        sentences = [s for s in _SENTENCE.split(text) if s and _norm(s) not in said]
        said.update(_norm(s) for s in sentences)
        if sentences:  # a rule whose text renders empty (no curfew given) wrote nothing: it is not "used"
            by_id[winner.rule.id].used = True
            advice.append(AdviceParagraph(" ".join(sentences), winner.rule.id))
    return advice


def _norm(sentence: str) -> str:
    return re.sub(r"\W+", " ", sentence).strip().casefold()


# --- country and time zone ---------------------------------------------------------------------


def _threat_position(loaded: LoadedRule, threats: list[str]) -> int:
    return threats.index(loaded.threat) if loaded.threat in threats else len(threats)
