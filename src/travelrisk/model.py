"""What an advisory, a level, a target category, a threat, a rule and a country profile are.

Pydantic checks shapes and types; `validate_document` turns its errors into problems that
point at the line and column of the offending value, with a "did you mean" for unknown keys.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .state import RESERVED_IDS, Status

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,99}$"
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,49}$"
# Control characters (CR too: on a terminal it overwrites a line), the line and paragraph
# separators (an editor breaks lines there, YAML does not), and what XML 1.0 cannot carry
# (surrogates, U+FFFE, U+FFFF): refused however they were written, raw or as YAML escapes.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
MAX_TOKEN = 200
"""Characters in one word: a longer unbroken token lays out very slowly and is no real text."""
_LONG_TOKEN = re.compile(rf"\S{{{MAX_TOKEN + 1},}}")
# Bidi embeddings, overrides and isolates make text display in another order than it reads
# ("Trojan Source"): a title could show one thing and say another. LRM/RLM marks stay allowed.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str) -> str:
    if found := _CONTROL.search(value):
        code = ord(found[0])
        what = (
            "a line or paragraph separator, which editors and YAML read differently"
            if code in (0x2028, 0x2029)
            else "a character that XML and HTML cannot carry"
            if code >= 0xD800
            else "a control character"
        )
        raise ValueError(f"contains {what} (U+{code:04X}); remove it (paste as plain text)")
    if found := _BIDI.search(value):
        raise ValueError(f"contains a bidi override (U+{ord(found[0]):04X}) that reorders the text; remove it")
    if found := _LONG_TOKEN.search(value):
        raise ValueError(
            f"has a word of {len(found[0]):,} characters with no space (at most {MAX_TOKEN}); "
            "break it up, or give a long address under sources"
        )
    return value.strip()


def _not_reserved(value: str) -> str:
    if value in RESERVED_IDS:
        raise ValueError(f"'{value}' is the name of one of the site's own files or folders; choose another id")
    return value


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Text = Annotated[str, AfterValidator(clean_text)]
ShortText = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(clean_text)]
LongText = Annotated[str, Field(min_length=1, max_length=20_000), AfterValidator(clean_text)]


def _one_or_many_schema(item: dict[str, Any]) -> WithJsonSchema:
    # Editors should accept what the loader accepts: `threat: terrorism` as well as a list.
    return WithJsonSchema({"anyOf": [item, {"type": "array", "items": item}]})


def _key_like(value: Any) -> Any:
    """`Critical`, `Civil unrest`, `natural-hazard` -> the key they can only mean: keys are lower case
    with underscores, so this reading is never ambiguous."""
    return re.sub(r"[\s-]+", "_", value.strip().lower()) if isinstance(value, str) else value


Key = Annotated[str, BeforeValidator(_key_like), Field(pattern=KEY_PATTERN)]
Keys = Annotated[
    list[Key], BeforeValidator(_one_or_many), _one_or_many_schema({"type": "string", "pattern": KEY_PATTERN})
]
Names = Annotated[
    list[ShortText],
    BeforeValidator(_one_or_many),
    _one_or_many_schema({"type": "string", "minLength": 1, "maxLength": 300}),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


# --- the advisory file ---------------------------------------------------------------------


class Source(Strict):
    title: ShortText
    publisher: ShortText | None = None
    url: Annotated[str, Field(max_length=2000, pattern=r"^(https?://|mailto:)\S+$")] | None = None
    date: dt.date | None = None


def _plausible_day(value: dt.date) -> dt.date:
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError(
            f"the year {value.year} is not plausible (between {YEARS[0]} and {YEARS[1]}); check for a typo"
        )
    return value


class OfficialAdvisory(Strict):
    """A government's own travel advice for the country on a day, shown beside ours: "US Department
    of State: Level 3, Reconsider travel (10 Jul 2017)"."""

    issuer: ShortText
    """Who issued it, e.g. "US Department of State", "UK FCDO"."""
    level: ShortText
    """Its level as the issuer words it, e.g. "Level 3, Reconsider travel"."""
    date: Annotated[dt.date, AfterValidator(_plausible_day)]
    """When the issuer set that level (or last confirmed it): a level without its date may be stale."""
    url: Annotated[str, Field(max_length=2000, pattern=r"^https?://\S+$")] | None = None
    """The issuer's page for the country (http or https): the issuer's name links to it."""


PLACEHOLDER = "REPLACE:"
"""Starts every placeholder text `travelrisk new` writes: a final advisory may not contain it."""
FUTURE_DAYS = 2
"""An advisory issued further ahead than this is probably a typo (a warning)."""
MAX_ITEMS = 20
"""Sources, cities, places and targets in one advisory: far past any real one, short of a 200-page PDF."""
YEARS = (1970, 2100)
"""Plausible years for an advisory's dates: outside them is a typo (0224 for 2024), refused with its place."""


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("needs a UTC offset, e.g. 2017-07-15T17:12:00+00:00 or ...Z")
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError(
            f"the year {value.year} is not plausible (between {YEARS[0]} and {YEARS[1]}); check for a typo"
        )
    return value.astimezone(dt.UTC)


AwareDateTime = Annotated[dt.datetime, AfterValidator(_aware)]


AdviceList = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=3000), AfterValidator(clean_text)]],
    BeforeValidator(_one_or_many),
    Field(max_length=10),
    _one_or_many_schema({"type": "string", "minLength": 1}),
]
LangCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
"""An ISO 639 language code: en, fr, ar."""


class Translation(Strict):
    """The analyst's own text in another language (`translations: {fr: {...}}`): every text field
    the advisory has in its own language, translated; facts (dates, places to avoid, sources) stay."""

    title: ShortText
    summary: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(clean_text)]
    event: LongText
    context: LongText | None = None
    area: ShortText | None = None
    cities: Annotated[Names, Field(max_length=MAX_ITEMS)] | None = None
    avoid: Annotated[Names, Field(max_length=MAX_ITEMS)] | None = None
    curfew: ShortText | None = None
    time_frame: ShortText | None = None
    changes: LongText | None = None
    advice: AdviceList = []


def _capitalised(value: Any) -> Any:
    """`likely`, `LIKELY` -> `Likely`: CAP's words as people type them."""
    return value.strip().capitalize() if isinstance(value, str) else value


CapCertainty = Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]


class Advisory(Strict):
    """One advisory as its author wrote it (before rules are applied)."""

    id: Annotated[str, Field(pattern=ID_PATTERN), AfterValidator(_not_reserved)]
    title: ShortText
    country: ShortText
    issued: AwareDateTime
    severity: Key
    threat: Annotated[Keys, Field(min_length=1)]
    summary: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(clean_text)]
    event: LongText
    context: LongText | None = None
    targets: Annotated[Keys, Field(max_length=MAX_ITEMS)] | None = None
    cities: Annotated[Names, Field(max_length=MAX_ITEMS)] | None = None
    area: ShortText | None = None
    kind: Keys | None = None
    """What happened, more precisely than the threat (typhoon, earthquake, protest...): picks the advice."""
    avoid: Annotated[Names, Field(max_length=MAX_ITEMS)] | None = None
    """Named places to keep away from (a square, a district, a road)."""
    curfew: ShortText | None = None
    """Curfew hours as the authorities set them, e.g. "22:00 to 05:00 local time"."""
    time_frame: ShortText | None = None
    """How long the situation is expected to last, as it reads after the advice, e.g. "until at least 25 November"."""
    changes: LongText | None = None
    """For an update: what has changed since the advisory it supersedes (shown first)."""
    valid_until: AwareDateTime | None = None
    certainty: Annotated[CapCertainty, BeforeValidator(_capitalised)] = "Unknown"
    """How sure the analyst is of the event or threat, in CAP 1.2's words (Observed, Likely: more than
    about 50 %, Possible, Unlikely, Unknown). Unknown unless said: the rules cannot know it."""
    withdrawn: AwareDateTime | None = None
    """When a withdrawn advisory was taken back: the `sent` of its CAP Cancel."""
    status: Annotated[Status, BeforeValidator(_key_like)] = "final"
    supersedes: Annotated[str, Field(pattern=ID_PATTERN)] | None = None
    sources: Annotated[list[Source], Field(max_length=MAX_ITEMS)] = []
    official_advisories: Annotated[list[OfficialAdvisory], Field(max_length=MAX_ITEMS)] = []
    """Governments' own travel advice for the country (optional), shown as one compact block."""
    advice: AdviceList = []
    lang: LangCode | None = None
    """The language this file is written in; travelrisk.yaml's `lang`, else English, when absent."""
    translations: dict[LangCode, Translation] = {}
    """The analyst's text in other languages, for `--lang fr` and bilingual documents."""

    @field_validator("valid_until", mode="after")
    @classmethod
    def _valid_after_issue(cls, value: dt.datetime | None, info: ValidationInfo) -> dt.datetime | None:
        issued = info.data.get("issued")
        if value is not None and issued is not None and value <= issued:
            raise ValueError("is not after `issued`: the advisory would never be in force; check both dates")
        return value

    @field_validator("withdrawn", mode="after")
    @classmethod
    def _withdrawn_after_issue(cls, value: dt.datetime | None, info: ValidationInfo) -> dt.datetime | None:
        issued = info.data.get("issued")
        if value is not None and issued is not None and value < issued:
            raise ValueError("is before `issued`: an advisory is withdrawn after it was issued; check both dates")
        return value

    @field_validator("valid_until", "issued", "withdrawn", mode="before")
    @classmethod
    def _date_only(cls, value: Any) -> Any:
        # A bare date (2017-07-20, quoted or not) means the end of that day in UTC.
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                return value  # not a real day: reported as not a date
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return dt.datetime(value.year, value.month, value.day, 23, 59, tzinfo=dt.UTC)
        return value


# --- the rule library ----------------------------------------------------------------------

CapSeverity = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
CapCategory = Literal[
    "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"
]


class Level(Strict):
    key: Key
    label: ShortText
    meaning: ShortText
    colour: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
    cap_severity: CapSeverity = "Unknown"
    recommend: Key | None = None
    """The travel recommendation grade at this level when no rule sets another."""


class TargetCategory(Strict):
    label: ShortText
    meaning: ShortText | None = None
    examples: Annotated[list[ShortText], Field(min_length=1)]
    coastal: list[ShortText] = []
    """Examples named only for countries with a sea coast (ports, beaches)."""
    coastal_only: bool = False
    """The whole category exists only where there is a sea coast (coastal areas)."""
    overland: list[ShortText] = []
    """Examples named only for countries with a land border (border crossings)."""
    words: list[ShortText] = []
    """Words in an advisory's title, summary or event that name this kind of place (a church, a mall):
    the place the event struck comes first in the advice when the analyst names no places."""


class Condition(Strict):
    """`when:` of a rule. Every key given must hold."""

    country: Names | None = None
    region: Names | None = None
    threat: Keys | None = None
    severity: Keys | None = None
    severity_at_least: Key | None = None
    targets: Keys | None = None
    cities: Names | None = None
    kind: Keys | None = None
    local: bool | None = None
    """True: the advisory names an `area` (a local event); false: it does not (nationwide)."""
    issued_after: dt.date | None = None
    issued_before: dt.date | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")


class Rule(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: ShortText | None = None
    when: Condition = Condition()
    slot: Annotated[str, Field(pattern=ID_PATTERN)] | None = None
    priority: int = 0
    advice: LongText | None = None
    recommend: Key | None = None
    """A travel recommendation grade (rules/recommendations.yaml): the most specific matching rule that
    sets one decides the advisory's single recommendation."""

    @model_validator(mode="after")
    def _says_something(self) -> Rule:
        if self.advice is None and self.recommend is None:
            raise ValueError("a rule needs 'advice' or 'recommend' (or both)")
        return self


class RuleExample(Strict):
    name: ShortText
    advisory: dict[str, Any]
    recommendation: Key | None = None
    """The travel recommendation grade the example must get."""
    must_contain: list[ShortText] = []
    must_not_contain: list[ShortText] = []


class Kind(Strict):
    """A kind of threat (a typhoon is a natural hazard) with its own advice, places and CAP category."""

    label: ShortText
    meaning: ShortText | None = None
    cap_category: CapCategory | None = None
    """When it differs from the threat's (storms and floods Met, earthquakes Geo, wildfires Fire)."""
    words: list[ShortText] = []
    """Words in an advisory's title, summary or event that name this kind (matched as whole words)."""
    in_event: bool = True
    """Whether its words in the event text alone find it; false for a kind the event may mention in
    passing (a curfew on minors in two towns is not a curfew on travellers): then only the title,
    the summary or the advisory field named by `field` find it."""
    field: Key | None = None
    """An advisory field that, when given, names this kind (`curfew`)."""
    default_targets: list[Key] | None = None
    """The places it exposes, in order of relevance, instead of the threat's."""
    impact: ShortText | None = None
    """One sentence on what travellers should expect (disruption, checks, closures)."""


class Threat(Strict):
    key: Key
    label: ShortText
    meaning: ShortText
    indicator: Literal["T", "U", "C", "K", "H", "N", "E", "O"] | None = None
    cap_category: CapCategory = "Other"
    default_targets: list[Key] = []
    """The places it exposes, most relevant first."""
    impact: ShortText | None = None
    kinds: dict[Key, Kind] = {}


class Background(Strict):
    """One dated fact of a country's background, written as it stood on `date`."""

    date: dt.date | None = None
    """When the fact happened or became true: only advisories issued after it may show it."""
    until: dt.date | None = None
    """When it stopped being current (a lifted curfew, a lockdown ended): not shown from then on."""
    source: ShortText | None = None
    """Where the fact comes from (publisher and title)."""
    threats: Keys | None = None
    text: LongText


class CountryProfile(Strict):
    code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    name: ShortText
    region: Literal["Africa", "Americas", "Asia", "Europe", "Oceania", "Antarctica"] | None = None
    capital: ShortText | None = None
    cities: list[ShortText] = []
    timezones: list[ShortText] = []
    languages: list[ShortText] = []
    emergency: dict[Key, Annotated[str, Field(pattern=r"^[0-9 +]{2,15}$")]] = {}
    coast: bool | None = None
    """Whether the country has a sea coast: landlocked countries are not told about ports and beaches."""
    coastal_cities: list[ShortText] = []
    """Cities on the sea: a local event there is told about its port and beaches (else only when its words say so)."""
    local_examples: dict[Key, list[ShortText]] = {}
    """Target key -> example words as they fit this country (e.g. souks for markets in Morocco)."""
    background: list[Background] = []


class Grade(Strict):
    """One travel recommendation grade, like the US State Department's four advisory levels."""

    key: Key
    label: ShortText
    text: LongText
    """The recommendation as the advisory states it (rule-text variables: place, time_frame, ...)."""


Sources = Annotated[list[ShortText], Field(min_length=1)]


class LevelsFile(Strict):
    sources: Sources
    levels: Annotated[list[Level], Field(min_length=1)]


class RecommendationsFile(Strict):
    sources: Sources
    grades: Annotated[list[Grade], Field(min_length=1)]


class TargetsFile(Strict):
    sources: Sources
    targets: dict[Key, TargetCategory]


class ThreatFile(Strict):
    sources: Sources
    threat: Threat
    rules: list[Rule] = []
    examples: list[RuleExample] = []


class CountryFile(Strict):
    sources: Sources
    country: CountryProfile
    rules: list[Rule] = []
    examples: list[RuleExample] = []


class GeneralFile(Strict):
    sources: Sources = []
    rules: list[Rule] = []
    examples: list[RuleExample] = []
