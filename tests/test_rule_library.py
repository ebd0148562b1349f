"""The shipped rule library: every threat x severity, the country profiles, explain and schema."""

from __future__ import annotations

import itertools
import json
import re
import zoneinfo
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import MOROCCO, REPO, pdf_text, run_cli
from travelrisk.config import contrast
from travelrisk.countries import CITY_STATES
from travelrisk.workspace import Workspace

LIB = Workspace(REPO).library
THREATS = list(LIB.threats)
LEVELS = list(LIB.levels)


def advisory_yaml(**fields: object) -> str:
    base = {
        "title": "Test advisory",
        "issued": "2026-11-20T09:00:00+00:00",
        "summary": "A summary.",
        "event": "Something happened.",
        "country": "MA",
        "threat": "terrorism",
        "severity": "warning",
    }
    return yaml.safe_dump({**base, **fields}, sort_keys=False)


def write(tmp_path: Path, name: str, **fields: object) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(advisory_yaml(**fields))
    return path


def test_the_library_has_the_vocabularies_the_issue_asks_for() -> None:
    assert {
        "terrorism",
        "civil_unrest",
        "crime",
        "kidnapping",
        "armed_conflict",
        "health",
        "natural_hazard",
        "transport_disruption",
    } <= set(THREATS)
    assert LEVELS == ["informational", "notice", "warning", "critical"]
    assert [LIB.levels[k].cap_severity for k in LEVELS] == ["Minor", "Moderate", "Severe", "Extreme"]
    assert LIB.targets["transport_hubs"].examples == ["public transport", "train stations", "airports"]
    assert LIB.targets["transport_hubs"].coastal == ["ports"]  # named only where there is a coast
    assert {"protest_sites", "business_districts", "nightlife", "sports_venues", "borders_checkpoints"} <= set(
        LIB.targets
    )
    assert all(t.cap_category and t.meaning for t in LIB.threats.values())
    assert {
        LIB.threats[k].indicator
        for k in ("terrorism", "civil_unrest", "crime", "kidnapping", "health", "natural_hazard")
    } == {"T", "U", "C", "K", "H", "N"}


def test_every_threat_and_severity_gives_its_own_advice(tmp_path: Path) -> None:
    ws = Workspace(REPO)
    advice: dict[tuple[str, str], str] = {}
    for threat, level in itertools.product(THREATS, LEVELS):
        res = ws.resolve(write(tmp_path, f"{threat}-{level}", threat=threat, severity=level))
        threat_paragraphs = [p.text for p in res.advice if not p.rule.startswith("general-")]
        assert threat_paragraphs and all(threat_paragraphs), (threat, level)
        advice[threat, level] = "\n".join(threat_paragraphs)
    assert len(set(advice.values())) == len(advice), "two threat/severity pairs share their advice"


@pytest.mark.parametrize("threat", THREATS)
def test_each_threat_renders_to_pdf_at_each_level(tmp_path: Path, threat: str) -> None:
    for level in LEVELS:
        out = tmp_path / f"{level}.pdf"
        ran = run_cli("render", write(tmp_path, level, threat=threat, severity=level), "-o", out, workspace=REPO)
        assert ran.exit_code == 0, ran.stderr
        text = re.sub(r"\s+", " ", pdf_text(out))
        assert LIB.levels[level].label in text
        first_words = Workspace(REPO).resolve(tmp_path / f"{level}.yaml").advice[0].text[:40]
        assert re.sub(r"\s+", " ", first_words) in text


def test_at_least_30_profiled_countries_render_with_their_cities(tmp_path: Path) -> None:
    profiled = [p for p in LIB.countries.values() if p.cities]
    assert len(profiled) >= 30
    assert {p.region for p in profiled} >= {"Africa", "Americas", "Asia", "Europe", "Oceania"}
    for profile in profiled:
        path = write(tmp_path, profile.code.lower(), country=profile.code)
        ran = run_cli("render", path, "-f", "json", "-o", "-", workspace=REPO)
        assert ran.exit_code == 0, ran.stderr
        data = json.loads(ran.stdout)
        assert data["full_title"] == f"{profile.name}: Test advisory"
        if profile.code in CITY_STATES:  # "in Singapore, especially in Singapore" is not written
            assert data["cities"] == []
            continue
        assert data["cities"] == profile.cities
        assert profile.cities[0] in " ".join(p["text"] for p in data["advice"])
        assert profile.timezones and profile.capital


@pytest.mark.parametrize("level", LEVELS)
def test_each_level_colour_carries_white_text_at_wcag_aa_as_documented(level: str) -> None:
    """The band shows white text on the level colour: at least 4.5:1, and the ratio that
    rules/levels.yaml states for that colour is the one it really has."""
    colour = LIB.levels[level].colour
    ratio = contrast(colour, "#ffffff")
    assert ratio >= 4.5, f"{level} {colour} has {ratio:.2f}:1"
    documented = re.findall(r"(#[0-9a-fA-F]{6}) (\d+\.\d\d):1", (REPO / "rules" / "levels.yaml").read_text())
    assert (colour.lower(), f"{ratio:.2f}") in [(c.lower(), r) for c, r in documented]


def test_every_profile_names_real_time_zones() -> None:
    known = zoneinfo.available_timezones()
    wrong = [(p.code, zone) for p in LIB.countries.values() for zone in p.timezones if zone not in known]
    assert wrong == []


def test_an_unprofiled_iso_country_renders_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "bo", country="bo")
    ran = run_cli("render", path, "-f", "text", "-o", "-", workspace=REPO)
    assert ran.exit_code == 0, ran.stderr
    assert ran.stdout.splitlines()[2].startswith("Bolivia: Test advisory")
    assert re.search(r"bo\.yaml:\d+:\d+: warning: no country profile for Bolivia", ran.stderr)
    assert " in ," not in ran.stdout and "especially in ." not in ran.stdout  # advice reads well without cities


def test_a_country_can_be_named_in_english(tmp_path: Path) -> None:
    data = json.loads(
        run_cli(
            "render", write(tmp_path, "uk", country="United Kingdom"), "-f", "json", "-o", "-", workspace=REPO
        ).stdout
    )
    assert data["country"] == {
        "code": "GB",
        "name": "United Kingdom",
        "in_sentence": "the United Kingdom",
        "in": "in the United Kingdom",
    }
    assert "in the United Kingdom" in " ".join(p["text"] for p in data["advice"])


def test_an_invalid_country_is_an_error(tmp_path: Path) -> None:
    ran = run_cli("render", write(tmp_path, "zz", country="ZZ"), "-f", "html", "-o", "-", workspace=REPO)
    assert ran.exit_code == 1
    assert "unknown country 'ZZ'" in ran.stderr


def test_explain_names_every_rule_that_wrote_the_morocco_advice() -> None:
    advisory = REPO / "advisories" / f"{MOROCCO}.yaml"
    data = json.loads(run_cli("explain", advisory, "--format", "json", workspace=REPO).stdout)
    writers = [p["rule"] for p in data["advice"]]
    assert writers[0] == "ma-terrorism-warning" and "general-keep-in-touch" in writers
    used = {r["rule"] for r in data["rules"] if r["used"]}
    assert set(writers) - {"author"} == used
    shadowed = {r["rule"]: r["shadowed_by"] for r in data["rules"] if r["shadowed_by"]}
    assert shadowed == {"terrorism-warning": "ma-terrorism-warning"}
    reasons = {r["rule"]: r["reason"] for r in data["rules"]}
    assert reasons["terrorism-notice"] == "severity is warning, not notice"
    text = run_cli("explain", advisory, workspace=REPO).stdout
    for rule in writers:
        assert rule in text
    assert "terrorism-notice (rules/threats/terrorism.yaml:" in text


def test_schema_accepts_the_examples_and_rejects_a_typo(tmp_path: Path) -> None:
    ran = run_cli("schema", "-o", tmp_path, workspace=REPO)
    assert ran.exit_code == 0, ran.stderr
    schema = json.loads((tmp_path / "advisory.schema.json").read_text())
    for path in (REPO / "advisories").glob("*.yaml"):
        data = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
        jsonschema.validate(data, schema)
    bad = {**json.loads(json.dumps(yaml.safe_load(advisory_yaml()), default=str)), "severity": "severe"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    for name in ("levels", "targets", "threat", "country", "general"):
        jsonschema.Draft202012Validator.check_schema(json.loads((tmp_path / f"{name}.schema.json").read_text()))
    threat = yaml.safe_load((REPO / "rules" / "threats" / "terrorism.yaml").read_text())
    jsonschema.validate(threat, json.loads((tmp_path / "threat.schema.json").read_text()))
