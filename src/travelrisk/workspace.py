"""Find the workspace (advisories, rules, templates, output) and load each part once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from .config import Config, brand, contact_in, load_config
from .errors import Problem, TravelriskError
from .fonts import uncovered
from .lang import advisory_in
from .loading import Document, load_yaml
from .model import Advisory
from .render import Renderer
from .rules import Resolution, RuleLibrary, Settings, resolve
from .state import Publication, Record
from .validation import validate_document


@lru_cache(maxsize=1)
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
    """A folder with `advisories/`, and optionally its own `rules/`, `templates/` and `travelrisk.yaml`.

    A workspace `rules/` folder adds to the built-in library: a file with the same path as a
    built-in one replaces it, and a rule with the same id as a built-in rule overrides it. A
    workspace `templates/` folder overrides the built-in templates file by file.
    """

    root: Path
    overrides: dict[str, Any] = field(default_factory=dict)
    """Command-line flags laid over `travelrisk.yaml`, by dotted key (`fragment.shadow`) -> (value, flag)."""

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
    def rule_dirs(self) -> list[Path]:
        """The built-in library, then the workspace's own `rules/` laid over it."""
        dirs = [builtin_dir() / "rules", self.root / "rules"]
        return list(dict.fromkeys(d.resolve() for d in dirs if d.is_dir()))

    @property
    def template_dirs(self) -> list[Path]:
        """The workspace's own templates first, then the built-in ones."""
        dirs = [self.root / "templates", builtin_dir() / "templates"]
        return list(dict.fromkeys(d.resolve() for d in dirs if d.is_dir()))

    @cached_property
    def library(self) -> RuleLibrary:
        return RuleLibrary.load(self.rule_dirs)

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer(
            self.template_dirs,
            builtin_dir=builtin_dir() / "templates",
            brand=brand(self.root, self.config),
            fragment_style=self.config.fragment.chosen,
            levels=lambda: [{"key": k, "colour": v.colour} for k, v in self.library.levels.items()],
        )

    @cached_property
    def config(self) -> Config:
        """`travelrisk.yaml` (branding, page size, fragment options) with the overrides; defaults when absent."""
        return load_config(self.root, self.overrides)

    def require_advisories(self) -> None:
        """Commands over the whole workspace need its `advisories/`: a mistyped `-w` is an error, never
        an empty site that replaces the published one."""
        if not self.advisories_dir.is_dir():
            raise TravelriskError(
                Problem(
                    str(self.root),
                    message="has no advisories/ folder",
                    hint="check --workspace (or the folder you are in); `travelrisk new` starts a workspace",
                )
            )

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

    def resolve(self, path: Path, lang: str | None = None) -> Resolution:
        """The advisory resolved in `lang` (default: the language it is written in)."""
        loaded = self.load(path)
        lang = lang or loaded.advisory.lang or self.config.lang
        advisory = advisory_in(loaded.advisory, loaded.doc, lang, self.config.lang)
        library = self.library.in_lang(lang)
        res = resolve(advisory, loaded.doc, library, self.settings_in(library))
        a = res.advisory
        text = " ".join([a.title, a.summary, a.event, a.context or "", a.area or "", *a.advice, *res.cities])
        if missing := uncovered(text):  # boxes in the PDF otherwise
            shown = " ".join(f"U+{ord(c):04X}" for c in missing[:5]) + (" ..." if len(missing) > 5 else "")
            res.warnings.append(
                Problem(
                    str(path),
                    message=f"no installed font can draw {len(missing)} character(s) "
                    f"of this advisory ({shown}): the PDF would show boxes",
                    hint="install a font that covers them (Debian's fonts-noto-core, fonts-noto-cjk)",
                    severity="warning",
                )
            )
        return res

    @property
    def settings(self) -> Settings:
        return self.settings_in(self.library)

    def settings_in(self, library: RuleLibrary) -> Settings:
        return Settings(contact=contact_in(self.config, library.lang))

    def source(self, path: Path) -> str:
        """How a file is named in publication records: relative to `advisories/` when inside it."""
        try:
            return path.resolve().relative_to(self.advisories_dir.resolve()).as_posix()
        except ValueError:
            return str(path)

    def publication(
        self, *, include_drafts: bool = False, mentioning: Iterable[str] | None = None, extra: Iterable[Path] = ()
    ) -> Publication:
        """Every advisory's publication state; with `mentioning`, only the files that name one of
        those ids (all that one advisory's links need, without reading a large workspace whole).
        Files that cannot be read join the publication's problems."""
        ids = set(mentioning) if mentioning is not None else None
        records, problems = [], []
        paths = [p for p in self.advisory_paths() if ids is None or _mentions(p, ids)]
        for path in dict.fromkeys([*paths, *extra]):
            try:
                records.append(Record.of(self.load(path).advisory, self.source(path)))
            except TravelriskError as exc:
                problems += exc.problems
        pub = Publication.of(records, include_drafts)
        pub.problems = problems + [replace(p, path=str(self.advisories_dir / p.path)) for p in pub.problems]
        return pub


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


def _mentions(path: Path, ids: set[str]) -> bool:
    try:
        raw = path.read_bytes()
    except OSError:
        return True  # let the loader report it
    return any(i in path.stem or i.encode() in raw for i in ids)
