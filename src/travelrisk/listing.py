"""`travelrisk list`: which advisories exist and which are still in force, as a table or JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from . import countries
from .dates import utc_iso, utc_short
from .errors import Problem, TravelriskError
from .workspace import Workspace


@dataclass(frozen=True)
class Filters:
    """Each list given keeps the advisories matching any of its values; all given lists must hold."""

    country: tuple[str, ...] = ()
    severity: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    threat: tuple[str, ...] = ()
    state: tuple[str, ...] = ()  # from --active / --expired


@dataclass(frozen=True)
class Row:
    id: str
    country: str
    severity: str
    status: str
    issued: dt.datetime
    valid_until: dt.datetime | None
    state: str  # see state.STATES
    superseded_by: str | None
    supersedes: str | None
    threats: tuple[str, ...]
    title: str
    path: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "country": self.country,
            "severity": self.severity,
            "threats": list(self.threats),
            "status": self.status,
            "issued": utc_iso(self.issued),
            "valid_until": utc_iso(self.valid_until) if self.valid_until else None,
            "state": self.state,
            "supersedes": self.supersedes,
            "superseded_by": self.superseded_by,
            "path": self.path,
        }


def rows(
    ws: Workspace, filters: Filters = Filters(), now: dt.datetime | None = None
) -> tuple[list[Row], list[Problem]]:
    """The advisories matching `filters` in the publication's order, and the problems found
    (unreadable files, duplicate ids, supersedes cycles)."""
    ws.require_advisories()
    pub = ws.publication(include_drafts=True)
    now = now or dt.datetime.now(dt.UTC)
    wanted_countries = _country_codes(ws, filters.country)
    try:
        lib_code = ws.library.country_code
    except TravelriskError:  # a broken rule library must not hide the list of advisories
        lib_code = countries.to_code
    found = []
    for record in pub.ordered(published_only=False):
        path = ws.advisories_dir / record.source
        a = ws.load(path).advisory
        later = pub.superseded_by(record.id)
        row = Row(
            record.id,
            lib_code(a.country) or a.country,
            a.severity,
            a.status,
            a.issued,
            a.valid_until,
            pub.state(record.id, now),
            later.id if later else None,
            a.supersedes,
            tuple(a.threat),
            a.title,
            str(path),
        )
        if _keep(row, filters, wanted_countries):
            found.append(row)
    return found, [p for p in pub.problems if p.severity == "error"]


def _keep(row: Row, f: Filters, wanted_countries: set[str]) -> bool:
    return (
        (not wanted_countries or row.country in wanted_countries)
        and (not f.severity or row.severity in f.severity)
        and (not f.status or row.status in f.status)
        and (not f.threat or bool(set(f.threat) & set(row.threats)))
        and (not f.state or row.state in f.state)
    )


def _country_codes(ws: Workspace, values: Iterable[str]) -> set[str]:
    """--country takes codes or names, like advisories do; an unknown one is an error, not an empty list."""
    try:
        to_code = ws.library.country_code
    except TravelriskError:
        to_code = countries.to_code
    codes = set()
    for value in values:
        code = to_code(value)
        if code is None:
            raise TravelriskError(
                Problem(
                    "--country",
                    message=f"unknown country '{value}'",
                    hint="write an ISO 3166-1 alpha-2 code such as MA, or the English name",
                )
            )
        codes.add(code)
    return codes


WIDTH = 80
"""The table fits a standard terminal: one line of facts, then the title, indented."""


def table(found: list[Row]) -> str:
    """Two lines per advisory, within WIDTH columns: issued (UTC), country, severity, state (the
    words `--state` and the JSON use) and id; then the title, indented, and what supersedes it.
    Ids are never cut (people copy them). No colour: it goes to files and pipes."""
    if not found:
        return "No advisories match.\n"
    sev = max(len("SEVERITY"), *(len(r.severity) for r in found))
    state = max(len("STATE"), *(len(r.state) for r in found))
    lines = [f"{'ISSUED (UTC)':<16}  {'CC':<2}  {'SEVERITY':<{sev}}  {'STATE':<{state}}  ID"]
    for r in found:
        lines.append(f"{utc_short(r.issued):<16}  {r.country[:2]:<2}  {r.severity:<{sev}}  {r.state:<{state}}  {r.id}")
        until = f" (valid until {utc_short(r.valid_until)})" if r.valid_until else ""
        lines.append(_clip(f"    {r.title}", WIDTH - len(until)) + until)
        if r.superseded_by:
            lines.append(f"    superseded by {r.superseded_by}")
    return "\n".join(lines) + "\n"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def to_json(found: list[Row]) -> str:
    return json.dumps([r.as_json() for r in found], ensure_ascii=False, indent=2) + "\n"
