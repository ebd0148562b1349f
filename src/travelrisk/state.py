"""What is published, and in what state: the one answer pages, the site, JSON, `list`, `serve` and
`build` read.

Every advisory is a `Record` (a few fields, cheap to keep in the build manifest, so unchanged
advisories need not be parsed again). `Publication` takes all of them and decides:

- which file owns an id when two claim it (the first in path order; the other is an error);
- which advisories are published (drafts only for review, with `include_drafts`);
- who supersedes whom: the latest *non-draft* advisory that names it in `supersedes` (a draft
  supersedes nothing until it is final, so the earlier one stays in force and links nowhere);
- the state of each: draft, withdrawn, superseded, expired or active, in that order of precedence;
- one order everywhere: newest first, then by id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, get_args

from .dates import parse_iso, utc_iso
from .errors import Problem

Status = Literal["draft", "final", "withdrawn"]
STATUSES: tuple[str, ...] = get_args(Status)
"""What an author writes in `status`: a draft is never published, withdrawn is no longer in force."""
CAP_FEED = "cap/alerts.atom"
"""The Atom index of CAP alerts in force (cap.py), in the reserved `cap/` folder."""
SITE_FILES = ("index.html", "feed.xml", "advisories.json", CAP_FEED)
"""The site's own files at the top of the output folder (site.py writes them)."""
RESERVED_IDS = frozenset({*SITE_FILES, "assets", "countries", "cap", "feeds"})
"""Names an advisory id may not take: `output/<id>/` would collide with the site's own files and folders."""

STATES = ("active", "expired", "superseded", "withdrawn", "draft")
"""What `Publication.state` returns; `list --state` filters on it."""


class Recordable(Protocol):
    """What a record is made from: an advisory (model.Advisory) as its author wrote it."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def issued(self) -> dt.datetime: ...
    @property
    def valid_until(self) -> dt.datetime | None: ...
    @property
    def supersedes(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def translations(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Record:
    """What publication state needs of one advisory."""

    id: str
    source: str
    """The advisory's file: of two files with one id, the first in path order wins."""
    status: str
    issued: dt.datetime
    valid_until: dt.datetime | None
    supersedes: str | None
    title: str
    titles: tuple[tuple[str, str], ...] = ()
    """(language, title) of the advisory's translations: an update names it in the reader's language."""

    @classmethod
    def of(cls, advisory: Recordable, source: str) -> Record:
        return cls(
            advisory.id,
            source,
            advisory.status,
            advisory.issued,
            advisory.valid_until,
            advisory.supersedes,
            advisory.title,
            tuple((lang, text.title) for lang, text in sorted(advisory.translations.items())),
        )

    def title_in(self, lang: str) -> str:
        """The title in `lang` when the advisory has one, else as written."""
        return dict(self.titles).get(lang, self.title)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "status": self.status,
            "issued": utc_iso(self.issued),
            "valid_until": utc_iso(self.valid_until) if self.valid_until else None,
            "supersedes": self.supersedes,
            "title": self.title,
        } | ({"titles": dict(self.titles)} if self.titles else {})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """Raises KeyError, TypeError or ValueError on a damaged entry (the manifest is untrusted)."""
        until = data["valid_until"]
        supersedes = data["supersedes"]
        fields = (data["id"], data["source"], data["status"], data["title"])
        titles = data.get("titles", {})
        if not all(isinstance(f, str) for f in fields) or not isinstance(supersedes, str | None):
            raise TypeError("a record field has the wrong type")
        if not isinstance(titles, dict) or not all(isinstance(x, str) for kv in titles.items() for x in kv):
            raise TypeError("a record's titles have the wrong type")
        return cls(
            data["id"],
            data["source"],
            data["status"],
            parse_iso(data["issued"]),
            parse_iso(until) if until else None,
            supersedes,
            data["title"],
            tuple(sorted(titles.items())),
        )


@dataclass(frozen=True)
class Related:
    """An advisory's neighbours in its line of updates, as far as the reader can follow them."""

    update_of: Record | None = None
    superseded_by: Record | None = None
    state: str = "active"
    """One of STATES, at the moment of rendering: an expired or superseded page says so at its top."""


@dataclass
class Publication:
    records: dict[str, Record] = field(default_factory=dict)
    """id -> the record that owns it."""
    include_drafts: bool = False
    """Drafts are published too (a review build, `serve`): they still supersede nothing."""
    problems: list[Problem] = field(default_factory=list)
    """Duplicate ids and supersedes cycles (errors); supersedes naming no advisory (warnings)."""
    losers: dict[str, Record] = field(default_factory=dict)
    """source -> a record that lost its id to another file."""
    _successors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, records: Iterable[Record], include_drafts: bool = False) -> Publication:
        pub = cls(include_drafts=include_drafts)
        for record in sorted(records, key=lambda r: r.source):
            owner = pub.records.get(record.id)
            if owner is None:
                pub.records[record.id] = record
                continue
            pub.losers[record.source] = record
            pub.problems.append(
                Problem(
                    record.source,
                    message=f"id '{record.id}' is already used by {owner.source}",
                    hint="give each advisory its own id",
                )
            )
        cyclic = pub._cycles()
        for record in pub.records.values():
            if record.supersedes is None or record.id in cyclic:
                continue
            if record.supersedes not in pub.records:
                pub.problems.append(
                    Problem(
                        record.source,
                        message=f"supersedes '{record.supersedes}', which is not an advisory of this workspace",
                        hint="check the id",
                        severity="warning",
                    )
                )
            elif record.supersedes != record.id:
                pub._successors.setdefault(record.supersedes, []).append(record.id)
        return pub

    def _cycles(self) -> set[str]:
        """Ids on a supersedes cycle (A supersedes B supersedes A): reported, and their links ignored."""
        on_cycle: set[str] = set()
        for start in self.records:
            seen = [start]
            current = self.records[start].supersedes
            while current in self.records and current not in seen:
                seen.append(current)
                current = self.records[current].supersedes
            if current == start:
                on_cycle.add(start)
        for aid in sorted(on_cycle):
            record = self.records[aid]
            self.problems.append(
                Problem(
                    record.source,
                    message=f"supersedes '{record.supersedes}', which (through "
                    "its own 'supersedes') supersedes this advisory: a cycle",
                    hint="an update supersedes only earlier advisories; remove one link",
                )
            )
        return on_cycle

    # --- the answers ---------------------------------------------------------------------

    def is_published(self, aid: str) -> bool:
        record = self.records.get(aid)
        return record is not None and (record.status != "draft" or self.include_drafts)

    def successors(self, aid: str) -> list[Record]:
        """Every advisory (drafts too) that names this one in `supersedes`, earliest first."""
        return sorted((self.records[i] for i in self._successors.get(aid, ())), key=lambda r: (r.issued, r.id))

    def superseded_by(self, aid: str) -> Record | None:
        """The latest non-draft advisory that supersedes this one, if any."""
        later = [self.records[i] for i in self._successors.get(aid, ())]
        return max((r for r in later if r.status != "draft"), key=lambda r: (r.issued, r.id), default=None)

    def update_of(self, aid: str) -> Record | None:
        """The advisory this one updates, when a reader can reach it (published)."""
        record = self.records.get(aid)
        if record is None or record.supersedes is None or record.supersedes == aid:
            return None
        earlier = self.records.get(record.supersedes)
        if earlier is None or not self.is_published(earlier.id) or aid not in self._successors.get(earlier.id, ()):
            return None
        return earlier

    def related(self, aid: str, now: dt.datetime | None = None) -> Related:
        state = self.state(aid, now) if aid in self.records else "active"
        return Related(self.update_of(aid), self.superseded_by(aid), state)

    def state(self, aid: str, now: dt.datetime | None = None) -> str:
        """One of STATES. Draft and withdrawn win; then superseded; then expired by `valid_until`."""
        record = self.records[aid]
        if record.status in ("draft", "withdrawn"):
            return record.status
        if self.superseded_by(aid):
            return "superseded"
        if record.valid_until is not None and record.valid_until < (now or dt.datetime.now(dt.UTC)):
            return "expired"
        return "active"

    def ordered(self, published_only: bool = True) -> list[Record]:
        """Newest first, then by id: the one order of the site, the feed, JSON, `list` and `serve`."""
        chosen = [r for r in self.records.values() if not published_only or self.is_published(r.id)]
        return sorted(chosen, key=lambda r: (-r.issued.timestamp(), r.id))

    def chain(self, aid: str) -> list[Record]:
        """The whole line of updates this advisory belongs to, earliest first."""
        first = aid
        seen = {aid}
        while (earlier := self.records[first].supersedes) is not None and earlier in self.records:
            if earlier in seen or first not in self._successors.get(earlier, ()):
                break
            seen.add(earlier)
            first = earlier
        line: list[Record] = []
        current: str | None = first
        visited: set[str] = set()
        while current is not None and current not in visited:
            visited.add(current)
            line.append(self.records[current])
            later = [self.records[i] for i in self._successors.get(current, ()) if i not in visited]
            current = max(later, key=lambda r: (r.issued, r.id)).id if later else None
        return line
