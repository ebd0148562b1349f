"""Background as it stood on the issue date: which of a profile's dated facts an advisory shows.

A fact is shown only if it is dated before the day the advisory was issued (never the event
itself, nor anything later) and was still current then (`until`). The most relevant come first
(about the advisory's kind of threat, then about its threat, then the most recent; a fact whose
threat is a side concern only when it names the advisory's kind), and only a few: a Context
section is a paragraph or two, not a history. A fact about another kind of the same threat is
left out: a hurricane is no background to an ice storm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from .model import Background

SAME_EVENT_DAYS = 7
"""A fact of the same kind dated this close before the issue date is the event itself, not background."""
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


KindsOf = Callable[[str, list[str]], dict[str, str]]
"""The kinds of these threats that a text names, each with its threat (kinds.in_text)."""


def select(
    background: list[Background],
    threats: list[str],
    issued: date,
    most: int = MAX_FACTS,
    found: dict[str, str] | None = None,
    kinds_of: KindsOf | None = None,
) -> list[Fact]:
    """Every fact of the profile, each marked chosen or not, with the reason; chosen ones first, in order.

    `found` maps the advisory's kinds to their threats; `kinds_of` tells a fact's kinds from its words."""
    found = found or {}
    eligible: list[tuple[tuple[int, int], Background]] = []
    left: list[Fact] = []
    for item in background:
        shared = [t for t in item.threats or [] if t in threats]
        named = kinds_of(item.text, shared) if kinds_of and shared else {}
        # A fact naming kinds of a threat whose kind the advisory knows must share one of them.
        other = {k: t for k, t in named.items() if t in found.values() and k not in found}
        if item.date is None:
            left.append(_fact(item, False, "undated: a fact needs its date to be shown"))
        elif item.date >= issued:
            left.append(_fact(item, False, f"dated {item.date}, not before the issue date {issued}"))
        elif item.until is not None and item.until <= issued:
            left.append(_fact(item, False, f"no longer current from {item.until}"))
        elif item.threats and not shared:
            left.append(_fact(item, False, f"about {', '.join(item.threats)}, not this advisory's threats"))
        elif other and not set(named) & set(found):
            left.append(_fact(item, False, f"about {', '.join(other)}, not this advisory's kind"))
        elif set(named) & set(found) and (issued - item.date).days <= SAME_EVENT_DAYS:
            left.append(_fact(item, False, f"dated {item.date}, days before: probably this very event"))
        elif item.threats and item.threats[0] not in threats and not set(named) & set(found):
            # A bombing that also closed the Underground is no background to an air traffic failure.
            left.append(_fact(item, False, f"mainly about {item.threats[0]}; {', '.join(shared)} only in passing"))
        else:
            rank = 0 if set(named) & set(found) else 1 if item.threats else 2
            eligible.append(((rank, -item.date.toordinal()), item))
    eligible.sort(key=lambda pair: pair[0])
    if eligible and eligible[0][0][0] < 2:  # facts about this threat: general background would only pad
        left += [
            _fact(item, False, "general background, and facts about this threat exist")
            for rank, item in eligible
            if rank[0] == 2
        ]
        eligible = [(rank, item) for rank, item in eligible if rank[0] < 2]
    chosen = [_fact(item, True, _WHY[rank[0]]) for rank, item in eligible[:most]]
    left += [_fact(item, False, f"less relevant or older than the {most} chosen") for _, item in eligible[most:]]
    return chosen + left


_WHY = ("about this kind of threat", "about this threat", "general background")


def _fact(item: Background, chosen: bool, why: str) -> Fact:
    return Fact(item.text, item.date, item.source, chosen, why)
