"""Places an advisory names: the kinds of place a threat exposes, in words that fit the country,
and the cities.

- A threat (or the kind of event, when it has its own) keeps its own places; places the analyst
  names come first. Lists are short and ordered by relevance.
- Example words fit the country: a profile may rename them (souks for markets in Morocco), and
  coastal examples (ports, beaches) are named only where there is a coast.
- A local event (an `area`) names no national cities unless the analyst lists them; a city-state
  is not named twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from . import countries
from .errors import Problem, did_you_mean
from .loading import Document
from .model import Advisory, CountryProfile, Kind, TargetCategory, Threat

if TYPE_CHECKING:
    from .library import RuleLibrary

MAX_CATEGORIES = 4
"""Kinds of place a threat names by default in one sentence: more reads as a list, not advice."""
MIN_OWN = 2
"""A threat's own places kept beside those the analyst names (a storm still names the coast)."""


def has_coast(code: str, profile: CountryProfile | None) -> bool:
    return profile.coast if profile is not None and profile.coast is not None else countries.has_coast(code)


# fmt: off
COAST_WORDS = ("coast", "coastal", "coastline", "port", "ports", "harbour", "harbor", "beach", "beaches",
               "peninsula", "seafront", "waterfront", "island", "islands", "bay", "shore", "sea", "ocean",
               "tsunami")
# fmt: on
"""Words that put a local event by the sea."""


def coast_here(advisory: Advisory, code: str, profile: CountryProfile | None) -> bool:
    """Whether the place at risk has a coast. A national event: the country's. A local one (`area`):
    by the sea when its words or a seaside city say so, inland when it names one of the profile's
    inland cities (Nairobi is not told about ports), else the country's."""
    if not has_coast(code, profile):
        return False
    if not advisory.area or code in countries.CITY_STATES or profile is None:
        return True
    from .kinds import word_pattern

    text = " ".join((advisory.area, advisory.title, advisory.summary, advisory.event))
    if any(word_pattern(w).search(text) for w in (*COAST_WORDS, *profile.coastal_cities)):
        return True
    inland = [c for c in [*profile.cities, profile.capital or ""] if c and c not in profile.coastal_cities]
    return not any(word_pattern(c).search(advisory.area) for c in inland)


def target_keys(
    threat: Threat,
    kinds: Iterable[Kind],
    chosen: list[str] | None,
    targets: dict[str, TargetCategory],
    coast: bool,
    struck: Iterable[str] = (),
) -> list[str]:
    """The advisory's own places first, then the kind's (or else the threat's) most relevant ones,
    those the event's words name (`struck`: a church, a mall) first among them, without coastal
    places where there is no coast."""
    own = next((k.default_targets for k in kinds if k.default_targets is not None), threat.default_targets)
    own = [k for k in own if coast or not targets[k].coastal_only]
    own = [*(k for k in struck if k in own), *(k for k in own if k not in struck)]
    named = [k for k in chosen or [] if coast or not targets[k].coastal_only]
    # The analyst's list is kept whole; the threat keeps at least its two most relevant places.
    return list(dict.fromkeys([*named, *own[: max(MIN_OWN, MAX_CATEGORIES - len(named))]]))


def named_in(advisory: Advisory, targets: dict[str, TargetCategory]) -> list[str]:
    """The kinds of place the advisory's own words name (a church, a mall), in the library's order."""
    from .kinds import mentions

    text = " ".join((advisory.title, advisory.summary, advisory.event))
    lowered = text.lower() if text.isascii() else None
    return [key for key, category in targets.items() if any(mentions(w, text, lowered) for w in category.words)]


def examples(
    keys: Iterable[str], targets: dict[str, TargetCategory], code: str, profile: CountryProfile | None, coast: bool
) -> list[str]:
    """The example words for these categories, as they fit the country (its coast, its land borders),
    without repeats."""
    overland = countries.has_land_border(code)
    words: list[str] = []
    for key in keys:
        category = targets[key]
        local = profile.local_examples.get(key) if profile is not None else None
        words += (
            local
            if local is not None
            else [
                *(category.overland if overland else []),
                *category.examples,
                *(category.coastal if coast else []),
            ]
        )
    return list(dict.fromkeys(words))


def cities(advisory: Advisory, code: str, name: str, profile: CountryProfile | None) -> tuple[list[str], str]:
    """The cities the advice names, and where they come from (for `explain`)."""
    if advisory.cities is not None:
        found, origin = list(advisory.cities), "advisory"
    elif advisory.area:
        return [], "none: a local event (area) names the area, not the country's major cities"
    elif profile is not None:
        found, origin = list(profile.cities), "country profile"
    elif code:
        found, origin = countries.major_cities(code), "GeoNames (largest cities and the capital)"
    else:
        return [], "none"
    return [c for c in found if c.casefold() != name.casefold()], origin


def country(
    advisory: Advisory, doc: Document, lib: RuleLibrary, problems: list[Problem], warnings: list[Problem]
) -> tuple[str, str, CountryProfile | None]:
    code = lib.country_code(advisory.country)
    if code is None:
        names = {p.name: c for c, p in lib.countries.items()}
        guess = countries.suggest(advisory.country, names)
        hint = did_you_mean(
            advisory.country,
            [guess] if guess else [],
            "write an ISO 3166-1 alpha-2 code such as MA, or the English name",
        )
        problems.append(doc.problem(("country",), f"unknown country '{advisory.country}'", hint))
        return "", advisory.country, None
    profile = lib.countries.get(code)
    if profile:
        return code, profile.name, profile
    name = countries.name(code)
    warnings.append(
        doc.problem(
            ("country",),
            f"no country profile for {name} ({code}); using its CLDR name and GeoNames cities",
            f"add rules/countries/{code.lower()}.yaml for background",
        )
    )
    return code, name, None


def zone(code: str, cities: list[str], profile: CountryProfile | None, advisory: Advisory) -> str | None:
    """The time zone for local time: the first named city's, else the country's only one, else any
    of its zones when all keep the same time at the issue moment (Uzbekistan's two); None when unsure."""
    if not code:
        return None
    zones = profile.timezones if profile else []
    if len(zones) == 1:
        return zones[0]
    # "Port Moresby and Lae", "Nukus, Karakalpakstan": each part may name a city.
    parts = re.split(r",| and ", advisory.area) if advisory.area else []
    named = [*(advisory.cities or []), *(p.strip() for p in parts if p.strip())]
    for city in named or (cities if not zones else []):
        if zone := countries.time_zone(code, city):
            return zone
    candidates = zones or countries.time_zones(code)
    offsets = {ZoneInfo(z).utcoffset(advisory.issued) for z in candidates}
    return candidates[0] if candidates and len(offsets) == 1 else None


_COMMON_NOUNS = frozenset(
    [
        "area",
        "areas",
        "region",
        "district",
        "districts",
        "coast",
        "border",
        "borderlands",
        "peninsula",
        "islands",
        "outskirts",
        "suburbs",
        "countryside",
        "corridor",
        "zone",
        "division",
        "department",
        "governorate",
        "intersection",
        "junction",
        "roundabout",
        "belt",
    ]
)
"""Place words that make an analyst's name a common noun phrase, which takes 'the' mid-sentence."""


def in_sentence(name: str) -> str:
    """An analyst's place name as it reads after 'in' or 'to': 'the Port-au-Prince metropolitan
    area', 'the Tigray Region'; proper names ('Nairobi', 'Zamfara State') and phrases that read
    without ('Hatay province', 'Manchester city centre') unchanged."""
    words = name.split(" (", 1)[0].split()
    if len(words) < 2 or words[0].lower() in ("the", "a", "an") or "," in name:
        return name
    last = words[-1]
    if last in _COMMON_NOUNS or last == "Region":
        return f"the {name}"
    return name
