"""Languages: an advisory in the reader's language, never a silent mix of two.

These tests build their own small language in a scratch workspace, so they say what the machinery
does whatever the bundled French and Arabic hold (tests/test_translations.py reads those).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml

from conftest import run_cli
from travelrisk.dates import utc_display
from travelrisk.text import join_list

ADVISORY = {
    "title": "Protests expected in the capital",
    "country": "MA",
    "issued": "2017-07-15T17:12:00Z",
    "severity": "informational",
    "threat": "civil_unrest",
    "kind": ["protest"],
    "summary": "Marches are planned.",
    "event": "Unions plan marches.",
}


def _desk(tmp_path: Path, advisory: dict) -> Path:
    (tmp_path / "advisories").mkdir()
    (tmp_path / "advisories" / "a.yaml").write_text(yaml.safe_dump(advisory, allow_unicode=True), "utf-8")
    return tmp_path


def test_a_language_the_library_lacks_is_named_with_those_it_has(tmp_path: Path) -> None:
    desk = _desk(tmp_path, {**ADVISORY, "translations": {"sw": {"title": "t", "summary": "s", "event": "e"}}})
    ran = run_cli("render", desk / "advisories" / "a.yaml", "--lang", "sw", "-f", "text", "-o", "-", workspace=desk)
    assert ran.exit_code == 1
    assert "no language 'sw' in the rule library" in ran.stderr and "choose one of: en" in ran.stderr


def test_an_advisory_without_text_in_the_language_says_what_to_add(tmp_path: Path) -> None:
    desk = _desk(tmp_path, ADVISORY)
    ran = run_cli("render", desk / "advisories" / "a.yaml", "--lang", "fr", "-f", "text", "-o", "-", workspace=desk)
    assert ran.exit_code == 1
    assert "a.yaml:1:1: has no text in 'fr' (it has: en)" in ran.stderr
    assert "add translations: {fr: {title: ..., summary: ..., event: ...}}" in ran.stderr


def test_a_translation_missing_a_part_the_advisory_has_is_refused_not_mixed(tmp_path: Path) -> None:
    advisory = {**ADVISORY, "context": "Earlier marches were peaceful."}
    advisory["translations"] = {"fr": {"title": "Manifestations", "summary": "Des marches.", "event": "Marches."}}
    desk = _desk(tmp_path, advisory)
    ran = run_cli("render", desk / "advisories" / "a.yaml", "--lang", "fr", "-f", "text", "-o", "-", workspace=desk)
    assert ran.exit_code == 1
    assert "the 'fr' text lacks context, which the advisory has" in ran.stderr
    assert "translations.fr" in ran.stderr


def test_a_language_pack_with_gaps_is_refused_and_validate_lists_every_gap(tmp_path: Path) -> None:
    advisory = {**ADVISORY, "translations": {"eo": {"title": "T", "summary": "S", "event": "E"}}}
    desk = _desk(tmp_path, advisory)
    lang = desk / "rules" / "lang" / "eo"
    lang.mkdir(parents=True)
    (lang / "language.yaml").write_text(
        "name: Esperanto\nand: zand\nor: zor\ncontact: zcontact\nlocal_time: ztime\nemergency_services: {}\n", "utf-8"
    )
    (lang / "levels.yaml").write_text("levels:\n  informational: {label: Zinfo, meaning: Zmeaning}\n", "utf-8")
    ran = run_cli("render", desk / "advisories" / "a.yaml", "--lang", "eo", "-f", "text", "-o", "-", workspace=desk)
    assert ran.exit_code == 1
    assert "no Esperanto text for grade normal; add `grades.normal` to rules/lang/eo/recommendations.yaml" in ran.stderr
    assert "no Esperanto text for level informational" not in ran.stderr  # given: not reported
    assert "Protests" not in ran.stdout  # nothing half-English is printed
    checked = run_cli("validate", workspace=desk)
    assert checked.exit_code == 1
    assert "no Esperanto text for rule general-keep-in-touch" in checked.stdout + checked.stderr
    assert "no catalogue of template text for 'eo'" in checked.stdout + checked.stderr


def test_bad_language_codes_are_a_usage_error(tmp_path: Path) -> None:
    desk = _desk(tmp_path, ADVISORY)
    ran = run_cli("render", desk / "advisories" / "a.yaml", "--lang", "french", "-o", "-", workspace=desk)
    assert ran.exit_code == 2 and "give language codes such as fr or en,fr" in ran.stderr


def test_lists_join_as_each_language_writes_them() -> None:
    assert join_list(["Rabat", "Fès", "Tanger"], "et") == "Rabat, Fès et Tanger"
    assert join_list(["الرباط", "فاس", "طنجة"], "و") == "الرباط وفاس وطنجة"
    assert join_list(["Tripoli", "Benghazi"], "و") == "Tripoli و Benghazi"
    assert join_list(["الرباط", "فاس"], "أو") == "الرباط أو فاس"
    assert join_list(["Rabat"], "and") == "Rabat"
    # Names that hold commas join with semicolons; our own "hotels and restaurants" does not.
    assert (
        join_list(["Nanterre, the Pablo Picasso estate", "Les Halles"])
        == "Nanterre, the Pablo Picasso estate; and Les Halles"
    )
    assert (
        join_list(["hotels and restaurants", "airports", "stations"]) == "hotels and restaurants, airports and stations"
    )


def test_dates_are_written_the_way_each_language_writes_them() -> None:
    moment = datetime(2017, 7, 15, 17, 12, tzinfo=UTC)
    assert utc_display(moment) == "15 Jul 2017 | 05:12 PM UTC"  # English: as the reference alert
    assert utc_display(moment, "fr") == "15 juillet 2017 | 17:12 UTC"
    assert utc_display(moment, "ar") == "15 يوليو 2017 | 17:12 UTC"


def test_the_security_contact_is_named_per_language(tmp_path: Path) -> None:
    advisory = {
        **ADVISORY,
        "severity": "warning",
        "translations": {"fr": {"title": "T", "summary": "S.", "event": "E."}},
    }
    desk = _desk(tmp_path, advisory)
    (desk / "travelrisk.yaml").write_text("security_contact: {fr: la cellule sûreté du groupe}\n", "utf-8")
    src = desk / "advisories" / "a.yaml"
    french = run_cli("render", src, "--lang", "fr", "-f", "text", "-o", "-", workspace=desk).stdout
    english = run_cli("render", src, "-f", "text", "-o", "-", workspace=desk).stdout
    assert "la cellule sûreté du groupe" in french and "équipe sûreté" not in french
    assert "your organisation's security team" in english  # English keeps its own default


def test_mistakes_in_languages_are_placed_with_how_to_fix_them(tmp_path: Path) -> None:
    advisory = {**ADVISORY, "lang": "french", "translations": {"fr": {"title": "T", "sumary": "S.", "event": "E."}}}
    desk = _desk(tmp_path, advisory)
    ran = run_cli("validate", workspace=desk)
    out = ran.stdout + ran.stderr
    assert ran.exit_code == 1
    assert "a.yaml:" in out and "lang has characters that are not allowed here; use a language code such as en" in out
    assert "unknown key 'sumary'; did you mean 'summary'?" in out
    (desk / "travelrisk.yaml").write_text("security_contact: {english: Desk}\n", "utf-8")
    ran = run_cli("validate", workspace=desk)
    out += ran.stdout + ran.stderr
    assert (
        "travelrisk.yaml:1:20: security_contact.english has characters that are not allowed here; use a language code"
        in out
    )
    assert "function-after" not in out and "constrained-str" not in out  # no validator internals
