"""Find the workspace (advisories, rules, templates, output) and load each part once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config, brand, load_config
from .errors import Problem, TravelriskError
from .loading import Document, load_yaml
from .model import Advisory, validate_document
from .render import Renderer
from .rules import Resolution, RuleLibrary, resolve

if TYPE_CHECKING:
    from .lifecycle import Lifecycle


def builtin_dir() -> Path:
    """Rules and templates shipped with travelrisk: inside the wheel, or the source checkout."""
    packaged = Path(__file__).parent / "_builtin"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2]


@dataclass
class LoadedAdvisory:
    path: Path
    doc: Document
    advisory: Advisory


@dataclass
class Workspace:
    """A folder with `advisories/`, and optionally its own `rules/` and `templates/`.

    A workspace `rules/` folder replaces the built-in library as a whole (rules refer to each
    other, so mixing two libraries would be a trap); a workspace `templates/` folder overrides
    the built-in templates file by file.
    """

    root: Path

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self._parsed: dict[tuple[Path, int, int], LoadedAdvisory] = {}

    @property
    def advisories_dir(self) -> Path:
        return self.root / "advisories"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def rules_dir(self) -> Path:
        own = self.root / "rules"
        return own if own.is_dir() else builtin_dir() / "rules"

    @property
    def template_dirs(self) -> list[Path]:
        dirs = [self.root / "templates", builtin_dir() / "templates"]
        return list(dict.fromkeys(d.resolve() for d in dirs if d.is_dir()))

    @cached_property
    def library(self) -> RuleLibrary:
        return RuleLibrary.load(self.rules_dir)

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer(
            self.template_dirs,
            related=lambda advisory: self.lifecycle.related(advisory),
            builtin_dir=builtin_dir() / "templates",
            brand=brand(self.root, self.config),
            shadow=self.config.fragment.shadow,
        )

    @cached_property
    def config(self) -> Config:
        """`travelrisk.yaml` (branding, page size, fragment options); defaults when absent."""
        return load_config(self.root)

    @cached_property
    def lifecycle(self) -> Lifecycle:
        """Every advisory's place in its update chain, read once (on first use) for this workspace."""
        from .lifecycle import Lifecycle

        return Lifecycle.load(self)

    def focus_on(self, advisory: Advisory) -> None:
        """Prepare to render just this advisory: its update links then come from the few files
        that name it, not from reading every advisory of a large workspace."""
        if "lifecycle" not in self.__dict__:
            from .lifecycle import Lifecycle

            ids = {advisory.id, *([advisory.supersedes] if advisory.supersedes else [])}
            self.__dict__["lifecycle"] = Lifecycle.load(self, mentioning=ids)

    def advisory_paths(self) -> list[Path]:
        if not self.advisories_dir.is_dir():
            return []
        return sorted(p for p in self.advisories_dir.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())

    def load(self, path: Path) -> LoadedAdvisory:
        """Read one advisory, once per version of the file: resolving it and placing it in its
        update chain (which reads every advisory) share the parse."""
        try:
            stat = path.stat()
            key = (path.resolve(), stat.st_mtime_ns, stat.st_size)
        except OSError:
            return load_advisory(path)  # reports the missing or unreadable file with its path
        if (cached := self._parsed.get(key)) is None:
            cached = self._parsed[key] = load_advisory(path)
        return cached

    def resolve(self, path: Path) -> Resolution:
        loaded = self.load(path)
        return resolve(loaded.advisory, loaded.doc, self.library)


def load_advisory(path: Path) -> LoadedAdvisory:
    """Read and check one advisory file; its id defaults to the file name."""
    doc = load_yaml(path)
    extra = {}
    if isinstance(doc.data, dict) and "id" not in doc.data:
        extra["id"] = path.stem
    try:
        advisory = validate_document(doc, Advisory, extra)
    except TravelriskError as exc:
        if "id" in extra:  # say that the id came from the file name, and how to choose one
            exc.problems = [
                Problem(
                    p.path,
                    p.line,
                    p.column,
                    p.message.replace("id has", "the id taken from the file name has"),
                    "rename the file or add 'id: ...'",
                )
                if p.message.startswith("id ")
                else p
                for p in exc.problems
            ]
        raise
    return LoadedAdvisory(path, doc, advisory)
