"""Validation errors with places: pydantic checks a file's shape and types; `validate_document`
turns its errors into problems that point at the line and column of the offending value, in our
words, with a "did you mean" for unknown keys."""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Problem, TravelriskError
from .loading import Document

M = TypeVar("M", bound=BaseModel)


def validate_document(doc: Document, model: type[M], extra: dict[str, Any] | None = None) -> M:
    """Validate a loaded YAML document against `model`, or raise with every problem placed."""
    data = doc.data
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}"
        raise TravelriskError(
            doc.problem((), f"the file is {what}, not a mapping of keys", "start with keys such as 'title: ...'")
        )
    try:
        payload = {**data, **(extra or {})}
        return model.model_validate(payload)
    except ValidationError as exc:
        raise TravelriskError(sorted({_problem(doc, model, err, payload) for err in exc.errors()})) from None


def _data_loc(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Pydantic's `loc` with the names of union branches (`str`, `list[...]`, model names)
    dropped: only the keys and indexes that exist in the data remain, and a last unknown part
    (a missing key) is kept."""
    kept: list[Any] = []
    for i, part in enumerate(loc):
        key = "not" if part == "not_" else part
        present = (
            key in data
            if isinstance(data, dict)
            else (isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data))
        )
        if present:
            kept.append(key)
            data = data[key]
        elif i == len(loc) - 1 and isinstance(data, dict):
            kept.append(key)
    return tuple(kept)


def _problem(doc: Document, model: type[BaseModel], err: Any, data: dict[str, Any]) -> Problem:
    loc = _data_loc(data, tuple(err["loc"]))
    name = ".".join(str(p) for p in loc) or "file"
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(sorted(allowed))}"
        return doc.problem(loc, f"unknown key '{loc[-1]}'", hint)
    if kind == "missing":
        return doc.problem(loc[:-1], f"missing required key '{loc[-1]}'", f"add '{loc[-1]}: ...'")
    message = _our_words(err)
    if kind == "string_pattern_mismatch":
        message = "has characters that are not allowed here"
        hint = "use lower-case letters, digits, '-', '.' or '_'" if "id" in name or "key" in name else ""
        if loc[-1] == "url":  # the schemes the field's pattern allows
            mailto = "mailto" in str((err.get("ctx") or {}).get("pattern", ""))
            hint = "use an http://, https:// or mailto: address" if mailto else "use an http:// or https:// address"
        elif "colour" in name:
            hint = "write the colour as #rrggbb, e.g. #1f5f8b"
        elif loc[-1] == "lang" or str(loc[0]) in ("translations", "security_contact"):
            hint = "use a language code such as en, fr or ar"
        return doc.problem(loc, f"{name} {message}", hint)
    return doc.problem(loc, f"{name}: {message}", _type_hint(kind))


def _our_words(err: Any) -> str:
    """The validator's message in our words: what is wrong with the value, not pydantic's phrasing."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind.startswith(("datetime_", "date_")):
        return "is not a date and time" if kind.startswith("datetime") else "is not a date"
    words = {
        "string_type": "is not text",
        "list_type": "is not a list",
        "dict_type": "is not a set of 'key: value' lines",
        "bool_parsing": "is not yes or no (write true or false)",
        "bool_type": "is not yes or no (write true or false)",
        "int_parsing": "is not a whole number",
        "int_type": "is not a whole number",
        "string_too_long": f"is longer than {ctx.get('max_length', 'allowed'):,} characters"
        if isinstance(ctx.get("max_length"), int)
        else "is too long",
        "string_too_short": "is empty",
        "too_short": "is empty",
        "too_long": f"has more than {ctx.get('max_length')} items" if ctx.get("max_length") else "has too many items",
        "literal_error": f"must be one of {ctx.get('expected', '').replace(chr(39), '')}"
        if ctx.get("expected")
        else "is not one of the allowed values",
    }
    if kind in words:
        return words[kind]
    return str(err["msg"]).removeprefix("Value error, ").replace("Input should be", "should be")


def _type_hint(kind: str) -> str:
    return {
        "string_type": "write it as text",
        "list_type": "write a list, one '- item' per line",
        "dict_type": "write it as 'key: value' lines",
        "datetime_from_date_parsing": "write a date and time with offset, e.g. 2017-07-15T17:12:00+00:00",
        "datetime_parsing": "write a date and time with offset, e.g. 2017-07-15T17:12:00+00:00",
        "datetime_type": "write a date and time with offset, e.g. 2017-07-15T17:12:00+00:00",
        "date_parsing": "write the day as YYYY-MM-DD, e.g. 2017-07-10",
        "date_from_datetime_parsing": "write the day as YYYY-MM-DD, e.g. 2017-07-10",
        "date_type": "write the day as YYYY-MM-DD, e.g. 2017-07-10",
        "string_too_long": "shorten it",
        "string_too_short": "write something here",
        "too_short": "give at least one",
        "literal_error": "",
        "int_parsing": "write a whole number",
    }.get(kind, "")


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model found at `loc` (following nested models and lists)."""
    current: Any = model
    keyed = False  # the last field was a mapping: the next part is one of its keys (translations.fr)
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = getattr(current, "model_fields", {}).get("not_" if part == "not" else part)
        if field is None and keyed:
            keyed = False
            continue
        current = _model_in(field.annotation) if field else None
        keyed = field is not None and "dict[" in str(field.annotation)
    if current is None:
        return []
    return [f.alias or name for name, f in current.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found:
            return found
    return None
