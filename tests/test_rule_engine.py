"""The rule engine: conditions, layers, slots and priorities, and errors in rule files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import MOROCCO, run_cli
from travelrisk.errors import TravelriskError
from travelrisk.workspace import Workspace


def add_general_rules(
    ws: Path, rules: list[dict[str, object]], examples: list[dict[str, object]] | None = None
) -> Path:
    path = ws / "rules" / "general.yaml"
    data = yaml.safe_load(path.read_text())
    data["rules"] = rules
    data["examples"] = examples or []
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def advice_rules(ws: Path, **fields: object) -> list[str]:
    path = ws / "advisories" / "probe.yaml"
    base = {
        "title": "Probe",
        "issued": "2026-11-20T09:00:00+00:00",
        "summary": "S.",
        "event": "E.",
        "country": "MA",
        "threat": "terrorism",
        "severity": "warning",
    }
    path.write_text(yaml.safe_dump({**base, **fields}))
    return [p.rule for p in Workspace(ws).resolve(path).advice]


def rule(rule_id: str, when: dict[str, object], **extra: object) -> dict[str, object]:
    return {"id": rule_id, "when": when, "advice": f"Advice of {rule_id}.", **extra}


def test_a_country_rule_overrides_the_threat_rule_in_its_slot(ws: Path) -> None:
    assert advice_rules(ws)[0] == "ma-terrorism-warning"
    assert advice_rules(ws, country="FR")[0] == "terrorism-warning"


def test_priority_breaks_ties_inside_a_layer_and_layers_beat_priority(ws: Path) -> None:
    add_general_rules(
        ws,
        [
            rule("low", {"severity": "warning"}, slot="extra"),
            rule("high", {"severity_at_least": "notice"}, slot="extra", priority=5),
            rule("threat-layer", {"threat": "terrorism"}, slot="other", priority=-10),
            rule("general-layer", {"severity": "warning"}, slot="other", priority=10),
        ],
    )
    used = advice_rules(ws)
    assert "high" in used and "low" not in used
    assert "threat-layer" in used and "general-layer" not in used


@pytest.mark.parametrize(
    ("when", "fields", "applies"),
    [
        ({"severity_at_least": "warning"}, {"severity": "critical"}, True),
        ({"severity_at_least": "warning"}, {"severity": "notice"}, False),
        ({"region": "Africa"}, {}, True),
        ({"region": "Europe"}, {}, False),
        ({"targets": ["hotels_restaurants"]}, {"targets": ["hotels_restaurants"]}, True),
        ({"targets": ["nightlife"]}, {}, False),
        ({"cities": ["rabat"]}, {}, True),
        ({"issued_after": "2026-01-01"}, {}, True),
        ({"issued_before": "2026-01-01"}, {}, False),
        ({"any": [{"country": "FR"}, {"severity": "warning"}]}, {}, True),
        ({"all": [{"country": "MA"}, {"severity": "critical"}]}, {}, False),
        ({"not": {"threat": "crime"}}, {}, True),
        ({"not": {"threat": "terrorism"}}, {}, False),
    ],
)
def test_conditions(ws: Path, when: dict[str, object], fields: dict[str, object], applies: bool) -> None:
    add_general_rules(ws, [rule("probe-rule", when)])
    assert ("probe-rule" in advice_rules(ws, **fields)) is applies
    # the trace that explain shows carries the reason of a rule that did not match, and no other
    res = Workspace(ws).resolve(ws / "advisories" / "probe.yaml")
    trace = next(t for t in res.trace if t.rule == "probe-rule")
    assert trace.matched is applies and (trace.reason is None) is applies, trace.reason


def test_advice_follows_the_order_of_the_advisory_threats(ws: Path) -> None:
    first = advice_rules(ws, country="FR", threat=["crime", "terrorism"])
    second = advice_rules(ws, country="FR", threat=["terrorism", "crime"])
    assert first[:2] == ["crime-warning", "terrorism-warning"]
    assert second[:2] == ["terrorism-warning", "crime-warning"]
    assert advice_rules(ws, country="FR", threat=["crime", "terrorism"]) == first  # deterministic


def validate_errors(ws: Path) -> list[str]:
    ran = run_cli("validate", workspace=ws)
    assert ran.exit_code == 1, ran.stderr
    assert "Traceback" not in ran.stderr
    return [line for line in ran.stderr.splitlines() if re.match(r"^\S+:\d+:\d+: ", line)]


def test_an_unknown_key_in_a_rule_gets_a_suggestion(ws: Path) -> None:
    path = add_general_rules(ws, [{"id": "typo-key", "wen": {"threat": "terrorism"}, "advice": "x"}])
    line = path.read_text().splitlines().index("  wen:") + 1
    assert validate_errors(ws) == [f"{path}:{line}:3: unknown key 'wen'; did you mean 'when'?"]


def test_rule_errors_are_placed_in_the_rule_file(ws: Path) -> None:
    path = add_general_rules(
        ws,
        [
            rule("bad-threat", {"threat": "terrorsm"}),
            rule("bad-target", {"targets": ["hotel"]}),
            rule("general-a", {"severity": "notice"}, slot="same"),
            rule("general-b", {"severity": "notice"}, slot="same"),
            rule("terrorism-warning", {"severity": "notice"}),
            {"id": "bad-text", "advice": "Stay away from {{ cities | join_and "},
        ],
    )
    errors = "\n".join(validate_errors(ws))
    text = path.read_text()

    def line(needle: str) -> int:
        return text[: text.index(needle)].count("\n") + 1

    assert f"general.yaml:{line('terrorsm')}:" in errors and "did you mean 'terrorism'" in errors
    assert "unknown target 'hotel'" in errors
    assert "rule 'general-b' has the same slot, priority and conditions as 'general-a'" in errors
    assert "duplicate rule id 'terrorism-warning'" in errors and "terrorism.yaml:" in errors
    assert "rule 'bad-text': template error in advice" in errors


def test_rule_text_using_an_unknown_variable_names_the_rule(ws: Path) -> None:
    add_general_rules(ws, [{"id": "uses-weather", "advice": "Expect {{ weather }}."}])
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "html", "-o", "-", workspace=ws)
    assert ran.exit_code == 1
    assert re.search(
        r"general\.yaml:\d+:3: rule 'uses-weather': 'weather' is undefined; rule text may use only", ran.stderr
    ), ran.stderr


def test_rule_text_cannot_reach_python_internals(ws: Path) -> None:
    add_general_rules(ws, [{"id": "escape", "advice": "{{ cities.__class__.__mro__ }}"}])
    with pytest.raises(TravelriskError) as caught:
        Workspace(ws).resolve(ws / "advisories" / f"{MOROCCO}.yaml")
    assert "rule 'escape'" in str(caught.value)


def test_validate_runs_the_rule_examples(ws: Path) -> None:
    add_general_rules(
        ws,
        [rule("hello", {"country": "MA"})],
        examples=[
            {
                "name": "says hello",
                "advisory": {"country": "MA", "threat": "crime", "severity": "notice"},
                "must_contain": ["Advice of hello."],
            },
            {
                "name": "wrongly expects goodbye",
                "advisory": {"country": "MA", "threat": "crime", "severity": "notice"},
                "must_contain": ["goodbye"],
                "must_not_contain": ["hello"],
            },
        ],
    )
    errors = validate_errors(ws)
    # A new rule without French text is reported too, since the Morocco example is also in French.
    assert any("no Français text for rule hello" in e for e in errors), errors
    errors = [e for e in errors if "Français" not in e]
    assert len(errors) == 2, errors
    assert "example 'wrongly expects goodbye': the advice does not contain 'goodbye'" in errors[0]
    assert "the advice contains 'hello' (from rule 'hello')" in errors[1]


def recommendation(ws: Path, **fields: object) -> tuple[str, str]:
    advice_rules(ws, **fields)
    res = Workspace(ws).resolve(ws / "advisories" / "probe.yaml")
    assert res.recommendation is not None
    return res.recommendation.grade, res.recommendation.rule


def test_one_recommendation_the_most_specific_rule_or_the_level_default(ws: Path) -> None:
    add_general_rules(
        ws,
        [
            {"id": "any-critical", "when": {"severity": "critical"}, "recommend": "reconsider"},
            {"id": "kind-rule", "when": {"kind": "bombing"}, "recommend": "caution"},
            {"id": "local-terror", "when": {"threat": "terrorism", "local": True}, "recommend": "avoid"},
        ],
    )
    assert recommendation(ws, severity="notice") == ("caution", "level")
    # within a threat the most specific rule decides, whatever its grade: the kind rule beats the
    # threat rule; across threats (and general rules) the strictest grade wins
    assert recommendation(ws, severity="warning", area="Rabat", kind=["bombing"]) == ("caution", "kind-rule")
    assert recommendation(ws, severity="critical", area="Rabat", kind=["bombing"]) == ("reconsider", "any-critical")
    assert recommendation(ws, severity="warning", area="Rabat")[1] == "local-terror"
    res = Workspace(ws).resolve(ws / "advisories" / "probe.yaml")
    assert res.recommendation is not None and "Rabat" in res.recommendation.text
    assert not any("Defer" in p.text or "Postpone" in p.text for p in res.advice)


def test_two_rules_that_would_both_set_the_recommendation_are_reported(ws: Path) -> None:
    path = add_general_rules(
        ws,
        [
            {"id": "first", "when": {"severity": "critical"}, "recommend": "reconsider"},
            {"id": "second", "when": {"severity": "critical"}, "recommend": "avoid"},
        ],
    )
    errors = validate_errors(ws)
    assert any(e.startswith(f"{path}:") and "rule 'second' sets the recommendation" in e for e in errors), errors


def test_a_rule_must_advise_or_recommend(ws: Path) -> None:
    path = add_general_rules(ws, [{"id": "silent", "when": {"severity": "critical"}}])
    errors = validate_errors(ws)
    assert any(e.startswith(f"{path}:") and "a rule needs 'advice' or 'recommend'" in e for e in errors), errors
