"""`travelrisk explain`: which rules matched, which did not and why, and who wrote each paragraph."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .rules import Resolution, RuleLibrary


def explanation(res: Resolution, lib: RuleLibrary, root: Path | None = None) -> dict[str, Any]:
    """The trace of one resolution as plain data (paths relative to `root` where possible),
    with the failing condition of every rule that did not match."""
    a = res.advisory

    def rel(path: str) -> str:
        if root is None:
            return path
        try:
            return str(Path(path).relative_to(root))
        except ValueError:
            return path

    text_by_rule = {p.rule: p.text for p in res.advice}
    return {
        "advisory": a.id,
        "country": {"code": res.country_code, "name": res.country_name, "profile": res.profile is not None},
        "severity": a.severity,
        "threats": list(a.threat),
        "targets": {"keys": list(res.targets), "from": "advisory" if a.targets is not None else "threat defaults"},
        "cities": {"names": res.cities, "from": res.cities_from},
        "kinds": [{"kind": k, "found": how} for k, how in res.kinds_found.items()],
        "recommendation": {**asdict(res.recommendation)} if res.recommendation else None,
        "impact": res.impact,
        "time_zone": res.time_zone,
        "context": [
            {
                "text": f.text,
                "date": f.date.isoformat() if f.date else None,
                "source": f.source,
                "chosen": f.chosen,
                "why": f.why,
            }
            for f in res.context
        ],
        "advice": [{"rule": p.rule, "text": p.text} for p in res.advice],
        "rules": [
            {
                "rule": t.rule,
                "path": rel(t.path),
                "line": t.line,
                "layer": t.layer,
                "matched": t.matched,
                "reason": t.reason,
                "used": t.used,
                "shadowed_by": t.shadowed_by,
                "text": text_by_rule.get(t.rule) if t.used else None,
            }
            for t in res.trace
        ],
        "warnings": [str(w) for w in res.warnings],
    }


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_text(data: dict[str, Any]) -> str:
    rules = data["rules"]
    used = [r for r in rules if r["used"]]
    shadowed = [r for r in rules if r["matched"] and not r["used"] and r["shadowed_by"]]
    silent = [r for r in rules if r["matched"] and not r["used"] and not r["shadowed_by"]]
    unmatched = [r for r in rules if not r["matched"]]
    country = data["country"]
    lines = [
        f"{data['advisory']}: {country['name']} ({country['code']}), severity {data['severity']}, "
        f"threats {', '.join(data['threats'])}",
        f"targets ({data['targets']['from']}): {', '.join(data['targets']['keys']) or 'none'}",
        f"cities ({data['cities']['from']}): {', '.join(data['cities']['names']) or 'none'}",
        "kinds: " + (", ".join(f"{k['kind']} ({k['found']})" for k in data["kinds"]) or "none found"),
        f"local time: {data['time_zone'] or 'not shown (no single time zone)'}",
    ]
    rec = data["recommendation"]
    if rec:
        origin = "the severity level's default" if rec["rule"] == "level" else f"rule {rec['rule']}"
        lines.append(f"recommendation ({origin}): {rec['label']}: {rec['text']}")
    lines += ["", f"Context, as known on the issue date ({sum(f['chosen'] for f in data['context'])} chosen):"]
    lines += [
        f"  {'+' if f['chosen'] else '-'} {f['date'] or 'undated'}: {_clip(f['text'], 70)} ({f['why']})"
        for f in data["context"]
    ] or ["  no country profile facts"]
    lines += ["", f"Advice, paragraph by paragraph ({len(data['advice'])}):"]
    by_id = {r["rule"]: r for r in rules}
    for i, paragraph in enumerate(data["advice"], 1):
        rule = by_id.get(paragraph["rule"])
        origin = (
            f"rule {rule['rule']} ({rule['layer']} rule, {rule['path']}:{rule['line']})"
            if rule
            else "written in the advisory"
        )
        lines.append(f"  {i}. from {origin}")
        lines.append(f"     {_clip(paragraph['text'])}")
    lines += ["", f"Matched but shadowed ({len(shadowed)}):"]
    lines += [
        f"  {r['rule']} ({r['path']}:{r['line']}): shadowed by {r['shadowed_by']}, a more specific "
        "or higher-priority rule in the same slot"
        for r in shadowed
    ] or ["  none"]
    if silent:  # e.g. the curfew rule of an advisory that gives no curfew hours
        lines += ["", f"Matched but had nothing to say ({len(silent)}):"]
        lines += [f"  {r['rule']} ({r['path']}:{r['line']})" for r in silent]
    lines += ["", f"Did not match ({len(unmatched)}):"]
    lines += [f"  {r['rule']} ({r['path']}:{r['line']}): {r['reason']}" for r in unmatched] or ["  none"]
    if used and data["warnings"]:
        lines += ["", "Warnings:", *(f"  {w}" for w in data["warnings"])]
    return "\n".join(lines) + "\n"


def _clip(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
