"""The rule library kept between runs never changes what a user gets: an edited rule file (any
language) is read again, a damaged or doctored entry is ignored, and a broken library is always
reported from its files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import MOROCCO
from travelrisk.errors import TravelriskError
from travelrisk.library import RuleLibrary
from travelrisk.workspace import Workspace


def _advice(root: Path) -> list[str]:
    ws = Workspace(root)
    return [p.text for p in ws.resolve(root / "advisories" / f"{MOROCCO}.yaml").advice]


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "library").glob("*.json"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("TRAVELRISK_CACHE", str(folder))
    return folder


def test_the_library_from_the_cache_is_the_one_its_files_make(ws: Path, cache: Path) -> None:
    read = RuleLibrary.read(Workspace(ws).rule_dirs)
    first = _advice(ws)
    assert len(_entries(cache)) == 1
    again = Workspace(ws).library
    assert _advice(ws) == first
    assert [(r.rule, r.path, r.line, r.layer, r.order, r.threat, r.origin) for r in again.rules] == [
        (r.rule, r.path, r.line, r.layer, r.order, r.threat, r.origin) for r in read.rules
    ]
    assert [r.rule.model_fields_set for r in again.rules] == [r.rule.model_fields_set for r in read.rules]
    for name in ("levels", "targets", "threats", "countries", "grades", "kinds", "examples", "files", "language"):
        assert getattr(again, name) == getattr(read, name), name


def test_an_edited_rule_file_is_read_again(ws: Path, cache: Path) -> None:
    general = ws / "rules" / "general.yaml"
    _advice(ws)
    general.write_text(general.read_text().replace("keep your phone charged", "keep your phone topped up"))
    assert any("keep your phone topped up" in text for text in _advice(ws))
    french = next((ws / "rules" / "lang" / "fr").rglob("*.yaml"))
    french.write_text(french.read_text() + "\n")  # another language's file counts too
    _advice(ws)
    assert len(_entries(cache)) == 3


def test_a_damaged_or_doctored_entry_is_ignored(ws: Path, cache: Path) -> None:
    fresh = _advice(ws)
    [entry] = _entries(cache)
    good = entry.read_bytes()
    _, _, payload = good.partition(b"\n")
    data = json.loads(payload)
    for rule in data["rules"]:
        rule[0]["advice"] = "Doctored {{ contact }}."
        rule[0].pop("recommend", None)
    data["rules"][0][0].pop("advice")  # a rule with neither advice nor recommend: the model refuses it
    doctored = json.dumps(data).encode()
    for damage in (good[: len(good) // 2], b"", hashlib.sha256(doctored).hexdigest().encode() + b"\n" + doctored):
        entry.write_bytes(damage)
        assert _advice(ws) == fresh
        assert entry.read_bytes() == good  # read from the files, and stored whole


def test_a_broken_library_is_reported_from_its_files(ws: Path, cache: Path) -> None:
    _advice(ws)
    general = ws / "rules" / "general.yaml"
    general.write_text(general.read_text().replace("severity_at_least: warning", "severity_at_least: warnin"))
    with pytest.raises(TravelriskError) as caught:
        RuleLibrary.load(Workspace(ws).rule_dirs)
    [problem] = caught.value.problems
    assert problem.path == str(general.resolve()) and problem.line > 1
    assert "unknown severity level 'warnin'" in problem.message
    assert len(_entries(cache)) == 1  # nothing stored for it
