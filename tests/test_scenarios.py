"""Advice a professional would send: real past events, rendered as the traveller reads them.

Each scenario is written as an analyst would have written it on the day (nothing learnt later),
and asserts what its text must say and must not say: the one travel recommendation, advice tied
to the kind of event and limited to its area, places that fit the country, context as known on
the issue date, and nothing said twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from conftest import REPO
from travelrisk.formats import FORMATS
from travelrisk.state import Publication, Record
from travelrisk.workspace import Workspace

BANNED_IN_ADVICE = ("Postpone", "Defer", "Do not travel", "non-essential travel")
"""Only the recommendation says whether to travel: advice paragraphs never do."""


@dataclass
class Scenario:
    name: str
    advisory: dict[str, Any]
    grade: str
    must: list[str] = field(default_factory=list)
    must_not: list[str] = field(default_factory=list)
    kinds: list[str] | None = None


SCENARIOS = [
    Scenario(
        "Morocco, returning IS fighters (15 Jul 2017)",
        {
            "country": "MA",
            "issued": "2017-07-15T17:12:00Z",
            "severity": "warning",
            "threat": "terrorism",
            "title": "Security services brace for returning Islamic State fighters",
            "summary": "Authorities expect fighters to return from Iraq and Syria.",
            "event": "Moroccan services are tracking nationals who fought for IS as Mosul falls.",
        },
        "caution",
        must=["Marrakesh", "report", "local time", "Argana"],
        must_not=["earthquake", "2023"],
    ),
    Scenario(
        "Philippines, Typhoon Haiyan landfall (7 Nov 2013)",
        {
            "country": "PH",
            "issued": "2013-11-07T12:00:00Z",
            "severity": "critical",
            "threat": "natural_hazard",
            "area": "Eastern Visayas",
            "title": "Super Typhoon Haiyan approaches Eastern Visayas",
            "summary": "A very strong typhoon is forecast to make landfall on Leyte and Samar overnight.",
            "event": "PAGASA has raised its highest storm warning for Leyte, Samar and nearby provinces.",
        },
        "avoid",
        must=["Eastern Visayas", "storm surge"],
        must_not=["aftershock", "train stations", "throughout the Philippines"],
        kinds=["tropical_cyclone"],
    ),
    Scenario(
        "Nepal, Gorkha earthquake (25 Apr 2015)",
        {
            "country": "NP",
            "issued": "2015-04-25T09:00:00Z",
            "severity": "critical",
            "threat": "natural_hazard",
            "area": "Kathmandu Valley",
            "title": "Major earthquake strikes central Nepal",
            "summary": "A magnitude 7.8 earthquake has caused heavy damage in Kathmandu and surrounding districts.",
            "event": "The quake struck at 11:56 local time; buildings have collapsed in Kathmandu.",
        },
        "avoid",
        must=["aftershock", "Kathmandu Valley"],
        must_not=["storm surge", "beaches", ", ports", "coastal"],
        kinds=["earthquake"],
    ),
    Scenario(
        "United Kingdom, Manchester Arena bombing (23 May 2017)",
        {
            "country": "GB",
            "issued": "2017-05-23T01:30:00Z",
            "severity": "critical",
            "threat": "terrorism",
            "area": "Manchester city centre",
            "title": "Explosion at Manchester Arena after a concert",
            "summary": "Police are treating an explosion at the end of a concert as a terrorist incident.",
            "event": "An explosion hit the foyer of Manchester Arena at 22:31 local time on 22 May.",
        },
        "avoid",
        must=["Manchester city centre", "second device"],
        must_not=["gunfire", "Manchester city centre in Manchester"],
        kinds=["bombing"],
    ),
    Scenario(
        "France, Paris attacks (13 Nov 2015)",
        {
            "country": "FR",
            "issued": "2015-11-13T23:30:00Z",
            "severity": "critical",
            "threat": "terrorism",
            "area": "Paris",
            "title": "Gunmen and bombers attack several sites in Paris",
            "summary": "Coordinated attacks are under way at the Bataclan concert hall and cafés in Paris.",
            "event": "Gunmen opened fire on café terraces; explosions were heard near the Stade de France.",
        },
        "avoid",
        must=["hide", "Paris"],
        must_not=["throughout France"],
        kinds=["bombing", "armed_attack"],
    ),
    Scenario(
        "China, Wuhan lockdown (23 Jan 2020)",
        {
            "country": "CN",
            "issued": "2020-01-23T06:00:00Z",
            "severity": "critical",
            "threat": "health",
            "area": "Wuhan, Hubei province",
            "title": "Wuhan placed under lockdown over novel coronavirus",
            "summary": "Authorities are suspending transport out of Wuhan to contain a new respiratory virus.",
            "event": "Public transport and outbound flights and trains from Wuhan are suspended from 10:00 local time.",
        },
        "avoid",
        must=["Wuhan"],
        must_not=["mosquito", "lifted", "2022", "2023"],
        kinds=["respiratory"],
    ),
    Scenario(
        "Brazil, dengue epidemic (8 Feb 2024)",
        {
            "country": "BR",
            "issued": "2024-02-08T12:00:00Z",
            "severity": "warning",
            "threat": "health",
            "title": "Dengue cases surge across Brazil",
            "summary": "Several states have declared emergencies as dengue cases rise sharply.",
            "event": "Rio de Janeiro declared a public health emergency over dengue on 5 February.",
        },
        "caution",
        must=["repellent"],
        must_not=["wash your hands", "masks"],
        kinds=["mosquito_borne"],
    ),
    Scenario(
        "Hong Kong, airport protests (12 Aug 2019)",
        {
            "country": "HK",
            "issued": "2019-08-12T10:00:00Z",
            "severity": "warning",
            "threat": ["civil_unrest", "transport_disruption"],
            "title": "Protesters occupy Hong Kong International Airport",
            "summary": "A sit-in at the airport has led to the cancellation of departing flights.",
            "event": "Thousands of demonstrators gathered in the arrivals hall; the airport authority "
            "cancelled all remaining departures.",
        },
        "caution",
        must=["Hong Kong"],
        must_not=["in Hong Kong, especially in Hong Kong", "above all in Hong Kong"],
        kinds=["protest"],
    ),
    Scenario(
        "South Africa, unrest and looting (12 Jul 2021)",
        {
            "country": "ZA",
            "issued": "2021-07-12T14:00:00Z",
            "severity": "critical",
            "threat": ["civil_unrest", "crime"],
            "area": "KwaZulu-Natal and Gauteng",
            "title": "Riots and looting spread in KwaZulu-Natal and Gauteng",
            "summary": "Looting of shopping centres and blockades of the N3 highway continue.",
            "event": "Rioters looted shopping centres in Durban and Johannesburg; trucks were set alight.",
        },
        "avoid",
        must=["KwaZulu-Natal and Gauteng"],
        must_not=["throughout South Africa"],
        kinds=["riot", "looting"],
    ),
    Scenario(
        "Sudan, fighting in Khartoum (15 Apr 2023; no country profile)",
        {
            "country": "Sudan",
            "issued": "2023-04-15T12:00:00Z",
            "severity": "critical",
            "threat": "armed_conflict",
            "area": "Khartoum",
            "title": "Heavy fighting erupts in Khartoum",
            "summary": "The army and the Rapid Support Forces are fighting for control of the capital.",
            "event": "Clashes are reported around the presidential palace and the airport.",
        },
        "avoid",
        must=["Khartoum", "Sudan"],
        must_not=["landmines", "throughout Sudan"],
        kinds=["armed_clashes"],
    ),
    Scenario(
        "Ukraine, Russian invasion (24 Feb 2022)",
        {
            "country": "UA",
            "issued": "2022-02-24T05:00:00Z",
            "severity": "critical",
            "threat": "armed_conflict",
            "title": "Russian forces attack Ukraine",
            "summary": "Missile strikes are reported on cities across Ukraine.",
            "event": "Missile and air strikes hit military sites near Kyiv, Kharkiv and Dnipro before dawn.",
        },
        "avoid",
        must=["shelter"],
        must_not=["Defer"],
        kinds=["air_strikes"],
    ),
    Scenario(
        "Mexico, kidnapping in Matamoros (6 Mar 2023)",
        {
            "country": "MX",
            "issued": "2023-03-06T18:00:00Z",
            "severity": "warning",
            "threat": "kidnapping",
            "area": "Tamaulipas",
            "title": "Four US citizens kidnapped in Matamoros",
            "summary": "Gunmen abducted four visitors shortly after they crossed the border.",
            "event": "The four were kidnapped at gunpoint in Matamoros on 3 March.",
        },
        "reconsider",
        must=["Tamaulipas"],
        must_not=["throughout Mexico"],
        kinds=["kidnap_for_ransom"],
    ),
    Scenario(
        "Democratic Republic of the Congo, Ebola in North Kivu (1 Aug 2018; no profile)",
        {
            "country": "DR Congo",
            "issued": "2018-08-01T12:00:00Z",
            "severity": "warning",
            "threat": "health",
            "area": "North Kivu",
            "title": "Ebola outbreak declared in North Kivu",
            "summary": "The health ministry has declared a new Ebola outbreak near Beni.",
            "event": "Four cases of Ebola virus disease were confirmed in Mangina, North Kivu.",
        },
        "reconsider",
        must=["North Kivu", "Democratic Republic of the Congo"],
        must_not=["Congo, The Democratic Republic", "repellent"],
        kinds=None,
    ),
    Scenario(
        "Iceland, Reykjanes eruption (18 Dec 2023; no profile)",
        {
            "country": "IS",
            "issued": "2023-12-18T23:30:00Z",
            "severity": "notice",
            "threat": "natural_hazard",
            "area": "Reykjanes peninsula",
            "title": "Volcanic eruption near Grindavík",
            "summary": "An eruption has begun north of Grindavík; flights at Keflavík continue.",
            "event": "A fissure eruption began at 22:17 local time on the Reykjanes peninsula.",
        },
        "caution",
        must=["Reykjanes peninsula"],
        must_not=["storm surge", "aftershock"],
        kinds=["volcanic_eruption"],
    ),
    Scenario(
        "France, pension-reform strikes (7 Mar 2023)",
        {
            "country": "FR",
            "issued": "2023-03-06T17:00:00Z",
            "severity": "notice",
            "threat": ["transport_disruption", "civil_unrest"],
            "title": "Nationwide strikes against pension reform",
            "summary": "Rail, air and urban transport strikes and marches are expected from 7 March.",
            "event": "Unions have called a national strike; SNCF and the DGAC expect major cancellations.",
            "avoid": ["Place de la Concorde"],
        },
        "caution",
        must=["Keep away from Place de la Concorde"],
        must_not=["Defer"],
        kinds=["transport_strike", "strike"],
    ),
    Scenario(
        "Greece, Rhodes wildfires (22 Jul 2023; no profile)",
        {
            "country": "GR",
            "issued": "2023-07-22T15:00:00Z",
            "severity": "warning",
            "threat": "natural_hazard",
            "area": "Rhodes",
            "title": "Wildfires force evacuations on Rhodes",
            "summary": "Villages and hotels in the south-east of the island are being evacuated.",
            "event": "Wildfires burning since 18 July spread towards Kiotari and Lardos.",
        },
        "reconsider",
        must=["Rhodes", "evacuat"],
        must_not=["aftershock", "storm surge"],
        kinds=["wildfire"],
    ),
    Scenario(
        "India, heatwave in Delhi (29 May 2024)",
        {
            "country": "IN",
            "issued": "2024-05-29T06:00:00Z",
            "severity": "warning",
            "threat": "natural_hazard",
            "area": "Delhi",
            "title": "Extreme heat grips Delhi",
            "summary": "Temperatures above 45°C are forecast for several days.",
            "event": "The India Meteorological Department has issued a red alert for heatwave conditions.",
        },
        "caution",
        must=["Delhi", "water"],
        must_not=["storm surge", "aftershock"],
        kinds=["extreme_heat"],
    ),
    Scenario(
        "Sri Lanka, Easter Sunday bombings (21 Apr 2019; no profile)",
        {
            "country": "LK",
            "issued": "2019-04-21T06:30:00Z",
            "severity": "critical",
            "threat": "terrorism",
            "title": "Explosions at churches and hotels on Easter Sunday",
            "summary": "Bombs have struck three churches and three luxury hotels in Colombo, Negombo and Batticaloa.",
            "event": "Explosions hit St Anthony's Shrine and hotels in Colombo during Easter services.",
        },
        "reconsider",
        must=["religious sites", "hotels", "second device", "Defer non-essential travel to Sri Lanka"],
        must_not=["Colombo, Colombo"],
        kinds=["bombing"],
    ),
    Scenario(
        "Sri Lanka, curfew after the Easter bombings (22 Apr 2019; no profile)",
        {
            "country": "LK",
            "issued": "2019-04-22T09:00:00Z",
            "severity": "critical",
            "threat": "terrorism",
            "title": "Nationwide curfew after bombings of churches and hotels",
            "summary": "A curfew is in force across Sri Lanka after bombs struck churches and hotels on Easter Sunday.",
            "event": "The government has imposed a nationwide curfew and blocked social media.",
            "area": "Colombo, Negombo and Batticaloa",
            "curfew": "nationwide, from 20:00 until 04:00",
        },
        "avoid",
        # The curfew holds everywhere: the sentence must not narrow it to the places struck.
        must=["A curfew is in force nationwide, from 20:00 until 04:00. Plan"],
        must_not=["04:00 in Colombo"],
        kinds=["bombing"],
    ),
    Scenario(
        "Indonesia, Palu earthquake and tsunami (29 Sep 2018)",
        {
            "country": "ID",
            "issued": "2018-09-29T06:00:00Z",
            "severity": "critical",
            "threat": "natural_hazard",
            "title": "Earthquake and tsunami strike Palu, Central Sulawesi",
            "summary": "A magnitude 7.5 earthquake and a tsunami have caused heavy loss of life in Palu and Donggala.",
            "event": "A tsunami followed the earthquake of 28 September; aftershocks continue; the airport is shut.",
            "area": "Palu and Donggala",
        },
        "avoid",
        must=["Postpone all travel to Palu and Donggala", "open ground", "high ground", "bottled or boiled water"],
        must_not=["hurricane", "volcan"],
        kinds=["earthquake", "tsunami"],
    ),
    Scenario(
        "Ecuador, gang attacks and curfew (10 Jan 2024; no profile)",
        {
            "country": "EC",
            "issued": "2024-01-10T12:00:00Z",
            "severity": "critical",
            "threat": ["crime", "civil_unrest"],
            "title": "State of emergency and curfew after gang attacks",
            "summary": "Gangs attacked a television station in Guayaquil and set off explosions in several cities.",
            "event": "Armed men stormed a TV studio in Guayaquil on 9 January; a state of emergency is in force.",
            "curfew": "nationwide, from 23:00 until 05:00",
        },
        "reconsider",
        # The contact is named once; later paragraphs refer back to it.
        must=["on routes agreed with your organisation's security team", "agree with the same contact whether"],
        must_not=["05:00 in "],
    ),
    Scenario(
        "United States, Maui wildfires (9 Aug 2023)",
        {
            "country": "US",
            "issued": "2023-08-09T18:00:00Z",
            "severity": "critical",
            "threat": "natural_hazard",
            "title": "Wildfires destroy much of Lahaina on Maui",
            "summary": "Wind-driven wildfires have burned through Lahaina; roads are closed and thousands evacuated.",
            "event": "Fires fanned by strong winds destroyed most of Lahaina on 8 August.",
            "area": "Maui, Hawaii",
        },
        "avoid",
        must=["Postpone all travel to Maui, Hawaii", "evacuation orders"],
        must_not=["tsunami", "earthquake"],
        kinds=["wildfire"],
    ),
    Scenario(
        "Japan, Noto Peninsula earthquake and tsunami warning (1 Jan 2024)",
        {
            "country": "JP",
            "issued": "2024-01-01T09:30:00Z",
            "severity": "warning",
            "threat": "natural_hazard",
            "title": "Strong earthquake strikes the Noto Peninsula; tsunami warning",
            "summary": "A magnitude 7.6 earthquake struck at 16:10 local time; a major tsunami warning is in force.",
            "event": "Buildings have collapsed and fires are reported in Wajima; some shinkansen trains are halted.",
            "area": "the Noto Peninsula, Ishikawa",
        },
        "reconsider",
        # Each background fact reads alone: the Fukushima one names its tsunami.
        must=["Defer non-essential travel to the Noto Peninsula", "aftershocks", "high ground", "tsunami of 11 March"],
        must_not=["The tsunami knocked", "collapsing buildings and setting off"],  # the day's own fact is the event
        kinds=["earthquake", "tsunami"],
    ),
    Scenario(
        "United Kingdom, NATS flight-planning failure (28 Aug 2023)",
        {
            "country": "GB",
            "issued": "2023-08-28T15:30:00Z",
            "severity": "notice",
            "threat": "transport_disruption",
            "title": "Air traffic control system failure disrupts flights across the UK",
            "summary": "A technical failure in the NATS flight-planning system caused hundreds of cancellations.",
            "event": "Flight plans were processed by hand; airlines expect delays into 29 August.",
        },
        "caution",
        must=["system failure", "day or two after the fault is fixed"],
        # The 2005 London bombings closed the Underground, but are no background to an IT failure.
        must_not=["bombers", "border crossings", "ferries"],
        kinds=["system_failure"],
    ),
    Scenario(
        "United States, Texas winter storm and blackouts (15 Feb 2021)",
        {
            "country": "US",
            "issued": "2021-02-15T16:00:00Z",
            "severity": "warning",
            "threat": ["natural_hazard", "transport_disruption"],
            "kind": ["winter_storm"],
            "area": "Texas",
            "title": "Winter storm brings record cold and rolling blackouts to Texas",
            "summary": "Snow and ice have hit Texas; the grid operator has ordered rolling power cuts.",
            "event": "Houston's airports have suspended flights and many roads are closed by ice.",
        },
        "caution",
        must=["while the storm lasts", "power bank", "carbon monoxide"],
        # A hurricane and 9/11 are no background to an ice storm; the storm is here, not forecast.
        must_not=["Katrina", "World Trade Center", "will bring"],
        kinds=["winter_storm", "power_outage"],
    ),
    Scenario(
        "South Korea, MERS in hospitals (3 Jun 2015)",
        {
            "country": "KR",
            "issued": "2015-06-03T01:00:00Z",
            "severity": "notice",
            "threat": "health",
            "title": "MERS outbreak spreads in hospitals; two deaths and 30 cases",
            "summary": "Korea has confirmed 30 cases of Middle East respiratory syndrome, all linked to hospitals.",
            "event": "Patients, relatives and health workers were infected in hospitals in Gyeonggi and Seoul.",
        },
        "caution",
        must=["inside hospitals", "Do not visit hospitals", "telephone a doctor"],
        must_not=["vaccination", "measles", "influenza", "mosquito"],
        kinds=["healthcare_associated"],
    ),
    Scenario(
        "Japan, G7 summit in Hiroshima (17 May 2023)",
        {
            "country": "JP",
            "issued": "2023-05-17T00:00:00Z",
            "severity": "informational",
            "threat": ["transport_disruption", "civil_unrest"],
            "area": "Hiroshima",
            "time_frame": "from 18 to 21 May",
            "avoid": ["Peace Memorial Park", "Ujina district"],
            "title": "Road closures and heavy security in Hiroshima for the G7 summit",
            "summary": "G7 leaders meet in Hiroshima; police will close roads while motorcades pass.",
            "event": "Small, peaceful protests are expected in the city centre.",
        },
        "normal",
        must=[
            "identity checks",
            "from 18 to 21 May",
            "passport or identity card",
            "Keep away from Peace Memorial Park",
        ],
        must_not=["sarin", "Minor transport disruption"],
        kinds=["security_operation", "protest"],
    ),
    Scenario(
        "Kenya, Westgate mall siege (21 Sep 2013)",
        {
            "country": "KE",
            "issued": "2013-09-21T15:30:00Z",
            "severity": "critical",
            "threat": ["terrorism", "kidnapping"],
            "area": "Nairobi",
            "avoid": ["Westgate shopping centre", "Westlands"],
            "title": "Gunmen hold hostages at Westgate shopping centre in Nairobi",
            "summary": "Gunmen attacked the Westgate shopping centre, killing at least 39 people and holding hostages.",
            "event": "Al-Shabaab has claimed the attack; security forces surround the mall.",
        },
        "avoid",
        must=["shopping centres", "hostage", "Keep away from Westgate shopping centre"],
        # Nairobi is inland: no ports.
        must_not=[", ports", "beaches", "foreigners sought"],
        kinds=["armed_attack", "hostage_taking"],
    ),
    Scenario(
        "Thailand, Erawan Shrine bombing (17 Aug 2015)",
        {
            "country": "TH",
            "issued": "2015-08-17T15:30:00Z",
            "severity": "warning",
            "threat": "terrorism",
            "area": "Bangkok",
            "avoid": ["Ratchaprasong intersection", "Erawan Shrine"],
            "title": "Bomb kills at least 19 at Erawan Shrine in central Bangkok",
            "summary": "A bomb exploded at the Erawan Shrine in central Bangkok, killing at least 19 people.",
            "event": "The device exploded during the evening rush hour. No group has claimed it.",
        },
        "caution",
        must=[
            "such as religious sites, ",
            "foreigners and tourist sites",
            "Keep away from the Ratchaprasong intersection",
        ],
        # No assessment of anyone's intent that the advisory does not give; a list of ours keeps its commas.
        must_not=["assessed to have", "; hotels"],
        kinds=["bombing"],
    ),
]


def _repeated_runs(advice: str, area: str, size: int = 5) -> set[str]:
    """Runs of `size` words (within a sentence) found in more than one paragraph, leaving out runs in
    a place's name."""
    names = {w.lower() for w in re.findall(r"[\w'’-]+", area)}
    seen: dict[tuple[str, ...], int] = {}
    repeated: set[str] = set()
    paragraphs = [p for p in advice.split("\n\n") if p.strip()]
    for number, sentence in ((n, s) for n, p in enumerate(paragraphs) for s in re.split(r"(?<=[.!?:;])\s+", p)):
        words = [w.lower() for w in re.findall(r"[\w'’-]+", sentence)]
        for i in range(len(words) - size + 1):
            run = tuple(words[i : i + size])
            if names & set(run):
                continue
            if seen.setdefault(run, number) != number:
                repeated.add(" ".join(run))
    return repeated


def _write(folder: Path, name: str, fields: dict[str, Any]) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"status": "final", **fields}, allow_unicode=True), "utf-8")
    return path


def _advice_part(text: str) -> str:
    return text.split("\nAdvice\n", 1)[1]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("desk")
    (root / "advisories").mkdir()
    return root


def _render(desk: Path, name: str, fields: dict[str, Any]) -> tuple[str, Any]:
    ws = Workspace(desk)
    path = _write(desk / "advisories", name, fields)
    res = ws.resolve(path)
    return FORMATS["text"].render(ws, res).decode(), res


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name.split(" (")[0] for s in SCENARIOS])
def test_scenario(desk: Path, scenario: Scenario) -> None:
    slug = re.sub(r"\W+", "-", scenario.name.lower())[:40]
    text, res = _render(desk, slug, scenario.advisory)
    advice = _advice_part(text)
    assert res.recommendation is not None and res.recommendation.grade == scenario.grade, res.recommendation
    for words in scenario.must:
        assert words in text, f"{words!r} missing from:\n{text}"
    for words in scenario.must_not:
        assert words not in text, f"{words!r} found in:\n{text}"
    for words in BANNED_IN_ADVICE:
        assert words not in advice, f"the advice says {words!r}; only the recommendation may:\n{advice}"
    if scenario.kinds is not None:
        assert set(scenario.kinds) <= set(res.kinds), (scenario.kinds, res.kinds_found)
    # Nothing said twice: no sentence repeated anywhere in the advice.
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", advice) if s.strip()]
    assert len(sentences) == len(set(sentences)), sentences
    # Nor a clause: no run of five words (a place's own name aside) in two paragraphs.
    assert not _repeated_runs(advice, res.advisory.area or ""), _repeated_runs(advice, res.advisory.area or "")
    # Context as known on the day: no profile fact dated on or after the issue date.
    zone = ZoneInfo(res.time_zone) if res.time_zone else None
    issued = res.advisory.issued.astimezone(zone).date() if zone else res.advisory.issued.date()
    assert all(f.date is not None and f.date < issued for f in res.context if f.chosen)


def test_a_local_event_names_its_area_in_the_recommendation(desk: Path) -> None:
    _, res = _render(desk, "local", SCENARIOS[1].advisory)
    assert "Eastern Visayas" in res.recommendation.text and "Philippines" not in res.recommendation.text


def test_an_update_says_what_changed_and_names_its_predecessor_by_title_and_date(desk: Path) -> None:
    first = {**SCENARIOS[0].advisory, "id": "ma-first"}
    _write(desk / "advisories", "ma-first", first)
    update = {
        **first,
        "id": "ma-second",
        "supersedes": "ma-first",
        "issued": "2017-07-20T09:00:00Z",
        "status": "draft",
        "changes": "Police made two arrests in Fez.",
    }
    ws = Workspace(desk)
    path = _write(desk / "advisories", "ma-second", update)
    res = ws.resolve(path)
    records = [Record.of(ws.load(p).advisory, p.name) for p in (desk / "advisories" / "ma-first.yaml", path)]
    related = Publication.of(records, include_drafts=True).related("ma-second")
    text = FORMATS["text"].render(ws, res, related).decode()
    lines = text.splitlines()
    assert lines[0] == "DRAFT: NOT FOR DISTRIBUTION"
    assert "Update to \u201cSecurity services brace for returning Islamic State fighters\u201d of 15 Jul 2017" in text
    assert text.index("What has changed: Police made two arrests in Fez.") < text.index("Event")
    assert "ma-first" not in text  # named by title and date, never by its raw id


def test_country_names_as_people_write_them(desk: Path) -> None:
    for written, shown in (
        ("Turkey", "Türkiye"),
        ("UK", "United Kingdom"),
        ("USA", "United States"),
        ("Ivory Coast", "Côte d’Ivoire"),
        ("Russian Federation", "Russia"),
    ):
        text, _ = _render(desk, "names", {**SCENARIOS[0].advisory, "country": written})
        assert text.splitlines()[2].startswith(f"{shown}: "), (written, text.splitlines()[:3])


def test_a_near_miss_country_gets_did_you_mean(desk: Path) -> None:
    ws = Workspace(desk)
    path = _write(desk / "advisories", "typo", {**SCENARIOS[0].advisory, "country": "Marocco"})
    with pytest.raises(Exception, match="did you mean 'Morocco'"):
        ws.resolve(path)


def test_rule_examples_cover_every_kind() -> None:
    lib = Workspace(REPO).library
    named: set[str] = set()
    for example in lib.examples:
        res_kinds = example.example.advisory.get("kind") or []
        named.update([res_kinds] if isinstance(res_kinds, str) else res_kinds)
    texts = " ".join(yaml.safe_dump(e.example.advisory) for e in lib.examples).lower()
    missing = [
        k for k, (_, kind) in lib.kinds.items() if k not in named and not any(w.lower() in texts for w in kind.words)
    ]
    assert not missing, f"kinds without a rule example: {missing}"


def test_no_clause_is_said_twice_for_any_kind_level_or_country(desk: Path) -> None:
    """Every kind at every level, in countries with and without a profile, coastal and landlocked,
    plus every rule example: no run of five words in two paragraphs (the clause-level repeat the
    sentence check misses: "drink only bottled or boiled water" after a quake and its tsunami)."""
    lib = Workspace(REPO).library
    cases = [dict(e.example.advisory) for e in lib.examples]
    for key, (threat, _) in lib.kinds.items():
        for severity in ("informational", "notice", "warning", "critical"):
            for country in ("MA", "PH", "FR", "KE", "CH"):
                cases.append({"country": country, "threat": threat, "severity": severity, "kind": [key]})
    repeats = {}
    for number, fields in enumerate(cases):
        base = {"title": "Test", "summary": "Test.", "event": "Test.", "issued": "2024-01-01T00:00:00Z"}
        text, res = _render(desk, f"matrix-{number}", {**base, **fields})
        found = _repeated_runs(_advice_part(text), res.advisory.area or "")
        if found:
            repeats[str(fields)] = found
    assert not repeats, repeats
