"""Where each advisory stands: draft, in force, expired, superseded by an update, or withdrawn.

`Lifecycle.load` reads every advisory of a workspace once and links `supersedes` both ways, so
that `travelrisk list` can say what is still in force and a rendered update can link to the
advisory it replaces (and that one forward to it).

A draft supersedes nothing yet: until the update is final, the earlier advisory stays in force
and does not link forward to a page the intranet does not carry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import countries
from .errors import Problem, TravelriskError
from .model import Advisory

if TYPE_CHECKING:
    from .workspace import Workspace

STATES = ("active", "expired", "superseded", "withdrawn", "draft")
"""What `state()` returns; `list --active` and `list --expired` filter on it."""


@dataclass(frozen=True)
class Entry:
    path: Path
    advisory: Advisory
    country_code: str  # ISO alpha-2, or "" when the country is unknown


@dataclass
class Lifecycle:
    entries: dict[str, Entry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    """Files that could not be read, and duplicate ids: `list` reports them and goes on."""
    successors: dict[str, list[str]] = field(default_factory=dict)
    """id -> ids of the advisories (of any status) that name it in `supersedes`."""

    @classmethod
    def load(cls, ws: Workspace, mentioning: set[str] | None = None) -> Lifecycle:
        """Every advisory of the workspace; or, with `mentioning`, only the files that name one
        of those ids (in their bytes or file name): all that one advisory's links can need."""
        try:
            names = {p.name: code for code, p in ws.library.countries.items()}
        except TravelriskError:  # a broken rule library must not hide the list of advisories
            names = {}
        life = cls()
        for path in ws.advisory_paths():
            if mentioning is not None and not _mentions(path, mentioning):
                continue
            try:
                advisory = ws.load(path).advisory
            except TravelriskError as exc:
                life.problems += exc.problems
                continue
            if advisory.id in life.entries:
                life.problems.append(
                    Problem(
                        str(path),
                        message=f"id '{advisory.id}' is already used by {life.entries[advisory.id].path}",
                        hint="give each advisory its own id",
                    )
                )
                continue
            code = countries.to_code(advisory.country, names) or ""
            life.entries[advisory.id] = Entry(path, advisory, code)
        for entry in life.entries.values():
            if entry.advisory.supersedes:
                life.successors.setdefault(entry.advisory.supersedes, []).append(entry.advisory.id)
        return life

    def superseded_by(self, advisory_id: str) -> Entry | None:
        """The latest non-draft advisory that supersedes this one, if any."""
        later = [self.entries[i] for i in self.successors.get(advisory_id, []) if i != advisory_id]
        later = [e for e in later if e.advisory.status != "draft"]
        return max(later, key=lambda e: e.advisory.issued, default=None)

    def state(self, advisory_id: str, now: dt.datetime | None = None) -> str:
        """One of STATES. Withdrawn and draft win; then superseded; then expired by `valid_until`."""
        a = self.entries[advisory_id].advisory
        if a.status in ("withdrawn", "draft"):
            return a.status
        if self.superseded_by(advisory_id):
            return "superseded"
        if is_expired(a, now):
            return "expired"
        return "active"

    def chain(self, advisory_id: str) -> list[Entry]:
        """The whole line of updates this advisory belongs to, earliest first (cycles cut)."""
        seen: set[str] = set()
        first = advisory_id
        while (earlier := self.entries[first].advisory.supersedes) in self.entries and earlier not in seen:
            seen.add(first)
            first = earlier
        line: list[Entry] = []
        current: str | None = first
        visited: set[str] = set()
        while current is not None and current not in visited:
            visited.add(current)
            line.append(self.entries[current])
            nxt = [i for i in self.successors.get(current, []) if i not in visited]
            current = max(nxt, key=lambda i: self.entries[i].advisory.issued) if nxt else None
        return line

    def related(self, advisory: Advisory) -> dict[str, Any]:
        """What a rendered advisory says about its neighbours: `update_of` and `superseded_by`."""
        earlier = self.entries.get(advisory.supersedes) if advisory.supersedes else None
        later = self.superseded_by(advisory.id)
        return {
            "update_of": _link(earlier.advisory) if earlier else None,
            "superseded_by": _link(later.advisory) if later and later.advisory.id != advisory.id else None,
        }


def is_expired(advisory: Advisory, now: dt.datetime | None = None) -> bool:
    now = now or dt.datetime.now(dt.UTC)
    return advisory.valid_until is not None and advisory.valid_until < now


def _link(a: Advisory) -> dict[str, Any]:
    from .render import utc_display, utc_iso

    # Links are relative between output/<id>/index.html pages, the layout of `build` and `serve`.
    return {
        "id": a.id,
        "title": a.title,
        "href": f"../{a.id}/index.html",
        "issued": {
            "iso": utc_iso(a.issued),
            "display": utc_display(a.issued),
            "date": utc_display(a.issued).split(" | ")[0],
        },
    }


def _mentions(path: Path, ids: set[str]) -> bool:
    try:
        raw = path.read_bytes()
    except OSError:
        return True  # let the loader report it
    return any(i in path.stem or i.encode() in raw for i in ids)
