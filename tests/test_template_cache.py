"""Compiled templates kept between runs (templatecache.py) and GeoNames kept per country: neither
ever changes what a user gets. An edited template is never served stale, a damaged entry is
compiled again, and an entry others could have written is not read."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from conftest import MOROCCO, run_cli
from travelrisk import countries, templatecache


def _page(ws: Path, out: Path) -> str:
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "html", "-o", out, workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    return out.read_text("utf-8")


def test_an_edited_template_is_never_served_stale(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAVELRISK_CACHE", str(tmp_path / "cache"))
    first = _page(ws, tmp_path / "a.html")
    assert list((tmp_path / "cache" / "templates").glob("*.code"))
    page = ws / "templates" / "page.html.j2"
    page.write_text(page.read_text("utf-8").replace("<body", "<!-- edited after caching -->\n<body", 1), "utf-8")
    second = _page(ws, tmp_path / "b.html")
    assert "edited after caching" in second and "edited after caching" not in first


def test_a_damaged_entry_is_compiled_again(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAVELRISK_CACHE", str(tmp_path / "cache"))
    first = _page(ws, tmp_path / "a.html")
    entries = list((tmp_path / "cache" / "templates").glob("*.code"))
    for i, entry in enumerate(entries):
        good = entry.read_bytes()
        entry.write_bytes([good[: len(good) // 2], good[:70] + b"\x00" + good[71:], b""][i % 3])
    assert _page(ws, tmp_path / "b.html") == first


def _bucket(env: jinja2.Environment) -> jinja2.bccache.Bucket:
    source = "{{ 1 + 1 }}"
    return jinja2.bccache.Bucket(env, "t", jinja2.bccache.BytecodeCache().get_source_checksum(source))


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="user ids")
def test_an_entry_others_could_write_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAVELRISK_CACHE", str(tmp_path))
    cache = templatecache.for_templates()
    assert cache is not None
    env = jinja2.Environment()
    stored = _bucket(env)
    stored.code = env.compile("{{ 1 + 1 }}", "t")
    cache.dump_bytecode(stored)
    [entry] = (tmp_path / "templates").glob("*.code")
    assert oct(entry.stat().st_mode & 0o777) == "0o600"
    for target, mode in ((entry, 0o620), (entry.parent, 0o777)):
        read = _bucket(env)
        cache.load_bytecode(read)
        assert read.code is not None  # private: read
        target.chmod(mode)
        read = _bucket(env)
        cache.load_bytecode(read)
        assert read.code is None  # writable by others: compiled anew instead
        target.chmod(0o600 if target == entry else 0o700)


def test_geonames_kept_per_country_give_the_same_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def answers() -> tuple[object, ...]:
        countries._geonames_of.cache_clear()
        return (
            countries.major_cities("KE"),
            countries.time_zone("US", "Houston"),
            countries.time_zones("UZ"),
            countries.city("MA", "Marrakesh"),
        )

    monkeypatch.setenv("TRAVELRISK_CACHE", "off")
    fresh = answers()
    assert fresh[:3] == (["Nairobi", "Kakamega", "Mombasa"], "America/Chicago", ["Asia/Samarkand", "Asia/Tashkent"])
    monkeypatch.setenv("TRAVELRISK_CACHE", str(tmp_path))
    assert answers() == fresh  # stored
    assert answers() == fresh  # read back
    for entry in (tmp_path / "geonames").glob("*.json"):
        entry.write_bytes(entry.read_bytes().replace(b"Nairobi", b"Nairoby"))
    assert answers() == fresh  # damaged: read from GeoNames again
