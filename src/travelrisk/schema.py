"""JSON Schemas for the advisory file and the rule files, so editors complete and check them.

The advisory schema lists the workspace's own severity levels, threats and targets as enums,
so an editor offers exactly the keys `validate` accepts.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from .model import Advisory, CountryFile, GeneralFile, LevelsFile, TargetsFile, ThreatFile
from .rules import RuleLibrary

FILES: dict[str, type[BaseModel]] = {
    "advisory": Advisory,
    "levels": LevelsFile,
    "targets": TargetsFile,
    "threat": ThreatFile,
    "country": CountryFile,
    "general": GeneralFile,
}


def schemas(lib: RuleLibrary | None = None) -> dict[str, dict[str, Any]]:
    """File name -> schema for every kind of file travelrisk reads."""
    out = {}
    for name, model in FILES.items():
        schema = model.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = f"travelrisk {name} file"
        if name == "advisory":
            _advisory(schema, lib)
        out[f"{name}.schema.json"] = schema
    return out


def _advisory(schema: dict[str, Any], lib: RuleLibrary | None) -> None:
    props = schema["properties"]
    schema["required"] = [k for k in schema["required"] if k != "id"]  # defaults to the file name
    props["id"]["description"] = "Defaults to the file name without .yaml."
    props["issued"]["description"] = "ISO 8601 with a UTC offset, e.g. 2017-07-15T17:12:00+00:00."
    props["country"]["description"] = "ISO 3166-1 alpha-2 code (any case) or the English name."
    if lib is not None:
        _enum(props["severity"], list(lib.levels))
        for key, values in (("threat", list(lib.threats)), ("targets", list(lib.targets))):
            for option in _one_or_many_options(props[key]):
                _enum(option.get("items", option), values)


def _one_or_many_options(prop: dict[str, Any]) -> list[dict[str, Any]]:
    """The string and array options of a one-or-many field (optional fields add a null option)."""
    options = [o for o in prop.get("anyOf", []) if "anyOf" in o] or [prop]
    return [o for o in options[0]["anyOf"] if o.get("type") in ("string", "array")]


def _enum(prop: dict[str, Any], values: list[str]) -> None:
    prop.pop("pattern", None)
    prop["enum"] = values


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
