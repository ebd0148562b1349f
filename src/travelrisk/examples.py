"""Rule examples: advisory snippets in rule files, with text their advice must (not) contain.

Like Semgrep's rule fixtures, they let the rule library test itself: `validate` runs them.
"""

from __future__ import annotations

from .errors import Problem, TravelriskError
from .loading import Document
from .model import Advisory
from .rules import RuleLibrary, resolve
from .validation import validate_document

_FILLER = {
    "title": "Rule example",
    "issued": "2017-07-15T17:12:00+00:00",
    "summary": "Example summary.",
    "event": "Example event.",
}


def example_advisory(snippet: dict[str, object]) -> dict[str, object]:
    """A complete advisory from a snippet: the snippet's keys plus neutral filler."""
    return {"id": "rule-example", **_FILLER, **snippet}


def run_examples(lib: RuleLibrary) -> list[Problem]:
    problems: list[Problem] = []
    for item in lib.examples:
        ex = item.example
        where = f"example '{ex.name}'"
        doc = Document(item.path, example_advisory(ex.advisory), {(): (item.line, 5)})
        try:
            advisory = validate_document(doc, Advisory)
            res = resolve(advisory, doc, lib)
        except TravelriskError as exc:
            problems += [Problem(str(item.path), item.line, 5, f"{where}: {p.message}", p.hint) for p in exc.problems]
            continue
        text = "\n".join(p.text for p in res.advice)
        grade = res.recommendation.grade if res.recommendation else None
        if ex.recommendation is not None and grade != ex.recommendation:
            rule = res.recommendation.rule if res.recommendation else "none"
            problems.append(
                Problem(
                    str(item.path),
                    item.line,
                    5,
                    f"{where}: the recommendation is '{grade}', not '{ex.recommendation}'",
                    f"set by: {rule}",
                )
            )
        for wanted in ex.must_contain:
            if wanted not in text:
                problems.append(
                    Problem(
                        str(item.path),
                        item.line,
                        5,
                        f"{where}: the advice does not contain '{wanted}'",
                        f"rules used: {', '.join(p.rule for p in res.advice)}",
                    )
                )
        for unwanted in ex.must_not_contain:
            if unwanted in text:
                rule = next(p.rule for p in res.advice if unwanted in p.text)
                problems.append(
                    Problem(
                        str(item.path),
                        item.line,
                        5,
                        f"{where}: the advice contains '{unwanted}' (from rule '{rule}')",
                        "change the rule or the example",
                    )
                )
    return problems
