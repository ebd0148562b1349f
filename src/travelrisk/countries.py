"""ISO 3166-1 country codes and English names, from pycountry's copy of the ISO data.

pycountry (Debian's iso-codes data) saves us a hand-kept list of 249 countries; profiles in
the rule library add what ISO does not know (cities, time zones, background).
"""

from __future__ import annotations

from functools import lru_cache

import pycountry


def is_iso_code(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


def name(code: str) -> str:
    """The short English name: 'Bolivia' rather than 'Bolivia, Plurinational State of'."""
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    table: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                table[value.casefold()] = country.alpha_2
    return table


def to_code(value: str, extra_names: dict[str, str] | None = None) -> str | None:
    """An ISO alpha-2 code for a code in any case or an English name; None if unknown."""
    text = value.strip()
    if len(text) == 2:
        return text.upper() if is_iso_code(text) else None
    folded = text.casefold()
    for profile_name, code in (extra_names or {}).items():
        if profile_name.casefold() == folded:
            return code
    return _names().get(folded)


# English puts "the" before these countries' short names mid-sentence ("in the Philippines").
_WITH_ARTICLE = {
    "AE",
    "AX",
    "BS",
    "CC",
    "CD",
    "CF",
    "CK",
    "CX",
    "DO",
    "FK",
    "FO",
    "GB",
    "GM",
    "KM",
    "KY",
    "MH",
    "MP",
    "MV",
    "NL",
    "PH",
    "SB",
    "SC",
    "TC",
    "UM",
    "US",
    "VA",
    "VG",
    "VI",
}


def in_sentence(code: str, short_name: str) -> str:
    """The name as it reads mid-sentence: 'the United Kingdom', 'Morocco'."""
    return f"the {short_name}" if code in _WITH_ARTICLE and not short_name.startswith("the ") else short_name
