"""Content hashes for the incremental build: what each output depends on, and nothing else.

An advisory's *input* key covers its file's bytes, its neighbours in its update line, the rule
library, the templates, `travelrisk.yaml` with the logo, and the tool's version. An *output*
key per format covers the resolved advisory, the templates that format uses (following
includes) and, for a format that fetches assets, the files it may fetch and WeasyPrint's version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .formats import OutputFormat

if TYPE_CHECKING:
    from .state import Related
    from .workspace import Workspace


def sha(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))  # length-prefixed: ("ab","c") != ("a","bc")
        digest.update(data)
    return digest.hexdigest()


def tree_hash(folders: list[Path], skip: Callable[[Path], bool] = lambda p: False) -> str:
    parts: list[str | bytes] = []
    for i, folder in enumerate(folders):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not skip(path):
                parts += [f"{i}:{path.relative_to(folder).as_posix()}", path.read_bytes()]
    return sha(*parts)


def branding_key(ws: Workspace) -> str:
    """`travelrisk.yaml` as checked, and the logo's bytes: what every page and PDF shows of the organisation."""
    return sha(json.dumps([ws.config.model_dump(mode="json"), ws.renderer.brand], sort_keys=True))


def workspace_key(ws: Workspace) -> str:
    """Everything every advisory's outputs depend on: tool, rules, templates, config and branding."""
    return sha(__version__, tree_hash(ws.rule_dirs), tree_hash(ws.template_dirs), branding_key(ws))


def related_key(related: Related) -> str:
    """An update line changes a page (its links), so the neighbours join the advisory's key."""
    return json.dumps(
        [*(r.to_dict() if r else None for r in (related.update_of, related.superseded_by)), related.state]
    )


class TemplateDeps:
    """Per format: a hash of the templates it uses (following includes) and of the assets it may fetch."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.cache: dict[str, str] = {}

    def key(self, fmt: OutputFormat) -> str:
        if fmt.name not in self.cache:
            self.cache[fmt.name] = self._compute(fmt)
        return self.cache[fmt.name]

    def _compute(self, fmt: OutputFormat) -> str:
        if fmt.template is None:
            return ""  # data formats come from the resolved advisory alone
        import jinja2
        import jinja2.meta

        env = self.ws.renderer.env
        todo, seen, parts = [fmt.template], set(), []
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            try:
                source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
            except jinja2.TemplateNotFound:
                parts.append(f"missing:{name}")
                continue
            parts += [f"{name}:{filename}", source]
            if name.endswith(".j2"):
                refs = list(jinja2.meta.find_referenced_templates(env.parse(source)))
                if None in refs:  # a computed template name: depend on every template
                    return tree_hash(self.ws.template_dirs)
                todo += [r for r in refs if r]
        if fmt.fetches_assets:  # WeasyPrint may fetch any file in the template folders (fonts, images)
            parts.append(tree_hash(self.ws.template_dirs, lambda p: p.suffix == ".j2" or p.parent.name == "site"))
            parts.append(_weasyprint_version())  # a new WeasyPrint lays pages out anew
        return sha(*parts)


def _weasyprint_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # metadata only: WeasyPrint is not imported

    try:
        return version("weasyprint")
    except PackageNotFoundError:  # pragma: no cover - a broken install fails at the first PDF anyway
        return "unknown"
