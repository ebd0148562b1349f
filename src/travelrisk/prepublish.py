"""What must not be published (placeholders in a final advisory), and what is probably a slip
(a title that repeats its country, an issue date far ahead): checked on every resolve."""

from __future__ import annotations

import datetime as dt

from .errors import Problem
from .loading import Document
from .model import FUTURE_DAYS, PLACEHOLDER, Advisory


def check(
    advisory: Advisory, doc: Document, name: str, code: str, problems: list[Problem], warnings: list[Problem]
) -> None:
    """What must not be published: placeholders in a final advisory; and what is probably a slip."""
    if advisory.status == "final":
        texts = {
            "title": advisory.title,
            "summary": advisory.summary,
            "event": advisory.event,
            "context": advisory.context or "",
            "area": advisory.area or "",
            "changes": advisory.changes or "",
        }
        texts |= {f"advice.{i}": text for i, text in enumerate(advisory.advice)}
        for key, text in texts.items():
            if PLACEHOLDER in text:
                loc = tuple(int(p) if p.isdigit() else p for p in key.split("."))
                problems.append(
                    doc.problem(
                        loc,
                        f"{key.split('.')[0]} still holds placeholder text ({PLACEHOLDER}) in a final advisory",
                        "write it, or set status: draft",
                    )
                )
    if name and repeats_country(advisory.title, name, code):
        warnings.append(
            doc.problem(
                ("title",),
                f"the title starts with the country ({name}), which the page already puts before it",
                f"write the title without '{name}:'",
            )
        )
    ahead = advisory.issued - dt.datetime.now(dt.UTC)
    if ahead > dt.timedelta(days=FUTURE_DAYS):
        warnings.append(
            doc.problem(
                ("issued",),
                f"issued is {ahead.days} days in the future",
                "check the date; an advisory is issued when it goes out",
            )
        )


def repeats_country(title: str, name: str, code: str) -> bool:
    """Whether a title already starts with its country ("Kenya: ...", "KE - ...")."""
    head = title.casefold()
    return any(head.startswith(f"{n.casefold()}{sep}") for n in (name, code) if n for sep in (":", " -", " –"))


def full_title(title: str, name: str, code: str, form: str = "%(country)s: %(title)s") -> str:
    """`Country: title`, never `Kenya: Kenya: ...` (`form` is the language's: `Maroc : titre`)."""
    return title if not name or repeats_country(title, name, code) else form % {"country": name, "title": title}
