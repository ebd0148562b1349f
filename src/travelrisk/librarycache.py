"""The checked rule library kept between runs (diskcache.py): reading and checking 60-odd YAML
files is most of what a one-advisory `render` does before WeasyPrint can start.

An entry is named by the library folders and the bytes of every file under them (all languages,
built-in and the workspace's own), and by travelrisk's own code (diskcache.code_key), so an edited
rule or a new version never meets an old entry. It is plain data: each model as JSON
(`model_dump`), validated again on the way in (`model_validate`), so a tampered entry cannot
produce a library that the YAML could not; anything unexpected in it and the YAML is read instead.
Only a library that passed every check is stored: a broken one is always read from its files, so
its problems are reported with their places. Compiled rule templates are not stored; they are
compiled when a rule is first used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import diskcache

if TYPE_CHECKING:
    from .library import RuleLibrary

KIND = "library"


def load(roots: list[Path], read: Callable[[], RuleLibrary]) -> RuleLibrary:
    """The library of `roots`: from the cache when an entry matches their content, else `read()`
    (which raises on problems) and stored."""
    inputs = _inputs(roots)
    if inputs is None:
        return read()
    stored = diskcache.load(KIND, inputs)
    if stored is not None:
        try:
            return _thaw(roots, stored)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):  # ValidationError is a ValueError
            pass
    lib = read()
    diskcache.store(KIND, inputs, _freeze(lib))
    return lib


def _inputs(roots: list[Path]) -> list[Any] | None:
    """What an entry depends on besides the code: each folder's path (the library's rules point at
    their files) and the hash of every file under it. None when the cache is off."""
    if diskcache.folder() is None or not roots or not all(r.is_dir() for r in roots):
        return None  # off, or a folder is missing: reading reports it
    digest = hashlib.sha256()
    for root in roots:
        digest.update(b"root\0" + str(root).encode() + b"\0")
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return [[str(r) for r in roots], digest.hexdigest()]


def _dump(model: Any) -> Any:
    # Only the keys the files gave (exclude_unset), so a model read back is the one the YAML made.
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _freeze(lib: RuleLibrary) -> dict[str, Any]:
    return {
        "levels": {k: _dump(v) for k, v in lib.levels.items()},
        "targets": {k: _dump(v) for k, v in lib.targets.items()},
        "threats": {k: _dump(v) for k, v in lib.threats.items()},
        "countries": {k: _dump(v) for k, v in lib.countries.items()},
        "grades": {k: _dump(v) for k, v in lib.grades.items()},
        "kinds": [[name, threat] for name, (threat, _) in lib.kinds.items()],
        "rules": [
            [_dump(r.rule), str(r.path), r.line, int(r.layer), list(r.order), r.threat, r.origin] for r in lib.rules
        ],
        "examples": [[_dump(e.example), str(e.path), e.line] for e in lib.examples],
        "files": [str(p) for p in lib.files],
        "language": _dump(lib.language) if lib.language is not None else None,
    }


def _thaw(roots: list[Path], data: dict[str, Any]) -> RuleLibrary:
    from .lang import LanguageFile
    from .library import Example, Layer, LoadedRule, RuleLibrary
    from .model import CountryProfile, Grade, Level, Rule, RuleExample, TargetCategory, Threat

    lib = RuleLibrary(list(roots))
    lib.levels = {k: Level.model_validate(v) for k, v in data["levels"].items()}
    lib.targets = {k: TargetCategory.model_validate(v) for k, v in data["targets"].items()}
    lib.threats = {k: Threat.model_validate(v) for k, v in data["threats"].items()}
    lib.countries = {k: CountryProfile.model_validate(v) for k, v in data["countries"].items()}
    lib.grades = {k: Grade.model_validate(v) for k, v in data["grades"].items()}
    # The same Kind objects as the threats hold, as when read from the files.
    lib.kinds = {name: (threat, lib.threats[threat].kinds[name]) for name, threat in data["kinds"]}
    lib.rules = [
        LoadedRule(Rule.model_validate(rule), Path(path), int(line), Layer(layer), (group, pos), threat, int(origin))
        for rule, path, line, layer, (group, pos), threat, origin in data["rules"]
    ]
    lib.examples = [Example(RuleExample.model_validate(e), Path(p), int(line)) for e, p, line in data["examples"]]
    lib.files = [Path(p) for p in data["files"]]
    language = data["language"]
    lib.language = LanguageFile.model_validate(language) if language is not None else None
    return lib
