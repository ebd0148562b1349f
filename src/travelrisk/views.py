"""An advisory as plain data: what every template, the JSON output and the other formats read
(documented in docs/templates.md), with dates, labels and links in the advisory's language."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from . import countries, locator, messages
from .dates import day, local_time, utc_date, utc_display, utc_iso
from .lang import SOURCE, direction
from .prepublish import full_title
from .rules import Resolution
from .state import Record, Related


def moment(value: datetime, zone: str | None = None, lang: str = SOURCE) -> dict[str, Any]:
    """A moment as templates and JSON see it, in `lang`; with `zone`, also the local time there."""
    _ = gettext_for(lang)
    return {
        "iso": utc_iso(value),
        "display": utc_display(value, lang),
        "date": utc_date(value, lang),
        "local": _("%(time)s local time") % {"time": local_time(value, zone, lang, _("on"))} if zone else None,
        "zone": zone,
    }


def gettext_for(lang: str) -> Callable[[str], str]:
    """The built-in catalogue's gettext for `lang` (English: the text itself)."""
    from .workspace import builtin_dir

    return messages.translations((builtin_dir() / "templates",), lang).gettext


def link(
    record: Record | None, base_url: str | None = None, relative: bool = True, lang: str = SOURCE
) -> dict[str, Any] | None:
    """Another advisory as a page names it: absolute under `base_url` when set; else relative between
    `output/<id>/index.html` pages (the layout of `build` and `serve`), or no link at all where a
    relative one would break (a fragment embedded elsewhere, a PDF sent to someone)."""
    if record is None:
        return None
    path = f"{record.id}/index.html"
    href = f"{base_url}{path}" if base_url else f"../{path}" if relative else None
    title = record.title_in(lang)
    return {"id": record.id, "title": title, "href": href, "issued": moment(record.issued, lang=lang)}


def view(
    res: Resolution, related: Related | None = None, base_url: str | None = None, relative: bool = True
) -> dict[str, Any]:
    """The plain data every template and the JSON output see (documented in docs/templates.md).

    `related` (from `state.Publication.related`) links an update to the advisory it supersedes
    and back; without it, `update_of` and `superseded_by` are None.
    """
    a = res.advisory
    related = related or Related()
    lang = res.lang
    _ = gettext_for(lang)
    services = res.language.emergency_services if res.language else {}
    return {
        "id": a.id,
        "lang": lang,
        "dir": direction(lang),
        "title": a.title,
        "full_title": full_title(a.title, res.country_name, res.country_code, _("%(country)s: %(title)s")),
        "country": {
            "code": res.country_code,
            "name": res.country_name,
            "in_sentence": res.country_forms[0] or countries.in_sentence(res.country_code, res.country_name),
            "in": res.country_forms[1],
        },
        "issued": moment(a.issued, res.time_zone, lang),
        "severity": {
            "key": a.severity,
            "label": res.level.label,
            "meaning": res.level.meaning,
            "colour": res.level.colour,
            "cap_severity": res.level.cap_severity,
        },
        "threats": [{"key": t.key, "label": t.label, "cap_category": t.cap_category} for t in res.threats],
        "summary": a.summary,
        "recommendation": {
            "grade": res.recommendation.grade,
            "label": res.recommendation.label,
            "text": res.recommendation.text,
        }
        if res.recommendation
        else None,
        "impact": res.impact,
        "kinds": [{"key": k, "label": kind.label, "cap_category": kind.cap_category} for k, kind in res.kinds.items()],
        "changes": a.changes,
        "is_update": a.supersedes is not None,
        "event": a.event,
        "context": a.context,
        "background": list(res.background),
        "advice": [{"text": p.text, "rule": p.rule} for p in res.advice],
        "targets": [{"key": k, "label": t.label, "examples": list(t.examples)} for k, t in res.targets.items()],
        "cities": list(res.cities),
        "map": locator.locator_map(
            res.country_code,
            # English reads "Map of the United Kingdom"; other languages' catalogues place the bare name.
            countries.in_sentence(res.country_code, res.country_name) if lang == SOURCE else res.country_name,
            res.profile.capital if res.profile else None,
            list(res.cities),
            lang,
            res.language.and_ if res.language else "and",
        )
        if res.country_code
        else None,
        "emergency": [
            {"service": services.get(k, k.replace("_", " ").capitalize()), "number": n}
            for k, n in (
                res.profile.emergency.items()
                if res.profile
                else (
                    ("general" if i == 0 else "general_alternative", n)
                    for i, n in enumerate(countries.general_emergency(res.country_code))
                )
            )
        ],
        "area": a.area,
        "status": a.status,
        "valid_until": moment(a.valid_until, lang=lang) if a.valid_until else None,
        "certainty": a.certainty,
        "withdrawn": moment(a.withdrawn, lang=lang) if a.withdrawn else None,
        "supersedes": a.supersedes,
        "state": related.state if a.status == "final" else a.status,
        "update_of": link(related.update_of, base_url, relative, lang),
        "superseded_by": link(related.superseded_by, base_url, relative, lang),
        "url": f"{base_url}{a.id}/index.html" if base_url else None,
        "sources": [
            {"title": s.title, "publisher": s.publisher, "url": s.url, "date": s.date.isoformat() if s.date else None}
            for s in a.sources
        ],
        "official_advisories": [
            {"issuer": o.issuer, "level": o.level, "date": o.date.isoformat(), "day": day(o.date, lang), "url": o.url}
            for o in a.official_advisories
        ],
    }


def to_json(
    res: Resolution, related: Related | None = None, base_url: str | None = None, others: tuple[Resolution, ...] = ()
) -> str:
    data = {"format": "travelrisk-advisory", "version": 1, **view(res, related, base_url)}
    if others:  # the same advisory in further languages, each whole
        data["translations"] = {r.lang: view(r, related, base_url) for r in others}
    if data["map"]:  # the places drawn, not the drawing
        data["map"] = {"label": data["map"]["label"], "places": [vars(p) for p in data["map"]["places"]]}
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
