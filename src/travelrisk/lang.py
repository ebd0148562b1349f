"""Languages of the rule library. English is the source: `rules/` holds it whole. Another language
`xx` lays text only over it from `rules/lang/xx/` (same relative paths, keyed by level, grade,
target, kind and rule id), and `rules/lang/xx/language.yaml` says how the language joins lists,
names the security contact and puts country names in a sentence.

`localize` gives the library in one language. Text the language lacks is never filled in from
English: it is recorded in `RuleLibrary.untranslated`, and an advisory that uses it is refused
with the file and key to add (`validate` lists them all).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from .errors import Problem, TravelriskError
from .loading import Document, load_yaml
from .model import Advisory, Key, LongText, ShortText
from .validation import validate_document

if TYPE_CHECKING:
    from .library import RuleLibrary

SOURCE = "en"
"""The language of `rules/` itself."""
LANG_PATTERN = r"^[a-z]{2,3}$"
LangCode = Annotated[str, Field(pattern=LANG_PATTERN)]


# --- the files -------------------------------------------------------------------------------


class _Text(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CountryForms(_Text):
    """How a country's name reads in a sentence: 'le Maroc', 'au Maroc'."""

    name: ShortText | None = None
    the: ShortText | None = None
    in_: Annotated[ShortText | None, Field(alias="in")] = None
    to: ShortText | None = None


class LanguageFile(_Text):
    name: ShortText
    and_: Annotated[ShortText, Field(alias="and")]
    or_: Annotated[ShortText, Field(alias="or")]
    contractions: dict[str, str] = {}
    """Words that merge in rule text once names are in place (French "à Le " -> "au ")."""
    comma: str = ", "
    """How the language separates items in a plain list (Arabic: "، ")."""
    contact: ShortText
    """The security contact's default name (travelrisk.yaml's `security_contact` overrides it)."""
    contact_again: ShortText | None = None
    """How rule text names the contact once advice has named it ("the same contact")."""
    local_time: ShortText
    emergency_services: dict[Key, ShortText]
    in_word: ShortText | None = None
    to_word: ShortText | None = None
    in_area: ShortText | None = None
    """The word before a place the analyst names ('à Nairobi'); `in_word` when absent."""
    in_area_article: ShortText | None = None
    """The word before an area that starts with an article ('dans la région du Tigré')."""
    articles: list[ShortText] = []
    scope_words: list[ShortText] = []
    """Words by which a curfew's own text says where it applies ("nationwide"): then the area is
    not added after it."""
    countries: dict[Annotated[str, Field(pattern=r"^[A-Z]{2}$")], CountryForms] = {}


class LabelText(_Text):
    label: ShortText
    meaning: ShortText | None = None


class GradeText(_Text):
    label: ShortText
    text: LongText


class TargetText(_Text):
    label: ShortText
    meaning: ShortText | None = None
    examples: list[ShortText]
    coastal: list[ShortText] = []
    overland: list[ShortText] = []
    words: list[ShortText] = []


class KindText(_Text):
    label: ShortText
    meaning: ShortText | None = None
    impact: ShortText | None = None
    words: list[ShortText] = []


class ThreatText(_Text):
    label: ShortText
    meaning: ShortText | None = None
    impact: ShortText | None = None


class ProfileText(_Text):
    name: ShortText | None = None
    capital: ShortText | None = None
    cities: list[ShortText] | None = None
    local_examples: dict[Key, list[ShortText]] = {}
    background: dict[dt.date, LongText | list[LongText]] = {}
    """By the English fact's date; a list where the English has several facts that day, in its order."""


class TextFile(_Text):
    """Any translated file: the parts its English file has."""

    levels: dict[Key, LabelText] = {}
    grades: dict[Key, GradeText] = {}
    targets: dict[Key, TargetText] = {}
    threat: ThreatText | None = None
    kinds: dict[Key, KindText] = {}
    rules: dict[str, LongText] = {}
    country: ProfileText | None = None


# --- loading -----------------------------------------------------------------------------------


@dataclass
class Pack:
    """One language's text, read from every rules folder (a workspace's file replaces the built-in one)."""

    lang: str
    language: LanguageFile
    files: dict[str, tuple[Path, TextFile]] = field(default_factory=dict)
    """Relative path (threats/terrorism.yaml) -> its file."""


def available(roots: list[Path]) -> list[str]:
    """Every language the library has: English, and each `rules/lang/xx/` with a language.yaml."""
    found = {p.parent.name for root in roots for p in (root / "lang").glob("*/language.yaml")}
    return [SOURCE, *sorted(found - {SOURCE})]


def load_pack(roots: list[Path], lang: str) -> Pack:
    from babel import Locale, UnknownLocaleError

    problems: list[Problem] = []
    language: LanguageFile | None = None
    files: dict[str, tuple[Path, TextFile]] = {}
    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        raise TravelriskError(
            Problem(
                str(roots[-1] / "lang" / lang),
                message=f"'{lang}' is not a language CLDR knows",
                hint="use an ISO 639 code such as fr or ar",
            )
        ) from None
    for root in roots:
        base = root / "lang" / lang
        for path in sorted(base.rglob("*.yaml")) if base.is_dir() else []:
            rel = path.relative_to(base).as_posix()
            try:
                doc = load_yaml(path)
                if rel == "language.yaml":
                    language = validate_document(doc, LanguageFile)
                else:
                    files[rel] = (path, validate_document(doc, TextFile))
            except TravelriskError as exc:
                problems.extend(exc.problems)
    if language is None:
        known = ", ".join(available(roots))
        problems.append(
            Problem(
                str(roots[-1] / "lang" / lang / "language.yaml"),
                message=f"no language '{lang}' in the rule library",
                hint=f"choose one of: {known}; or add rules/lang/{lang}/ (see docs/languages.md)",
            )
        )
    if problems:
        raise TravelriskError(sorted(set(problems)))
    assert language is not None
    return Pack(lang, language, files)


# --- the library in one language ----------------------------------------------------------------


def localize(lib: RuleLibrary, pack: Pack) -> RuleLibrary:
    """A copy of `lib` with every text in the pack's language; what the pack lacks is recorded in
    `untranslated` (by what it is: 'rule terrorism-notice', 'target markets', ...)."""
    out = copy.copy(lib)
    out.lang, out.language, out.source, out._langs = pack.lang, pack.language, lib, {}
    out.untranslated = {}
    rel_of = {p: _rel(p, lib.roots) for p in lib.files}
    text = {rel: f for rel, (_, f) in pack.files.items()}
    base = lib.roots[-1] / "lang" / pack.lang

    def missing(what: str, rel: str, key: str) -> None:
        out.untranslated[what] = Problem(
            str(base / rel),
            message=f"no {pack.language.name} text for {what}",
            hint=f"add `{key}` to rules/lang/{pack.lang}/{rel}",
        )

    def laid(
        english: dict[str, Any],
        texts: dict[str, Any],
        what: str,
        rel: str,
        section: str,
        fields: Callable[[Any, Any], dict[str, Any]],
    ) -> dict[str, Any]:
        """Each English item with its text in the language laid over it; where none, recorded missing."""
        out_items = {}
        for key, item in english.items():
            given = texts.get(key)
            if given is None:
                missing(f"{what} {key}", rel, f"{section}.{key}")
            out_items[key] = item.model_copy(update=fields(item, given)) if given is not None else item
        return out_items

    out.levels = laid(
        lib.levels,
        text.get("levels.yaml", TextFile()).levels,
        "level",
        "levels.yaml",
        "levels",
        lambda e, t: {"label": t.label, "meaning": t.meaning or e.meaning},
    )
    out.grades = laid(
        lib.grades,
        text.get("recommendations.yaml", TextFile()).grades,
        "grade",
        "recommendations.yaml",
        "grades",
        lambda e, t: {"label": t.label, "text": t.text},
    )
    out.targets = laid(
        lib.targets,
        text.get("targets.yaml", TextFile()).targets,
        "target",
        "targets.yaml",
        "targets",
        lambda e, t: t.model_dump(include={"label", "meaning", "examples", "coastal", "overland", "words"}),
    )
    out.threats, out.kinds = {}, {}
    for key, threat in lib.threats.items():
        rel = f"threats/{key}.yaml"
        f = text.get(rel, TextFile())
        if f.threat is None:
            missing(f"threat {key}", rel, "threat")
        kinds = laid(
            threat.kinds,
            f.kinds,
            "kind",
            rel,
            "kinds",
            lambda e, t: t.model_dump(include={"label", "meaning", "impact", "words"}),
        )
        out.kinds |= {k: (key, kind) for k, kind in kinds.items()}
        update: dict[str, Any] = {"kinds": kinds}
        if f.threat is not None:
            update |= {
                "label": f.threat.label,
                "meaning": f.threat.meaning or threat.meaning,
                "impact": f.threat.impact,
            }
        out.threats[key] = threat.model_copy(update=update)
    out.rules = []
    for loaded in lib.rules:
        if loaded.rule.advice is None:
            out.rules.append(loaded)
            continue
        rel = rel_of.get(loaded.path, loaded.path.name)
        advice = text.get(rel, TextFile()).rules.get(loaded.rule.id)
        if advice is None:
            missing(f"rule {loaded.rule.id}", rel, f"rules.{loaded.rule.id}")
        new = copy.copy(loaded)
        new.rule = loaded.rule.model_copy(update={"advice": advice}) if advice else loaded.rule
        new.template = None
        out.rules.append(new)
    out.countries = {}
    for code, profile in lib.countries.items():
        pt = text.get(f"countries/{code.lower()}.yaml", TextFile()).country or ProfileText()
        # Background without this language's text is left out, never shown in English.
        background, seen = [], Counter[dt.date]()
        for fact in profile.background:
            given = pt.background.get(fact.date) if fact.date else None
            texts = given if isinstance(given, list) else [given] if given else []
            index = seen[fact.date] if fact.date else 0
            if fact.date:
                seen[fact.date] += 1
            if index < len(texts):
                background.append(fact.model_copy(update={"text": texts[index]}))
        out.countries[code] = profile.model_copy(
            update={
                "capital": pt.capital or profile.capital,
                "cities": pt.cities if pt.cities is not None else profile.cities,
                "local_examples": pt.local_examples or {},
                "background": background,
            }
        )
    return out


def _rel(path: Path, roots: list[Path]) -> str:
    for root in roots:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return path.name


@lru_cache(maxsize=16)
def direction(lang: str) -> str:
    """'rtl' for Arabic, Hebrew and the like (from CLDR), else 'ltr'. Kept between runs: loading
    Babel's locale data for it is ~25 ms of every process."""
    from . import diskcache

    stored = diskcache.load("direction", [lang])
    if stored in ("rtl", "ltr"):
        return str(stored)
    from babel import Locale

    found = "rtl" if Locale.parse(lang).character_order == "right-to-left" else "ltr"
    diskcache.store("direction", [lang], found)
    return found


# --- names in a sentence -------------------------------------------------------------------------


def country_name(lib: RuleLibrary, code: str, english: str) -> str:
    """The country's name in the library's language: the language file's, else CLDR's (Babel)."""
    from babel import Locale

    forms = lib.language.countries.get(code) if lib.language else None
    if forms is not None and forms.name:
        return forms.name
    if forms is not None and forms.the and lib.language:  # "la République démocratique du Congo"
        bare = forms.the[_article(forms.the, lib.language.articles) :].lstrip()
        if bare != forms.the:
            return bare[:1].upper() + bare[1:]
    return str(Locale.parse(lib.lang).territories.get(code) or english)


def country_forms(lib: RuleLibrary, code: str, name: str) -> tuple[str, str, str]:
    """The country as it reads mid-sentence, after 'in' and after 'to': ('the United Kingdom', 'in
    the United Kingdom', 'to the United Kingdom'), ('le Maroc', 'au Maroc', 'au Maroc')."""
    from .countries import in_sentence

    language = lib.language
    if lib.lang == SOURCE or language is None:
        the = in_sentence(code, name)
        return the, f"in {the}", f"to {the}"
    forms = language.countries.get(code) or CountryForms()
    the = forms.the or name
    return (
        the,
        forms.in_ or f"{language.in_word or ''} {name}".strip(),
        forms.to or f"{language.to_word or ''} {name}".strip(),
    )


def area_forms(lib: RuleLibrary, area: str) -> tuple[str, str, str]:
    """An analyst's place name mid-sentence, after 'in' and after 'to': ('the Tigray Region', 'in the
    Tigray Region', ...), ('Nairobi', 'à Nairobi', 'à Nairobi'), ('la région du Tigré', 'dans la
    région du Tigré', ...)."""
    from .places import in_sentence

    language = lib.language
    if lib.lang == SOURCE or language is None:
        the = in_sentence(area)
        return the, f"in {the}", f"to {the}"
    # Case matters: "la province de Hatay" takes "dans"; "Le Caire" is a name ("au Caire", by contraction).
    with_article = _article(area, language.articles) > 0
    word = (language.in_area_article if with_article else language.in_area) or language.in_word or ""
    to = language.to_word if not with_article and language.in_area is None else word
    return area, f"{word} {area}".strip(), f"{to or ''} {area}".strip()


# --- the analyst's text in a language ------------------------------------------------------------

_REQUIRED_IF_GIVEN = ("context", "area", "curfew", "time_frame", "changes", "advice")
"""Text an advisory's translation must carry when the advisory has it (names may stay as written)."""


def advisory_in(advisory: Advisory, doc: Document, lang: str, default: str = SOURCE) -> Advisory:
    """The advisory with its own text in `lang`: as written when that is its language, else from
    `translations`, or an error placed at the advisory saying what to add."""
    own = advisory.lang or default
    if lang == own:
        return advisory.model_copy(update={"lang": own})
    translation = advisory.translations.get(lang)
    if translation is None:
        have = ", ".join([own, *advisory.translations])
        loc: tuple[Any, ...] = ("translations",) if advisory.translations else ()
        raise TravelriskError(
            doc.problem(
                loc,
                f"has no text in '{lang}' (it has: {have})",
                f"add translations: {{{lang}: {{title: ..., summary: ..., event: ...}}}}",
            )
        )
    gaps = [f for f in _REQUIRED_IF_GIVEN if getattr(advisory, f) and not getattr(translation, f)]
    if gaps:
        raise TravelriskError(
            doc.problem(
                ("translations", lang),
                f"the '{lang}' text lacks {', '.join(gaps)}, which the advisory has",
                f"add {', '.join(gaps)} under translations.{lang}, or the document would mix languages",
            )
        )
    fields = {f: getattr(translation, f) for f in type(translation).model_fields}
    fields = {k: v for k, v in fields.items() if v is not None}
    return advisory.model_copy(update={**fields, "lang": lang})


def _article(text: str, articles: list[str]) -> int:
    """The length of the article `text` starts with ("la ", "l'"), or 0: a whole word, in lower case."""
    for article in articles:
        word = article.strip()
        if text.startswith(word) and (word.endswith(("'", "’")) or text[len(word) : len(word) + 1] == " "):
            return len(word)
    return 0
