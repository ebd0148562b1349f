"""OASIS CAP 1.2 (Common Alerting Protocol): one alert message per advisory, and an Atom index of
the messages in force for aggregators.

Written with ElementTree, never by string templates: every advisory text is an element's text, so
`<`, `&` and `]]>` stay text and the file is well-formed whatever the analyst typed. Element order
follows the CAP 1.2 schema's sequences.

- `identifier` is the advisory's id (unique in the workspace, the same in every build); a Cancel is
  a message of its own, `<id>:cancel` (`:` never occurs in an id, so it names no other advisory).
- `msgType` Alert; Update for an advisory that supersedes a published one, with `references` to
  it; Cancel, referencing the advisory's own Alert, once it is withdrawn.
- `sent` is `issued` (for a Cancel, `withdrawn`) in CAP's own form, `+00:00`, never `Z`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from .errors import fail
from .text import join_list

if TYPE_CHECKING:
    from .config import Config
    from .rules import Resolution
    from .state import Record, Related
    from .workspace import Workspace

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
MEDIA_TYPE = "application/cap+xml"
"""What CAP publishers and aggregators use (draft-barnes-atoca-cap-mime); the one registered type,
application/EmergencyCallData.cap+xml (RFC 8876), is for CAP carried in emergency calls."""
LANGUAGE = "en-GB"
"""The rule library's English is British English; other languages are named by their code (fr, ar)."""
GEOCODE = "ISO3166-1"
"""The geocode's valueName: its value is the ISO 3166-1 alpha-2 code (as ISO3166-2 names subdivisions)."""
NO_SENDER = "travelrisk.invalid"
"""The sender when `cap.sender` and `base_url` are both unset: `.invalid` (RFC 2606) can never be
anyone's real name, so no aggregator mistakes these files for someone's alerts."""
FEED_STATES = ("active", "withdrawn", "draft")
"""What the index lists: alerts in force, Cancels (until the alert would have expired) and, in a
review build, drafts (status Draft, which aggregators ignore). Superseded and expired ones leave it."""


def cap_time(moment: datetime) -> str:
    """`2017-07-15T17:12:00+00:00`: CAP 1.2 forbids `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def sender(config: Config) -> str:
    """`cap.sender`; else the host of `base_url` (a domain the organisation publishes under); else NO_SENDER."""
    if config.cap.sender:
        return config.cap.sender
    if config.base_url:
        return urlsplit(config.base_url).hostname or NO_SENDER
    return NO_SENDER


def reference(config: Config, record: Record) -> str:
    """`sender,identifier,sent` of the message an advisory first went out as."""
    return f"{sender(config)},{record.id},{cap_time(record.issued)}"


def alert_xml(
    ws: Workspace, res: Resolution, related: Related | None = None, others: tuple[Resolution, ...] = ()
) -> bytes:
    """The advisory as one CAP 1.2 alert message (UTF-8 XML): one `info` per language, `others`
    being the same advisory in further languages."""
    from .state import Record, Related
    from .views import view

    config = ws.config
    a = res.advisory
    v = view(res, related or Related(), config.base_url)
    record = Record.of(a, res.path)
    root = ET.Element(f"{{{CAP_NS}}}alert")
    sub = _sub_for(root)
    withdrawn = a.status == "withdrawn"
    if withdrawn and a.withdrawn is None:
        path = Path(res.path)
        line, column = ws.load(path).doc.place(("status",)) if path.is_file() else (1, 1)
        raise fail(
            res.path,
            "a withdrawn advisory needs `withdrawn`, the moment it was taken back: its CAP Cancel is sent then",
            "add e.g. `withdrawn: 2017-07-20T09:00:00+00:00` beside `status`",
            line,
            column,
        )
    sub(root, "identifier", f"{a.id}:cancel" if withdrawn else a.id)
    sub(root, "sender", sender(config))
    sub(root, "sent", cap_time(a.withdrawn if withdrawn and a.withdrawn else a.issued))
    sub(root, "status", "Draft" if a.status == "draft" else "Actual")
    earlier = (related or Related()).update_of
    sub(root, "msgType", "Cancel" if withdrawn else "Update" if earlier else "Alert")
    sub(root, "scope", config.cap.scope)
    if config.cap.scope == "Restricted":
        sub(root, "restriction", config.cap.restriction)
    if config.cap.scope == "Private":
        sub(root, "addresses", config.cap.addresses)
    if withdrawn:
        sub(root, "note", "Withdrawn: this advisory is no longer in force.")
        sub(root, "references", reference(config, record))
    elif earlier is not None:
        sub(root, "references", reference(config, earlier))
    _info(sub(root, "info"), sub, res, v, config)
    for other in others:
        _info(sub(root, "info"), sub, other, view(other, related or Related(), config.base_url), config)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=CAP_NS) + b"\n"


def _info(info: ET.Element, sub: Callable[..., ET.Element], res: Resolution, v: dict[str, Any], config: Config) -> None:
    from .plaintext import plain
    from .views import gettext_for

    a = res.advisory
    _ = gettext_for(res.lang)
    sub(info, "language", LANGUAGE if res.lang == "en" else res.lang)
    for category in categories(res):
        sub(info, "category", category)
    sub(info, "event", event(res))
    sub(info, "urgency", "Unknown")  # an advisory says how bad and how sure, not when to act
    sub(info, "severity", res.level.cap_severity)
    sub(info, "certainty", a.certainty)
    if a.valid_until:
        sub(info, "expires", cap_time(a.valid_until))
    if config.cap.sender_name or config.organisation:
        sub(info, "senderName", config.cap.sender_name or config.organisation)
    sub(info, "headline", v["full_title"])
    changes = [_("What has changed: %(changes)s") % {"changes": plain(a.changes)}] if a.changes else []
    sub(info, "description", "\n\n".join([*changes, plain(a.summary), plain(a.event)]))
    recommendation = [_("%(label)s: %(text)s") % v["recommendation"]] if v["recommendation"] else []
    if advice := [*recommendation, *(p["text"] for p in v["advice"])]:
        sub(info, "instruction", "\n\n".join(advice))
    if v["url"]:
        sub(info, "web", v["url"])
    area = sub(info, "area")
    sub(area, "areaDesc", a.area or res.country_name)
    if res.country_code:
        geocode = sub(area, "geocode")
        sub(geocode, "valueName", GEOCODE)
        sub(geocode, "value", res.country_code)


def categories(res: Resolution) -> list[str]:
    """Each threat's CAP category, or that of its kinds found here when they have their own
    (an earthquake is Geo, not the natural hazard's default), in order, once each."""
    found: list[str] = []
    for threat in res.threats:
        own = [k.cap_category for key, k in threat.kinds.items() if key in res.kinds and k.cap_category]
        found += [c for c in own or [threat.cap_category] if c not in found]
    return found


def event(res: Resolution) -> str:
    """What happened, as precisely as the advisory says: its kinds (Typhoon), else its threats."""
    labels = [k.label for k in res.kinds.values()] or [t.label for t in res.threats]
    return join_list(labels)


def _sub_for(root: ET.Element) -> Callable[..., ET.Element]:
    def sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
        element = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
        element.text = text
        return element

    return sub


# --- the index for aggregators -----------------------------------------------------------------


def feed_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The site's items that have a CAP file and are in force (or cancel one that would still be)."""
    return [i for i in items if "cap" in i["links"] and i["state"] in FEED_STATES and not i["expired"]]


def feed_entry(sub: Callable[..., ET.Element], entry: ET.Element, item: dict[str, Any], prefix: str) -> None:
    """One Atom entry linking a CAP message (site.feed_xml's `fill`)."""
    message = "cancel" if item["status"] == "withdrawn" else "alert"  # a Cancel is a new message
    sub(entry, "id", uuid.uuid5(uuid.NAMESPACE_URL, f"travelrisk:cap:{item['id']}:{message}").urn)
    sub(entry, "title", f"{item['full_title']} ({item['severity']['label']})")
    sub(entry, "published", item["issued"]["iso"])
    sub(entry, "updated", item["updated"])
    sub(entry, "link", rel="alternate", type=MEDIA_TYPE, href=prefix + item["links"]["cap"])
    sub(entry, "category", term=f"country:{item['country']['code']}", label=item["country"]["name"])
    summary = ("Withdrawn: no longer in force. " if message == "cancel" else "") + item["summary"]
    sub(entry, "summary", summary)
