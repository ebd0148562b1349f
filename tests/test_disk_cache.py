"""The on-disk cache (locator maps) never changes what a user gets: a damaged or stale entry is
ignored and drawn again, and the cache can be turned off."""

from __future__ import annotations

from pathlib import Path

import pytest

from travelrisk import diskcache, locator


def _map(monkeypatch: pytest.MonkeyPatch, cache: str) -> dict[str, object]:
    monkeypatch.setenv("TRAVELRISK_CACHE", cache)
    locator._drawn.cache_clear()  # the in-process cache would hide the disk's
    drawn = locator.locator_map("MA", "Morocco", "Rabat", ["Marrakesh"])
    assert drawn is not None
    return drawn


def test_a_damaged_entry_is_ignored_and_written_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = _map(monkeypatch, "off")
    first = _map(monkeypatch, str(tmp_path))
    assert first == fresh
    [entry] = (tmp_path / "locator").glob("*.json")
    good = entry.read_bytes()
    for damage in (good[: len(good) // 2], good.replace(b"Rabat", b"Rabbt"), b"", b"\x00garbage"):
        entry.write_bytes(damage)
        again = _map(monkeypatch, str(tmp_path))
        assert again == fresh
        assert "Marrakesh" in str(again["svg"]) and "Rabbt" not in str(again["svg"])
        assert entry.read_bytes() == good  # drawn again, and stored whole


def test_an_entry_from_other_code_is_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAVELRISK_CACHE", str(tmp_path))
    inputs = ["MA", "Morocco", "Rabat", ["Marrakesh"], "en", "and"]
    monkeypatch.setattr(diskcache, "code_key", lambda: "an older travelrisk")
    diskcache.store("locator", inputs, ["<svg>stale</svg>", "stale", []])
    assert diskcache.load("locator", inputs) is not None
    monkeypatch.undo()
    drawn = _map(monkeypatch, str(tmp_path))
    assert "stale" not in str(drawn["svg"]) and "Marrakesh" in str(drawn["svg"])
