"""YAML in: safe loading that keeps the place of every value for error messages.

PyYAML's safe loader builds plain Python data but forgets where each value came from and
silently keeps the last of two duplicate keys. We compose the node tree with the (C, where
available) safe loader and build the data ourselves, so that every mapping key and list item
has a line and column, duplicate keys are errors, and alias bombs are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, TravelriskError, fail

try:  # the C loader is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 1_000_000
"""Advisories and rule files are short; a megabyte is far past any real one."""
MAX_NODES = 100_000
"""Expanded nodes per file: refuses 'billion laughs' alias bombs long before memory suffers."""
MAX_DEPTH = 50
"""Nesting depth: real files nest 6 deep at most; deeper ones would exhaust Python's stack."""
PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
"""Tags that build plain data; anything else (!!binary, !!set, !!python/..., !custom) is refused."""

Loc = tuple[str | int, ...]


@dataclass
class Document:
    """Data from one YAML file, with the place (line, column; 1-based) of each value."""

    path: Path
    data: Any
    places: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def place(self, loc: Loc) -> tuple[int, int]:
        """The place of `loc`, or of its nearest parent that has one."""
        loc = tuple(loc)
        while loc not in self.places and loc:
            loc = loc[:-1]
        return self.places.get(loc, (1, 1))

    def problem(self, loc: Loc, message: str, hint: str = "") -> Problem:
        line, column = self.place(loc)
        return Problem(str(self.path), line, column, message, hint)


def read_text(path: Path) -> str:
    """Read a file as UTF-8 text, refusing huge, binary and non-UTF-8 files with a place."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise fail(path, "is a directory, not a file", "name a .yaml file") from None
    except FileNotFoundError:
        raise fail(path, "no such file", "check the path") from None
    except OSError as exc:
        raise fail(path, f"cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise fail(path, f"is larger than {MAX_FILE_BYTES:,} bytes", "split it or shorten it")
    if b"\x00" in raw:
        line, column = _place_of_byte(raw, raw.index(b"\x00"))
        raise fail(path, "is a binary file (it contains NUL bytes)", "save it as UTF-8 text", line, column)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _place_of_byte(raw, exc.start)
        raise fail(
            path, f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x})", "save the file as UTF-8", line, column
        ) from None


def _place_of_byte(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


def load_yaml(path: Path, text: str | None = None) -> Document:
    """Load one YAML file (or the given text, reported under `path`)."""
    if text is None:
        text = read_text(path)
    try:
        _check_depth(path, text)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "invalid YAML"
        if mark and text[mark.index : mark.index + 1] == "\t":
            what = "a tab character (YAML indents with spaces only)"
        raise fail(path, f"YAML syntax error: {what}", _yaml_hint(what), line, column) from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids: placed by its offset
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise fail(
            path,
            f"contains a character that YAML does not allow (U+{exc.character:04X})",
            "remove it (paste as plain text)",
            line,
            column,
        ) from None
    except yaml.YAMLError as exc:  # anything else PyYAML may raise without a mark, on one line
        raise fail(path, "YAML error: " + " ".join(str(exc).split()), "check the file's characters") from None
    doc = Document(path, None)
    if node is not None:
        doc.data = _Builder(doc).build(node, ())
    return doc


def _check_depth(path: Path, text: str) -> None:
    """Refuse deep nesting before composing: libyaml's composer recurses in C, and a file of
    a few hundred thousand '[' (well under the size limit) overflows the stack (a segfault)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):  # events come from a loop, not recursion
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                raise fail(path, f"is nested more than {MAX_DEPTH} levels deep", "flatten the structure", line, column)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _yaml_hint(what: str) -> str:
    if "tab" in what:
        return "indent with spaces, not tabs"
    if "mapping values" in what:
        return "put text that contains ': ' in quotes"
    if "found character '@'" in what or "'`'" in what:
        return "put the value in quotes"
    return "check the indentation and quoting on this line"


class _Builder:
    """Turns composed nodes into plain data, recording places and refusing bombs."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.constructor = yaml.SafeLoader("")  # only its scalar constructor is used
        self.count = 0
        self.active: set[int] = set()

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._error(
                node, f"has more than {MAX_NODES:,} values (an alias bomb?)", "remove the anchors and aliases (& and *)"
            )
        if len(loc) > MAX_DEPTH:
            raise self._error(node, f"is nested more than {MAX_DEPTH} levels deep", "flatten the structure")
        if node.tag not in PLAIN_TAGS:
            raise self._error(
                node,
                f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed",
                "remove the tag; write plain text, numbers, lists and keys",
            )
        self.doc.places.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.ScalarNode):
            try:
                return self.constructor.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, OverflowError) as exc:
                if node.tag.endswith(":timestamp"):  # quoting a date that does not exist would not help
                    raise self._error(
                        node, f"is not a real date ({exc})", "check the month and day, e.g. 2017-07-15T17:12:00+00:00"
                    ) from None
                raise self._error(node, f"cannot read this value ({exc})", "put it in quotes") from None
        if id(node) in self.active:
            raise self._error(node, "an alias refers to itself", "remove the recursive alias")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
            assert isinstance(node, yaml.MappingNode)  # the only other kind of node
            return self._mapping(node, loc)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self._error(key_node, "merge keys (<<) are not supported", "write the keys out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise self._error(key_node, "a key must be plain text", "use a simple word as the key")
            key = self.build(key_node, (*loc, "<key>"))
            # `null:`, `yes:` or `1:` as a key: keep the words as written, not None/True/1
            key = key if isinstance(key, str) else key_node.value
            if key in result:
                first_line, _ = self.doc.places[(*loc, key)]
                raise self._error(
                    key_node, f"duplicate key '{key}' (first given on line {first_line})", "keep only one of them"
                )
            self.doc.places[(*loc, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, (*loc, key))
        return result

    def _error(self, node: yaml.Node, message: str, hint: str) -> TravelriskError:
        return fail(self.doc.path, message, hint, node.start_mark.line + 1, node.start_mark.column + 1)
