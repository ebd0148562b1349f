"""`validate`: check advisories, the rule library and templates, collecting every problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem, TravelriskError
from .workspace import Workspace


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def validate(ws: Workspace, paths: list[Path] | None = None, strict: bool = False) -> ValidationReport:
    """Check the named files (or the whole workspace when none are named); `strict` makes warnings errors."""
    report = _validate(ws, paths)
    if strict:
        report.problems += [w.as_error() for w in report.warnings]
        report.warnings = []
    return report


def _validate(ws: Workspace, paths: list[Path] | None) -> ValidationReport:
    report = ValidationReport()
    advisories: list[Path] = []
    check_rules = check_templates = not paths
    for path in paths or []:
        resolved = path.resolve()
        if any(_inside(resolved, d) for d in ws.rule_dirs):  # a rule file, or a rules folder
            check_rules = True
        elif any(_inside(resolved, d) for d in ws.template_dirs):
            check_templates = True
        elif resolved.is_dir():
            advisories += sorted(p for p in resolved.rglob("*") if p.suffix in (".yaml", ".yml"))
        else:
            advisories.append(path)
    if not paths:
        advisories = ws.advisory_paths()

    try:
        library = ws.library
        if check_rules:
            report.checked += len(library.files)
            from .examples import run_examples

            report.problems += run_examples(library)
    except TravelriskError as exc:
        report.problems += exc.problems
        return report  # advisories cannot be checked against a broken library
    if check_templates:
        report.problems += ws.renderer.check_templates()
        report.checked += 1
    languages: set[str] = set()
    for path in advisories:
        report.checked += 1
        try:
            loaded = ws.load(path)
            own = loaded.advisory.lang or ws.config.lang
            for lang in dict.fromkeys([own, *loaded.advisory.translations]):
                languages.add(lang)
                res = ws.resolve(path, lang)
                ws.renderer.html(res, "page")
                report.warnings += res.warnings
        except TravelriskError as exc:
            report.problems += exc.problems
    report.problems += _language_gaps(ws, languages)
    if not paths:  # duplicate ids, supersedes cycles and links to nowhere (files already reported are skipped)
        pub = ws.publication(include_drafts=True)
        for problem in pub.problems:
            if any(p.path == problem.path for p in report.problems):
                continue
            (report.warnings if problem.severity == "warning" else report.problems).append(problem)
    return report


def _language_gaps(ws: Workspace, languages: set[str]) -> list[Problem]:
    """Every rule, label and template string without text in a language an advisory asks for."""
    from .lang import SOURCE
    from .messages import catalogue_path, has_catalogue

    problems: list[Problem] = []
    for lang in sorted(languages - {SOURCE}):
        try:
            problems += ws.library.in_lang(lang).untranslated.values()
        except TravelriskError as exc:
            problems += exc.problems
            continue
        if not has_catalogue(tuple(ws.template_dirs), lang):
            problems.append(
                Problem(
                    str(catalogue_path(ws.template_dirs[-1], lang)),
                    message=f"no catalogue of template text for '{lang}'",
                    hint="create it with pybabel (see docs/languages.md)",
                )
            )
    return problems


def _inside(path: Path, folder: Path) -> bool:
    return path.is_relative_to(folder.resolve())
