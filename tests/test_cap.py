"""CAP 1.2: the Morocco example and its update as Alert and Update with references, a withdrawn
advisory as a Cancel, drafts as Draft, hostile text kept as text, the Atom index for aggregators.

Each message is checked twice: against CAP 1.2's rules as written here (required elements in the
schema's order, enumerations, dates, references), and by an independent reader, cap-tools (data
bindings generated from the CAP 1.2 schema by xsdata), whose AlertState applies Updates and
Cancels by their references as an aggregator does.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from cap_tools import AlertState
from cap_tools.models import Alert, MsgType, Status
from xsdata.formats.dataclass.parsers import XmlParser

from conftest import MOROCCO, run_cli
from travelrisk.build import build
from travelrisk.workspace import Workspace

NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2", "atom": "http://www.w3.org/2005/Atom"}
SENDER = "alerts.example.com"
UPDATE = "ma-2017-07-20-returning-fighters-update"
CONFIG = f"""\
organisation: Example Corp Security
base_url: https://intranet.example.com/advisories
cap:
  sender: {SENDER}
"""

# CAP 1.2, section 3.2: each block's elements in the schema's sequence, (name, required, one of).
ALERT = [
    ("identifier", True, None),
    ("sender", True, None),
    ("sent", True, None),
    ("status", True, {"Actual", "Exercise", "System", "Test", "Draft"}),
    ("msgType", True, {"Alert", "Update", "Cancel", "Ack", "Error"}),
    ("source", False, None),
    ("scope", True, {"Public", "Restricted", "Private"}),
    ("restriction", False, None),
    ("addresses", False, None),
    ("code", False, None),
    ("note", False, None),
    ("references", False, None),
    ("incidents", False, None),
    ("info", False, None),
]
CATEGORIES = {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE"}
INFO = [
    ("language", False, None),
    ("category", True, CATEGORIES | {"Other"}),
    ("event", True, None),
    ("responseType", False, None),
    ("urgency", True, {"Immediate", "Expected", "Future", "Past", "Unknown"}),
    ("severity", True, {"Extreme", "Severe", "Moderate", "Minor", "Unknown"}),
    ("certainty", True, {"Observed", "Likely", "Possible", "Unlikely", "Unknown"}),
    ("audience", False, None),
    ("eventCode", False, None),
    ("effective", False, None),
    ("onset", False, None),
    ("expires", False, None),
    ("senderName", False, None),
    ("headline", False, None),
    ("description", False, None),
    ("instruction", False, None),
    ("web", False, None),
    ("contact", False, None),
    ("parameter", False, None),
    ("resource", False, None),
    ("area", False, None),
]
AREA = [("areaDesc", True, None), ("polygon", False, None), ("circle", False, None), ("geocode", False, None)]
CAP_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
NAME = re.compile(r"^[^\s,<&]+$")
"""sender and identifier: no spaces, commas or restricted characters."""


def check_block(element: ET.Element, spec: list[tuple[str, bool, set[str] | None]]) -> None:
    """Children in the schema's order, every required one present, each value in its enumeration."""
    order = {name: i for i, (name, _, _) in enumerate(spec)}
    names = [child.tag.split("}")[1] for child in element]
    assert all(n in order for n in names), f"unknown elements in {names}"
    assert [order[n] for n in names] == sorted(order[n] for n in names), f"out of the schema's order: {names}"
    for name, required, allowed in spec:
        found = element.findall(f"cap:{name}", NS)
        if required:
            assert found, f"{name} is required"
        for child in found if allowed else ():
            assert child.text in allowed, f"{name} {child.text!r} is not one of CAP's values"


def check_cap_rules(data: bytes) -> ET.Element:
    """CAP 1.2's rules for one alert message; returns its root."""
    root = ET.fromstring(data)
    assert root.tag == "{urn:oasis:names:tc:emergency:cap:1.2}alert"
    check_block(root, ALERT)
    for name in ("identifier", "sender"):
        assert NAME.match(text(root, name)), f"{name} has a space, comma, < or &"
    for moment in [*root.iterfind("cap:sent", NS), *root.iterfind("cap:info/cap:expires", NS)]:
        assert CAP_DATE.match(moment.text or ""), f"{moment.text} is not CAP's date form"
        assert not (moment.text or "").endswith("-00:00"), "-00:00 is reserved by CAP"
    for refs in root.iterfind("cap:references", NS):
        for triple in (refs.text or "").split():
            sender, identifier, sent = triple.split(",")
            assert NAME.match(sender) and NAME.match(identifier) and CAP_DATE.match(sent), triple
    assert (root.find("cap:msgType", NS).text != "Alert") == (root.find("cap:references", NS) is not None)  # type: ignore[union-attr]
    for info in root.iterfind("cap:info", NS):
        check_block(info, INFO)
        for area in info.iterfind("cap:area", NS):
            check_block(area, AREA)
    return root


def independent(data: bytes) -> Alert:
    """The message as cap-tools reads it (an unknown element or a value outside an enumeration fails)."""
    return XmlParser().from_bytes(data, Alert)


def text(root: ET.Element, path: str) -> str:
    found = root.find("/".join(f"cap:{p}" for p in path.split("/")), NS)
    assert found is not None, f"no {path}"
    return found.text or ""


def write(root: Path, name: str, body: str) -> Path:
    path = root / "advisories" / f"{name}.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def with_update(ws: Path) -> Path:
    (ws / "travelrisk.yaml").write_text(CONFIG, encoding="utf-8")
    return write(
        ws,
        UPDATE,
        f"""\
        title: Returning fighters arrested at Casablanca airport
        country: MA
        issued: 2017-07-20T09:30:00+00:00
        severity: critical
        threat: terrorism
        certainty: likely
        supersedes: {MOROCCO}
        valid_until: 2017-08-20
        changes: Two returning fighters were arrested on arrival; the level is raised to Critical.
        summary: Police arrested two returning fighters at Casablanca airport.
        event: Police at Mohammed V airport arrested two Moroccans arriving from Istanbul.
        """,
    )


# --- Alert and Update ----------------------------------------------------------------------------


def test_morocco_and_its_update_are_an_alert_and_an_update_that_references_it(ws: Path) -> None:
    with_update(ws)
    report = build(Workspace(ws), formats=("cap",))
    assert not report.failed
    first = (ws / "output" / MOROCCO / f"{MOROCCO}.cap.xml").read_bytes()
    second = (ws / "output" / UPDATE / f"{UPDATE}.cap.xml").read_bytes()

    alert = check_cap_rules(first)
    assert text(alert, "identifier") == MOROCCO
    assert text(alert, "sender") == SENDER
    assert text(alert, "sent") == "2017-07-15T17:12:00+00:00"
    assert (text(alert, "status"), text(alert, "msgType"), text(alert, "scope")) == ("Actual", "Alert", "Public")
    assert text(alert, "info/category") == "Security"
    assert text(alert, "info/event") == "Terrorism"
    assert text(alert, "info/severity") == "Severe"  # the warning level's cap_severity
    assert text(alert, "info/certainty") == "Unknown"  # the analyst did not say
    assert text(alert, "info/senderName") == "Example Corp Security"
    assert text(alert, "info/headline").startswith("Morocco: Security services brace")
    assert "1,631" in text(alert, "info/description")
    instruction = text(alert, "info/instruction")
    assert instruction.startswith("Exercise increased caution:") and "Marrakesh" in instruction
    assert text(alert, "info/web") == f"https://intranet.example.com/advisories/{MOROCCO}/index.html"
    assert text(alert, "info/area/areaDesc") == "Morocco"
    assert (text(alert, "info/area/geocode/valueName"), text(alert, "info/area/geocode/value")) == ("ISO3166-1", "MA")
    assert alert.find("cap:info/cap:expires", NS) is None  # no valid_until: no expiry is claimed

    update = check_cap_rules(second)
    assert text(update, "msgType") == "Update"
    assert text(update, "references") == f"{SENDER},{MOROCCO},2017-07-15T17:12:00+00:00"
    assert text(update, "info/severity") == "Extreme"
    assert text(update, "info/certainty") == "Likely"
    assert text(update, "info/expires") == "2017-08-20T23:59:00+00:00"
    assert text(update, "info/description").startswith("What has changed: Two returning fighters")

    # An aggregator's view: the Update replaces the Alert it references.
    state = AlertState()
    for data in (first, second):
        state.ingest(independent(data))
    assert [a.identifier for a in state] == [UPDATE]
    assert independent(second).msg_type is MsgType.UPDATE


# --- Cancel, Draft -------------------------------------------------------------------------------


def test_a_withdrawn_advisory_is_a_cancel_of_its_own_alert(ws: Path) -> None:
    (ws / "travelrisk.yaml").write_text(CONFIG, encoding="utf-8")
    advisory = ws / "advisories" / f"{MOROCCO}.yaml"
    first = run_cli("render", advisory, "-f", "cap", "-o", "-", workspace=ws).stdout_bytes
    original = advisory.read_text(encoding="utf-8")
    advisory.write_text(original + "status: withdrawn\nwithdrawn: 2017-07-18T08:00:00+00:00\n", encoding="utf-8")
    ran = run_cli("render", advisory, "-f", "cap", "-o", "-", workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    cancel = check_cap_rules(ran.stdout_bytes)
    assert text(cancel, "msgType") == "Cancel"
    assert text(cancel, "identifier") == f"{MOROCCO}:cancel"  # a message of its own
    assert text(cancel, "sent") == "2017-07-18T08:00:00+00:00"
    assert text(cancel, "references") == f"{SENDER},{MOROCCO},2017-07-15T17:12:00+00:00"
    state = AlertState()
    state.ingest(independent(first))
    state.ingest(independent(ran.stdout_bytes))
    assert [a.msg_type for a in state] == [MsgType.CANCEL]


def test_a_withdrawn_advisory_without_its_moment_is_told_where_and_how(ws: Path) -> None:
    advisory = ws / "advisories" / f"{MOROCCO}.yaml"
    original = advisory.read_text(encoding="utf-8")
    advisory.write_text(original + "status: withdrawn\n", encoding="utf-8")
    ran = run_cli("render", advisory, "-f", "cap", "-o", "-", workspace=ws)
    assert ran.exit_code == 1
    line = original.count("\n") + 1
    assert f"{MOROCCO}.yaml:{line}:1:" in ran.stderr and "withdrawn: 2017-07-20T09:00:00+00:00" in ran.stderr
    assert "Traceback" not in ran.stderr


def test_a_draft_is_a_draft_message(ws: Path) -> None:
    advisory = ws / "advisories" / f"{MOROCCO}.yaml"
    advisory.write_text(advisory.read_text(encoding="utf-8") + "status: draft\n", encoding="utf-8")
    ran = run_cli("render", advisory, "-o", str(ws / "x.cap.xml"), workspace=ws)  # the name picks CAP
    assert ran.exit_code == 0, ran.stderr
    root = check_cap_rules((ws / "x.cap.xml").read_bytes())
    assert text(root, "status") == "Draft"
    assert independent((ws / "x.cap.xml").read_bytes()).status is Status.DRAFT


# --- untrusted text, the sender ------------------------------------------------------------------


def test_hostile_text_stays_text(ws: Path) -> None:
    hostile = "<script>alert(1)</script> & ]]> <![CDATA[x]]>"
    path = write(
        ws,
        "xx-hostile",
        f"""\
        title: '{hostile}'
        country: FR
        issued: 2026-11-20T08:30:00+00:00
        severity: notice
        threat: crime
        area: '{hostile}'
        summary: '{hostile}'
        event: '{hostile}'
        """,
    )
    data = run_cli("render", path, "-f", "cap", "-o", "-", workspace=ws).stdout_bytes
    assert b"<script>" not in data and b"]]>" not in data and b"<![CDATA[" not in data
    root = check_cap_rules(data)
    assert text(root, "info/headline") == f"France: {hostile}"
    assert text(root, "info/area/areaDesc") == hostile
    assert independent(data).infos[0].headline == f"France: {hostile}"


@pytest.mark.parametrize(
    ("config", "sender"),
    [
        ("", "travelrisk.invalid"),  # nothing configured: a name that can be nobody's (RFC 2606)
        ("base_url: https://intranet.example.com/advisories/\n", "intranet.example.com"),
        ("base_url: https://intranet.example.com/\ncap: {sender: alerts@example.com}\n", "alerts@example.com"),
    ],
)
def test_the_sender_is_configured_or_derived(ws: Path, config: str, sender: str) -> None:
    (ws / "travelrisk.yaml").write_text(config, encoding="utf-8")
    data = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "cap", "-o", "-", workspace=ws).stdout_bytes
    assert text(ET.fromstring(data), "sender") == sender


@pytest.mark.parametrize(
    ("config", "place", "message"),
    [
        ("cap:\n  sender: Example Corp\n", "2:3", "e.g. your domain alerts.example.com"),
        ("cap:\n  scope: Restricted\n", "2:3", "Restricted needs `restriction` beside it"),
        ("cap:\n  scope: secret\n", "2:3", "must be one of Public, Restricted or Private"),
    ],
)
def test_bad_cap_settings_are_placed(ws: Path, config: str, place: str, message: str) -> None:
    (ws / "travelrisk.yaml").write_text(config, encoding="utf-8")
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "cap", "-o", "-", workspace=ws)
    assert ran.exit_code == 1
    assert f"travelrisk.yaml:{place}:" in ran.stderr and message in ran.stderr, ran.stderr


def test_restricted_scope_carries_its_restriction(ws: Path) -> None:
    (ws / "travelrisk.yaml").write_text("cap:\n  scope: restricted\n  restriction: Staff only\n", encoding="utf-8")
    data = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "cap", "-o", "-", workspace=ws).stdout_bytes
    root = check_cap_rules(data)
    assert (text(root, "scope"), text(root, "restriction")) == ("Restricted", "Staff only")


# --- the index for aggregators --------------------------------------------------------------------


def _feed(ws: Path) -> ET.Element:
    return ET.fromstring((ws / "output" / "cap" / "alerts.atom").read_bytes())


def test_the_index_lists_the_messages_in_force_and_links_them(ws: Path) -> None:
    with_update(ws)
    (ws / "travelrisk.yaml").write_text(f"cap:\n  sender: {SENDER}\n", encoding="utf-8")  # relative links
    france = ws / "advisories" / "fr-2026-11-20-transport-strikes.yaml"
    france.write_text(
        france.read_text(encoding="utf-8") + "status: withdrawn\nwithdrawn: 2026-11-21T10:00:00+01:00\n",
        encoding="utf-8",
    )
    build(Workspace(ws), formats=("cap",), now=dt.datetime(2017, 7, 21, tzinfo=dt.UTC))  # the update in force
    feed = _feed(ws)
    entries = feed.findall("atom:entry", NS)
    links = [e.find("atom:link", NS).attrib for e in entries]  # type: ignore[union-attr]
    # The superseded Morocco alert has left; its update and France's Cancel are there.
    assert [link["href"] for link in links] == [
        "../fr-2026-11-20-transport-strikes/fr-2026-11-20-transport-strikes.cap.xml",
        f"../{UPDATE}/{UPDATE}.cap.xml",
    ]
    assert all(link["type"] == "application/cap+xml" and link["rel"] == "alternate" for link in links)
    for link in links:  # each resolves, from the feed's own folder, to a CAP message
        check_cap_rules((ws / "output" / "cap" / link["href"]).resolve().read_bytes())
    assert entries[0].findtext("atom:summary", namespaces=NS).startswith("Withdrawn")  # type: ignore[union-attr]
    self_link = feed.find("atom:link[@rel='self']", NS)
    assert self_link is not None and self_link.attrib["href"] == "alerts.atom"


def test_the_index_links_absolutely_under_base_url(ws: Path) -> None:
    (ws / "travelrisk.yaml").write_text(CONFIG, encoding="utf-8")
    build(Workspace(ws), formats=("cap",))
    feed = _feed(ws)
    self_link = feed.find("atom:link[@rel='self']", NS)
    assert (
        self_link is not None and self_link.attrib["href"] == "https://intranet.example.com/advisories/cap/alerts.atom"
    )
    hrefs = [e.find("atom:link", NS).attrib["href"] for e in feed.findall("atom:entry", NS)]  # type: ignore[union-attr]
    assert f"https://intranet.example.com/advisories/{MOROCCO}/{MOROCCO}.cap.xml" in hrefs
    before = (ws / "output" / MOROCCO / f"{MOROCCO}.cap.xml").read_bytes()
    build(Workspace(ws), formats=("cap",), force=True)
    assert (ws / "output" / MOROCCO / f"{MOROCCO}.cap.xml").read_bytes() == before  # stable across builds


def test_a_kind_with_its_own_category_names_the_event(ws: Path) -> None:
    path = write(
        ws,
        "tr-2023-02-06-earthquake",
        """\
        title: Strong earthquake in the south-east
        country: TR
        issued: 2023-02-06T04:30:00+00:00
        severity: critical
        threat: natural_hazard
        kind: earthquake
        certainty: observed
        summary: A strong earthquake struck south-eastern Turkey overnight.
        event: A magnitude 7.8 earthquake struck near Gaziantep.
        """,
    )
    root = check_cap_rules(run_cli("render", path, "-f", "cap", "-o", "-", workspace=ws).stdout_bytes)
    assert [c.text for c in root.iterfind("cap:info/cap:category", NS)] == ["Geo"]
    assert text(root, "info/event") == "Earthquake"
    assert text(root, "info/certainty") == "Observed"


def test_a_change_of_certainty_alone_rebuilds_the_cap_file(ws: Path) -> None:
    build(Workspace(ws), formats=("cap",))
    advisory = ws / "advisories" / f"{MOROCCO}.yaml"
    advisory.write_text(advisory.read_text(encoding="utf-8") + "certainty: possible\n", encoding="utf-8")
    assert build(Workspace(ws), formats=("cap",)).built == [MOROCCO]
    root = ET.fromstring((ws / "output" / MOROCCO / f"{MOROCCO}.cap.xml").read_bytes())
    assert text(root, "info/certainty") == "Possible"


def test_one_info_per_language_the_advisory_is_written_in(ws: Path) -> None:
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "cap", "-o", "-", workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    alert = check_cap_rules(ran.stdout_bytes)
    infos = alert.findall("cap:info", NS)
    languages = [i.findtext("cap:language", namespaces=NS) for i in infos]
    assert languages[:2] == ["en-GB", "fr"]
    french = infos[1]
    assert french.findtext("cap:headline", namespaces=NS).startswith("Maroc")
    assert "Mossoul" in french.findtext("cap:description", namespaces=NS)
    assert french.findtext("cap:severity", namespaces=NS) == "Severe"  # the facts do not change with the language
