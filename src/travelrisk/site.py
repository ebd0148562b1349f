"""The intranet site around the advisories: `index.html`, the Atom `feed.xml` and `advisories.json`.

All three come from the build manifest's entries and the publication state (state.py), so advisories that did not
change are not loaded again. Each file is written only when its bytes change: a build with
nothing new leaves the output folder untouched. The index filters by country and severity
with radio buttons and CSS `:has()`, without any script.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from . import __version__
from .formats import FORMATS
from .publish import write_if_changed
from .state import CAP_FEED, SITE_FILES, Publication

if TYPE_CHECKING:
    from .manifest import Entry
    from .workspace import Workspace

INDEX_TEMPLATE = "site/index.html.j2"
COUNTRY_TEMPLATE = "site/country.html.j2"
COUNTRIES = "countries"
"""The folder of per-country pages (a reserved id: state.RESERVED_IDS)."""
ATOM = "http://www.w3.org/2005/Atom"
SITE_TITLE = "Travel-risk advisories"


def listing(v: dict[str, Any], level_rank: int) -> dict[str, Any]:
    """What the index, feed and JSON index need of an advisory (from its view), kept in the build
    manifest so that unchanged advisories are not loaded again."""
    keep = (
        "id",
        "title",
        "full_title",
        "country",
        "issued",
        "threats",
        "summary",
        "status",
        "valid_until",
        "supersedes",
    )
    entry = {k: v[k] for k in keep} | {"lang": v.get("lang", "en")}
    entry["severity"] = {k: v["severity"][k] for k in ("key", "label", "colour")} | {"rank": level_rank}
    return entry


def site_items(
    pub: Publication, entries: dict[str, Entry], now: datetime, base_url: str | None = None
) -> list[dict[str, Any]]:
    """The published advisories in the publication's order, each with its links and state."""
    items = []
    for record in pub.ordered():
        entry = entries.get(record.id)
        if entry is None or not entry.outputs:
            continue  # never built (it failed before its first good build)
        item = dict(entry.listing)
        base = base_url or ""  # links are absolute when the site's address is known
        item["links"] = {f: f"{base}{record.id}/{entry.outputs[f].file}" for f in FORMATS if f in entry.outputs}
        item["href"] = next(iter(item["links"].values()))
        item["state"] = pub.state(record.id, now)
        item["updated"] = entry.updated
        item["expired"] = record.valid_until is not None and record.valid_until < now
        later = pub.superseded_by(record.id)
        later_entry = entries.get(later.id) if later else None
        item["superseded_by"] = None
        if later is not None:
            links = later_entry.outputs if later_entry else {}
            first = next((f for f in FORMATS if f in links), None)
            item["superseded_by"] = {
                "id": later.id,
                "title": later_entry.listing["full_title"] if later_entry else later.title,
                "href": f"{base}{later.id}/{links[first].file}" if first else None,
            }
        items.append(item)
    return items


def index_html(ws: Workspace, items: list[dict[str, Any]]) -> str:
    countries = sorted({i["country"]["code"]: i["country"] for i in items}.values(), key=lambda c: c["name"])
    levels = sorted({i["severity"]["key"]: i["severity"] for i in items}.values(), key=lambda s: s["rank"])
    formats = [{"name": f.name, "label": f.label} for f in FORMATS.values()]
    return ws.renderer.render(
        ws.renderer.template(INDEX_TEMPLATE),
        title=SITE_TITLE,
        advisories=items,
        countries=countries,
        levels=levels,
        formats=formats,
        present={f"{i['country']['code']}|{i['severity']['key']}" for i in items},
    )


Sub = Callable[..., ET.Element]
"""Adds an Atom element: `sub(parent, tag, text=None, **attributes)`."""
Fill = Callable[[Sub, ET.Element, dict[str, Any], str], None]
"""Fills one feed entry from a site item; the `str` is the prefix that makes relative links resolve."""


def feed_xml(
    items: list[dict[str, Any]],
    feed_id: str,
    author: str | None = None,
    base_url: str | None = None,
    *,
    title: str = SITE_TITLE,
    path: str = "feed.xml",
    fill: Fill | None = None,
) -> bytes:
    """Atom 1.0 (RFC 4287) at `path` in the site. Links are relative to the feed's own address, which
    readers resolve; `fill` writes each entry (by default, an advisory with its page and PDF)."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    # The newest change among the advisories, not the build time: a rebuild changes nothing.
    sub(feed, "updated", max((i["updated"] for i in items), default="1970-01-01T00:00:00Z"))
    sub(feed, "generator", "travelrisk", version=__version__)
    sub(sub(feed, "author"), "name", author or SITE_TITLE)
    # Absolute with base_url (a proper rel="self"); else relative to the feed itself, in its folder.
    up = "" if base_url else "../" * path.count("/")
    sub(
        feed,
        "link",
        rel="self",
        type="application/atom+xml",
        href=f"{base_url}{path}" if base_url else path.split("/")[-1],
    )
    sub(feed, "link", rel="alternate", type="text/html", href=f"{base_url or up}index.html")
    for item in items:
        (fill or _advisory_entry)(sub, sub(feed, "entry"), item, up)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _advisory_entry(sub: Sub, entry: ET.Element, item: dict[str, Any], prefix: str) -> None:
    entry.set("{http://www.w3.org/XML/1998/namespace}lang", item.get("lang", "en"))  # the entry's language
    sub(entry, "id", advisory_urn(item["id"]))
    sub(entry, "title", f"{item['full_title']} ({item['severity']['label']})")
    sub(entry, "published", item["issued"]["iso"])
    sub(entry, "updated", item["updated"])
    if item["href"]:
        sub(
            entry,
            "link",
            rel="alternate",
            type="text/html" if "html" in item["links"] else "application/octet-stream",
            href=prefix + item["href"],
        )
    if "pdf" in item["links"]:
        sub(entry, "link", rel="enclosure", type="application/pdf", href=prefix + item["links"]["pdf"])
    if item.get("superseded_by"):
        sub(entry, "link", rel="related", title="superseded by", href=item["superseded_by"]["href"] or "")
    sub(entry, "category", term=f"country:{item['country']['code']}", label=item["country"]["name"])
    sub(entry, "category", term=f"severity:{item['severity']['key']}", label=item["severity"]["label"])
    sub(entry, "summary", " ".join([*_marks(item), item["summary"]]))


def index_json(items: list[dict[str, Any]]) -> bytes:
    keys = (
        "id",
        "title",
        "full_title",
        "country",
        "severity",
        "threats",
        "issued",
        "updated",
        "valid_until",
        "expired",
        "status",
        "state",
        "supersedes",
        "superseded_by",
        "summary",
        "links",
    )
    data = {
        "format": "travelrisk-index",
        "version": 1,
        "advisories": [{k: item.get(k) for k in keys} for item in items],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def advisory_urn(advisory_id: str) -> str:
    """A stable Atom id: the same advisory keeps it across builds and hosts."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"travelrisk:advisory:{advisory_id}").urn


def build_site(
    ws: Workspace, out_dir: Path, items: list[dict[str, Any]], previous: str | None = None, salt: str = ""
) -> tuple[list[Path], str]:
    """Write the index page, feed and JSON index; return the files whose content changed, and a key.

    When the key (the listed data, `salt` such as a hash of the templates, and the version)
    equals `previous` and the files exist, nothing is rendered: the no-change rebuild path.
    """
    # The feed's id must not change with the folder the workspace sits in (RFC 4287 ids are permanent).
    feed_id = uuid.uuid5(uuid.NAMESPACE_URL, f"travelrisk:feed:{ws.config.organisation or ''}").urn
    key = hashlib.sha256(json.dumps([__version__, salt, feed_id, items], sort_keys=True).encode()).hexdigest()
    if key == previous and all((out_dir / name).is_file() for name in SITE_FILES):
        return [], key
    from . import cap

    cap_feed_id = uuid.uuid5(uuid.NAMESPACE_URL, f"travelrisk:cap-feed:{ws.config.organisation or ''}").urn
    files = (
        index_html(ws, items).encode(),
        feed_xml(items, feed_id, ws.config.organisation, ws.config.base_url),
        index_json(items),
        feed_xml(
            cap.feed_items(items),
            cap_feed_id,
            ws.config.organisation,
            ws.config.base_url,
            title=f"{SITE_TITLE}: CAP alerts",
            path=CAP_FEED,
            fill=cap.feed_entry,
        ),
    )
    written = [
        out_dir / name for name, data in zip(SITE_FILES, files, strict=True) if write_if_changed(out_dir / name, data)
    ]
    written += country_pages(ws, out_dir, items)
    return written, key


def country_pages(ws: Workspace, out_dir: Path, items: list[dict[str, Any]]) -> list[Path]:
    """`countries/<cc>/index.html` and `index.json`: the advisories in force for one country, latest
    first, at an address that never changes ("current advice for Morocco" links). A country keeps
    its page once it had an advisory; the page then says none is in force."""
    folder = out_dir / COUNTRIES
    known = {p.name for p in folder.iterdir() if p.is_dir() and not p.is_symlink()} if folder.is_dir() else set()
    countries = {i["country"]["code"].lower(): i["country"] for i in items if i["country"]["code"]}
    known = {c for c in known if re.fullmatch(r"[a-z]{2}", c)}
    written = []
    template = ws.renderer.template(COUNTRY_TEMPLATE)
    for code in sorted(known | set(countries)):
        country = countries.get(code) or {"code": code.upper(), "name": code.upper()}
        current = [i for i in items if i["country"]["code"].lower() == code and i["state"] == "active"]
        page = ws.renderer.render(
            template,
            title=f"{country['name']}: advisories in force",
            country=country,
            advisories=current,
            formats=[{"name": f.name, "label": f.label} for f in FORMATS.values()],
        )
        data = {
            "format": "travelrisk-country",
            "version": 1,
            "country": country,
            "advisories": [
                {k: i.get(k) for k in ("id", "full_title", "severity", "issued", "valid_until", "summary", "links")}
                for i in current
            ],
        }
        for name, payload in (
            ("index.html", page.encode()),
            ("index.json", (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()),
        ):
            if write_if_changed(folder / code / name, payload):
                written.append(folder / code / name)
    return written


def _marks(item: dict[str, Any]) -> list[str]:
    marks = []
    if item["status"] != "final":
        marks.append(f"[{item['status'].capitalize()}]")
    if item["expired"]:
        marks.append("[Expired]")
    if item.get("superseded_by"):
        marks.append(f"[Superseded by {item['superseded_by']['id']}]")
    return marks
