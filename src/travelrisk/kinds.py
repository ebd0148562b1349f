"""Kinds of threat: which an advisory is about, named by the analyst or found from its words."""

from __future__ import annotations

import re
from functools import lru_cache

from .errors import Problem
from .library import RuleLibrary, _unknown
from .loading import Document
from .model import Advisory, Kind, Threat


def find(advisory: Advisory, doc: Document, lib: RuleLibrary, problems: list[Problem]) -> dict[str, str]:
    """The kinds of threat this advisory is about: those it names, and for threats without a named
    kind, those its words name."""
    found: dict[str, str] = {}
    for i, key in enumerate(advisory.kind or []):
        loc = ("kind", i) if doc.place(("kind", i)) != doc.place(()) else ("kind",)
        if key not in lib.kinds:
            problems.append(_unknown(doc, loc, "kind", key, lib.kinds))
        elif lib.kinds[key][0] not in advisory.threat:
            problems.append(
                doc.problem(
                    loc,
                    f"kind '{key}' is a kind of {lib.kinds[key][0]}, which this advisory does not name",
                    f"add '{lib.kinds[key][0]}' to threat",
                )
            )
        else:
            found[key] = "named in the advisory"
    # The kinds the analyst names settle their threats; the advisory's other threats still get
    # theirs from its words (a winter storm named, the power cuts it brings found).
    named = {lib.kinds[k][0] for k in found}
    open_threats = [t for t in advisory.threat if t not in named]
    texts = {"title": advisory.title, "summary": advisory.summary, "event": advisory.event}
    kept = [h for h in _hits(texts, open_threats, lib) if h[1] != "event" or lib.kinds[h[0]][1].in_event]
    for key, (threat, kind) in lib.kinds.items():
        if threat in open_threats and kind.field and getattr(advisory, kind.field, None):
            kept.append((key, kind.field, 0, 0, kind.field))
    order = [*texts, *(k.field for _, k in lib.kinds.values() if k.field)]
    for key in lib.kinds:  # the library's order of kinds: the first supplies a threat's places
        mine = sorted((order.index(h[1]), h[2], h[4], h[1]) for h in kept if h[0] == key)
        if mine:
            where = mine[0][3]
            found[key] = f"the `{where}` field" if where not in texts else f"the word '{mine[0][2]}' in the {where}"
    return found


def in_text(text: str, threats: list[str], lib: RuleLibrary) -> dict[str, str]:
    """Kind -> its threat, for the kinds of these threats that words in `text` name (a background
    fact about a hurricane names tropical_cyclone)."""
    return {h[0]: lib.kinds[h[0]][0] for h in _hits({"text": text}, threats, lib)}


def _hits(texts: dict[str, str], threats: list[str], lib: RuleLibrary) -> list[tuple[str, str, int, int, str]]:
    """(kind, where, start, end, word) for each kind's word found in the texts."""
    # A cheap test first, where it is exact: between ASCII strings, re.I is ASCII case (elsewhere
    # it is not: 'İ' matches 'i', but 'İ'.lower() does not hold it).
    lowered = {where: text.lower() if text.isascii() else None for where, text in texts.items()}
    hits = [
        (key, where, m.start(), m.end(), word)
        for key, (threat, kind) in lib.kinds.items()
        if threat in threats
        for where, text in texts.items()
        for word in kind.words
        if _maybe_in(word, lowered[where])
        for m in word_pattern(word).finditer(text)
    ]
    # A word inside a longer match of another kind does not count: "strike" in "air strike",
    # "kidnapping" in "express kidnapping".
    return [
        h
        for h in hits
        if not any(
            o[0] != h[0] and o[1] == h[1] and o[2] <= h[2] and h[3] <= o[3] and o[3] - o[2] > h[3] - h[2] for o in hits
        )
    ]


_ARABIC_PREFIX = "(?:[وفبل]|وال|بال|فال|لل)?"
"""Arabic writes 'and', 'with', 'for' and 'the' joined to the word: والتفجير holds التفجير."""


def mentions(word: str, text: str, lowered: str | None) -> bool:
    """Whether `text` holds `word` as a word; `lowered` is `text.lower()` when `text` is ASCII."""
    return _maybe_in(word, lowered) and word_pattern(word).search(text) is not None


def _maybe_in(word: str, lowered: str | None) -> bool:
    """False only when `word` surely does not occur in the ASCII text `lowered`."""
    ascii_lower = _ascii_lower(word)
    return lowered is None or ascii_lower is None or ascii_lower in lowered


@lru_cache(maxsize=4096)
def _ascii_lower(word: str) -> str | None:
    return word.lower() if word.isascii() else None


@lru_cache(maxsize=1024)
def word_pattern(word: str) -> re.Pattern[str]:
    prefix = _ARABIC_PREFIX if word[:1] and "\u0600" <= word[0] <= "\u06ff" else ""
    return re.compile(rf"(?<![\w-]){prefix}{re.escape(word)}(?![\w-])", re.I)


def of_threat(threat: Threat, kinds: dict[str, Kind], lib: RuleLibrary) -> list[Kind]:
    return [kind for key, kind in kinds.items() if lib.kinds[key][0] == threat.key]
