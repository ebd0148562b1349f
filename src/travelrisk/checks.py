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


def validate(ws: Workspace, paths: list[Path] | None = None) -> ValidationReport:
    """Check the named files (or the whole workspace when none are named)."""
    report = ValidationReport()
    advisories: list[Path] = []
    check_rules = check_templates = not paths
    for path in paths or []:
        resolved = path.resolve()
        if _inside(resolved, ws.rules_dir):  # a rule file, or the folder itself
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
    for path in advisories:
        report.checked += 1
        try:
            res = ws.resolve(path)
            ws.renderer.html(res, "page")
            report.warnings += res.warnings
        except TravelriskError as exc:
            report.problems += exc.problems
    return report


def _inside(path: Path, folder: Path) -> bool:
    return path.is_relative_to(folder.resolve())
