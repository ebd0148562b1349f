"""Facts in the country profiles (rules/countries/*.yaml) that a traveller relies on.

Emergency numbers are checked against libphonenumber's short-number data (the `phonenumbers`
package); background facts must each carry the date they became true and their source, and
none may be dated after the library's cut-off. Each test lists every problem it finds.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
import yaml

COUNTRIES = Path(__file__).resolve().parents[1] / "rules" / "countries"
PROFILES = sorted(COUNTRIES.glob("*.yaml"))

LATEST_FACT = dt.date(2026, 11, 21)
"""No background fact may be dated after this day."""

# Numbers that libphonenumber does not (yet) list as emergency numbers for the region, but
# that an official source settles. Each entry names that source; an entry no profile uses any
# more makes the test fail, so the list cannot go stale (a newer libphonenumber that agrees
# with an entry is fine: the entry is then merely redundant).
NOT_IN_LIBPHONENUMBER: dict[tuple[str, str], str] = {
    # libphonenumber lists only the older 191/192/193 and 999 for Ghana.
    ("GH", "112"): (
        "Ghana Ministry of Communications: single emergency number 112 for police, fire and "
        "ambulance, announced by the President on 28 January 2020 (statement of 26 March 2020)"
    ),
    # libphonenumber lists only 199 for Nigeria.
    ("NG", "112"): (
        "Nigerian Communications Commission: national emergency number 112, answered by its "
        "Emergency Communication Centres"
    ),
    # libphonenumber lists 105, 116 and 117 for Peru, not the SAMU line.
    ("PE", "106"): "Peruvian Ministry of Health (Minsa): free SAMU emergency ambulance line 106",
    # libphonenumber lists 112, 911, 997 and 999 for Saudi Arabia, not civil defence.
    ("SA", "998"): "Saudi General Directorate of Civil Defense (998.gov.sa): emergency number 998",
    # libphonenumber lists the older 100, 104, 115 and 122 for Iraq.
    ("IQ", "911"): (
        "Iraqi Ministry of Interior: unified emergency number 911, launched on 9 January 2025 "
        "in place of the earlier hotlines"
    ),
    # libphonenumber lists 112, 140, 175 and 999 for Lebanon, not civil defence.
    ("LB", "125"): "Lebanese General Directorate of Civil Defence (Ministry of Interior): emergency number 125",
    # A 24-hour helpline rather than an emergency number in libphonenumber's sense.
    ("TH", "1155"): "Royal Thai Police, Tourist Police Bureau: tourist police hotline 1155",
}


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("country"), dict), path
    return data


def emergency_numbers() -> list[tuple[str, str, str, str]]:
    """(file name, region, service key, number) for every number in every profile."""
    rows = []
    for path in PROFILES:
        country = load(path)["country"]
        for key, number in (country.get("emergency") or {}).items():
            rows.append((path.name, country["code"], key, str(number)))
    return rows


def test_there_are_profiles_with_emergency_numbers() -> None:
    assert len(PROFILES) >= 50
    assert len(emergency_numbers()) >= 100


def test_every_emergency_number_agrees_with_libphonenumber_or_is_settled() -> None:
    disagreements = []
    used_exceptions = set()
    for name, region, key, number in emergency_numbers():
        if phonenumbers.is_emergency_number(number, region):
            used_exceptions.add((region, number))  # a newer libphonenumber agreeing is no failure
            continue
        if (region, number) in NOT_IN_LIBPHONENUMBER:
            used_exceptions.add((region, number))
            continue
        disagreements.append(f"{name}: {key} {number} is not an emergency number for {region} in libphonenumber")
    for region, number in sorted(set(NOT_IN_LIBPHONENUMBER) - used_exceptions):
        if not any(r == region and n == number for _, r, _, n in emergency_numbers()):
            disagreements.append(f"NOT_IN_LIBPHONENUMBER lists {region} {number}, which no profile uses any more")
    assert not disagreements, "\n".join(disagreements)


def test_the_check_catches_a_wrong_number() -> None:
    # The same check that guards the profiles: a made-up number fails it, real ones pass.
    assert not phonenumbers.is_emergency_number("123", "GB")
    assert not phonenumbers.is_emergency_number("911", "MA")
    assert phonenumbers.is_emergency_number("999", "GB")
    assert phonenumbers.is_emergency_number("19", "MA")


def background(path: Path) -> list[dict[str, Any]]:
    items = load(path)["country"].get("background") or []
    assert isinstance(items, list), path
    return items


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_every_background_fact_is_dated_and_sourced(path: Path) -> None:
    data = load(path)
    listed = set(data.get("sources") or [])
    problems = []
    for i, item in enumerate(background(path)):
        where = f"{path.name}: background {i} ({str(item.get('text', ''))[:50]!r})"
        date, until, source = item.get("date"), item.get("until"), item.get("source")
        if not isinstance(date, dt.date):
            problems.append(f"{where}: no date (YYYY-MM-DD)")
        elif date > LATEST_FACT:
            problems.append(f"{where}: dated {date}, after {LATEST_FACT}")
        if until is not None and (not isinstance(until, dt.date) or (isinstance(date, dt.date) and until <= date)):
            problems.append(f"{where}: until {until!r} must be a date after {date}")
        if not isinstance(source, str) or not source.strip():
            problems.append(f"{where}: no source")
        elif source not in listed:
            problems.append(f"{where}: source {source!r} is not in the file's sources")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_every_profile_says_whether_it_has_a_coast(path: Path) -> None:
    assert isinstance(load(path)["country"].get("coast"), bool), f"{path.name}: set coast: true or false"


def test_landlocked_countries_have_no_coast() -> None:
    coast = {load(p)["country"]["code"]: load(p)["country"].get("coast") for p in PROFILES}
    assert {code for code in ("AT", "CH", "ET") if code in coast} == {"AT", "CH", "ET"}
    assert not coast["AT"] and not coast["CH"] and not coast["ET"]


def test_a_country_without_a_profile_gets_only_the_general_numbers_libphonenumber_knows(tmp_path: Path) -> None:
    from travelrisk.formats import FORMATS
    from travelrisk.workspace import Workspace

    (tmp_path / "advisories").mkdir()
    shown = {}
    for code in ("EC", "HT"):  # Ecuador: ECU 911 (and 112); Haiti: no general number, so none is guessed
        path = tmp_path / "advisories" / f"{code.lower()}.yaml"
        path.write_text(
            f"country: {code}\nissued: 2024-01-10T02:00:00Z\nseverity: warning\nthreat: crime\n"
            "title: Gang violence\nsummary: Gangs attacked.\nevent: Gangs attacked.\n",
            "utf-8",
        )
        ws = Workspace(tmp_path)
        shown[code] = json.loads(FORMATS["json"].render(ws, ws.resolve(path)))["emergency"]
    assert {"service": "Emergency", "number": "112"} in shown["EC"] and {"service": "Also", "number": "911"} in shown[
        "EC"
    ]
    assert shown["HT"] == []
