"""Plain text of an advisory, for email bodies, chat and SMS-sized summaries: the reference alert's
order of parts, Markdown and the file's line breaks removed, in the advisory's language."""

from __future__ import annotations

import re
from typing import Any

from .rules import Resolution
from .state import Related
from .views import gettext_for, view


def to_text(res: Resolution, related: Related | None = None) -> str:
    """Plain text, for email bodies and chat: the reference alert's order of parts."""
    v = view(res, related)
    _ = gettext_for(res.lang)
    q = _("\u201c%(title)s\u201d")
    marks = {
        "draft": [_("DRAFT: NOT FOR DISTRIBUTION")],
        "withdrawn": [_("WITHDRAWN: NO LONGER IN FORCE")],
        "expired": [_("EXPIRED ON %(date)s: NO LONGER IN FORCE") % {"date": v["valid_until"]["display"].upper()}]
        if v["valid_until"]
        else [],
        "superseded": [
            _("SUPERSEDED BY %(title)s OF %(date)s")
            % {
                "title": q % {"title": v["superseded_by"]["title"]},
                "date": v["superseded_by"]["issued"]["date"].upper(),
            }
        ]
        if v["superseded_by"]
        else [],
    }
    dateline = v["issued"]["display"] + (f" ({v['issued']['local']})" if v["issued"].get("local") else "")
    parts = [*marks.get(v["state"], []), dateline + (f" | {v['area']}" if v["area"] else "")]
    if v["is_update"]:
        earlier = v["update_of"]
        parts.append(
            _("Update to %(title)s of %(date)s")
            % {"title": q % {"title": earlier["title"]}, "date": earlier["issued"]["date"]}
            if earlier
            else _("Update")
        )
    parts.append(v["full_title"])
    if v["changes"]:
        parts.append(_("What has changed: %(changes)s") % {"changes": plain(v["changes"])})
    parts += [plain(v["summary"]), v["severity"]["label"]]
    if v["recommendation"]:
        parts.append(_("%(label)s: %(text)s") % v["recommendation"])
    if v["official_advisories"]:
        title = _("Government travel advice")
        parts.append("\n".join([title, *(official_line(o) for o in v["official_advisories"])]))
    if v["impact"]:
        parts.append(v["impact"])
    parts += [_("Event"), plain(v["event"])]
    if v["context"] or v["background"]:
        parts += [_("Context"), *v["background"], *([plain(v["context"])] if v["context"] else [])]
    parts += [_("Advice"), *(plain(p["text"]) for p in v["advice"])]
    comma = res.language.comma if res.language else ", "
    if v["emergency"]:
        numbers = comma.join(f"{e['service']} {e['number']}" for e in v["emergency"])
        parts.append(
            _("Emergency numbers %(in_country)s: %(numbers)s") % {"in_country": v["country"]["in"], "numbers": numbers}
        )
    if v["valid_until"]:
        parts.append(_("Valid until %(date)s") % {"date": v["valid_until"]["display"]})
    if v["sources"]:
        cited = [
            comma.join(str(x) for x in (s["title"], s["publisher"], s["date"], s["url"]) if x) for s in v["sources"]
        ]
        parts.append("\n".join([_("Sources"), *(f"- {c}" for c in cited)]))
    return "\n\n".join(parts) + "\n"


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def plain(text: str) -> str:
    """Markdown as plain text for email bodies and chat: paragraphs on one line each (the file's
    line breaks are not the reader's), list items on their own lines, no emphasis marks, links as
    'text (address)'."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        joined = "\n".join(lines) if any(_LIST_ITEM.match(line) for line in lines) else " ".join(lines)
        joined = re.sub(r"\[([^\]]+)\]\((\S+?)\)", r"\1 (\2)", joined)
        out.append(re.sub(r"(\*\*|__)(.+?)\1", r"\2", joined))
    return "\n\n".join(out)


def official_line(o: dict[str, Any]) -> str:
    """`US Department of State: Level 3, Reconsider travel (10 Jul 2017)`, with its address in plain text."""
    return f"{o['issuer']}: {o['level']} ({o['day']})" + (f" <{o['url']}>" if o["url"] else "")
