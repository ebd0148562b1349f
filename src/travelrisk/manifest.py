"""The build manifest, `output/.travelrisk-manifest.json`: what the last build wrote, and from what.

Each advisory file has an `Entry`: hashes of its bytes and of everything its outputs depend on,
its publication `Record`, what the site lists of it, and the files written with their keys.
The manifest lies in a folder others can write to, so it is untrusted: every id and file name
is checked, a file is only ever one the format registry would name for that id, and a damaged
manifest means a full rebuild (with a warning), never an error or a write outside `output/`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .assets import STYLESHEET_NAME
from .errors import Problem
from .formats import FORMATS
from .model import ID_PATTERN
from .state import Record

MANIFEST_NAME = ".travelrisk-manifest.json"
MANIFEST_FORMAT = "travelrisk-build-manifest"
MANIFEST_VERSION = 2
_ID = re.compile(ID_PATTERN)
_HASH = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class Output:
    file: str
    key: str
    size: int
    assets: tuple[str, ...] = ()
    """The files of `output/assets/` it links (the external stylesheet): kept while it is published."""


@dataclass
class Entry:
    """One advisory file as the last build left it."""

    source: str
    """The file, relative to `advisories/`."""
    raw: str
    """Hash of the file's bytes: when it is unchanged, the record below is reused without parsing."""
    inputs: str
    """Hash of everything its outputs depend on; equal and outputs present means nothing to do."""
    data: str
    """Hash of the resolved advisory (its JSON), which output keys build on."""
    record: Record
    listing: dict[str, Any]
    """What the site's index, feed and JSON index show of it (see site.listing)."""
    updated: str
    outputs: dict[str, Output] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.record.id

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "raw": self.raw,
            "inputs": self.inputs,
            "data": self.data,
            "record": self.record.to_dict(),
            "listing": self.listing,
            "updated": self.updated,
            "outputs": {f: _output_dict(o) for f, o in self.outputs.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        """Raises KeyError, TypeError or ValueError on anything out of place."""
        record = Record.from_dict(data["record"])
        if not _ID.match(record.id) or record.source != data["source"] or not _safe_source(record.source):
            raise ValueError(f"bad id or source in {record.source!r}")
        outputs = {}
        for fmt, out in data["outputs"].items():
            expected = FORMATS[fmt].file_name(record.id)  # KeyError for an unknown format
            if out["file"] != expected or not isinstance(out["size"], int) or not isinstance(out["key"], str):
                raise ValueError(f"bad output {out!r} for {record.id}")
            outputs[fmt] = Output(out["file"], out["key"], out["size"], _assets(out.get("assets", [])))
        hashes = (data["raw"], data["inputs"], data["data"])
        if not all(isinstance(h, str) and _HASH.match(h) for h in hashes) or not isinstance(data["listing"], dict):
            raise ValueError("bad hashes or listing")
        return cls(data["source"], *hashes, record, data["listing"], str(data["updated"]), outputs)


@dataclass
class Manifest:
    entries: dict[str, Entry] = field(default_factory=dict)
    """By source file."""
    site: str | None = None
    """The key of the site files last written."""
    assets: tuple[str, ...] = ()
    """The files of `output/assets/` the build wrote (the external stylesheet), linked or not."""

    @classmethod
    def load(cls, out_dir: Path) -> tuple[Manifest, Problem | None]:
        """The last build's manifest; an empty one on a first build, and with a warning when damaged."""
        path = out_dir / MANIFEST_NAME
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            return cls(), None
        except (OSError, ValueError):
            return cls(), _damaged(path, "it cannot be read")
        try:
            data = json.loads(text)
            if data.get("format") != MANIFEST_FORMAT or data.get("version") != MANIFEST_VERSION:
                return cls(), None  # another version's manifest: rebuild quietly
            entries = {source: Entry.from_dict(item) for source, item in data["advisories"].items()}
            if any(source != e.source for source, e in entries.items()):
                raise ValueError("entry under the wrong source")
            site = data.get("site")
            return cls(entries, site if isinstance(site, str) else None, _assets(data.get("assets", []))), None
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            return cls(), _damaged(path, f"it is damaged ({type(exc).__name__})")

    def dump(self) -> bytes:
        data = {
            "format": MANIFEST_FORMAT,
            "version": MANIFEST_VERSION,
            "site": self.site,
            **({"assets": sorted(self.assets)} if self.assets else {}),
            "advisories": {s: e.to_dict() for s, e in sorted(self.entries.items())},
        }
        # No indent: json's C encoder then does the work, several times faster for 500 advisories.
        return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()


def _output_dict(out: Output) -> dict[str, Any]:
    return {"file": out.file, "key": out.key, "size": out.size, **({"assets": list(out.assets)} if out.assets else {})}


def _assets(names: Any) -> tuple[str, ...]:
    """Asset file names from the (untrusted) manifest: only ever names travelrisk gives its stylesheet."""
    if not isinstance(names, list) or not all(isinstance(n, str) and STYLESHEET_NAME.match(n) for n in names):
        raise ValueError(f"bad assets {names!r}")
    return tuple(names)


def _safe_source(source: str) -> bool:
    path = PurePosixPath(source)
    return bool(source) and not path.is_absolute() and ".." not in path.parts and "\\" not in source


def _damaged(path: Path, why: str) -> Problem:
    return Problem(
        str(path),
        message=f"the build manifest is ignored: {why}",
        hint="every advisory is rebuilt; nothing is lost",
        severity="warning",
    )
