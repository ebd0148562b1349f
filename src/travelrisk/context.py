"""Background as it stood on the issue date: which of a profile's dated facts an advisory shows.

A fact is shown only if it is dated before the day the advisory was issued (never the event
itself, nor anything later) and was still current then (`until`). The most relevant come first
(about one of the advisory's threats, then the most recent), and only a few: a Context section is
a paragraph or two, not a history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .model import Background

MAX_FACTS = 3
"""Background facts shown at most; one fewer when the analyst writes context of their own."""


@dataclass(frozen=True)
class Fact:
    text: str
    date: date | None
    source: str | None
    chosen: bool
    why: str
    """Why it was chosen or left out (for `explain`)."""


def select(background: list[Background], threats: list[str], issued: date, most: int = MAX_FACTS) -> list[Fact]:
    """Every fact of the profile, each marked chosen or not, with the reason; chosen ones first, in order."""
    eligible: list[tuple[tuple[int, int], Background]] = []
    left: list[Fact] = []
    for item in background:
        if item.date is None:
            left.append(_fact(item, False, "undated: a fact needs its date to be shown"))
        elif item.date >= issued:
            left.append(_fact(item, False, f"dated {item.date}, not before the issue date {issued}"))
        elif item.until is not None and item.until <= issued:
            left.append(_fact(item, False, f"no longer current from {item.until}"))
        elif item.threats and not set(item.threats) & set(threats):
            left.append(_fact(item, False, f"about {', '.join(item.threats)}, not this advisory's threats"))
        else:
            about = 0 if item.threats else 1  # a fact about this threat before a general one
            eligible.append(((about, -item.date.toordinal()), item))
    eligible.sort(key=lambda pair: pair[0])
    if any(rank[0] == 0 for rank, _ in eligible):  # facts about this threat: general ones would only pad
        left += [
            _fact(item, False, "general background, and facts about this threat exist")
            for rank, item in eligible
            if rank[0]
        ]
        eligible = [(rank, item) for rank, item in eligible if not rank[0]]
    chosen = [
        _fact(item, True, "about this threat" if not rank[0] else "general background")
        for rank, item in eligible[:most]
    ]
    left += [_fact(item, False, f"less relevant or older than the {most} chosen") for _, item in eligible[most:]]
    return chosen + left


def _fact(item: Background, chosen: bool, why: str) -> Fact:
    return Fact(item.text, item.date, item.source, chosen, why)
