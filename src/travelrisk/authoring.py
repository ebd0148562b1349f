"""Starting advisory files: `travelrisk new` (from scratch) and `travelrisk update` (a follow-up).

Both write a commented YAML file that validates and renders as it stands, as a draft, so that a
half-written advisory never goes out by accident. The text is checked (parsed, validated,
resolved against the rule library and rendered to HTML) before it is written, and an existing
file is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, TravelriskError, did_you_mean
from .loading import load_yaml
from .model import PLACEHOLDER, Advisory
from .publish import write_new
from .rules import resolve
from .validation import validate_document
from .workspace import Workspace

SUMMARY_PLACEHOLDER = f"{PLACEHOLDER} one or two sentences on what happened and what it means for travellers."
EVENT_PLACEHOLDER = (
    f"{PLACEHOLDER} what happened, where and when, and who is affected. Keep to facts, "
    "and name where they come from under `sources`."
)
SLUG_MAX = 60

_COMMENTS = {
    "id": "Unique id: also the folder under output/ and the page's address. Keep it once published.",
    "supersedes": 'The advisory this one updates: the page says "Update to <its title> of <its date>" and '
    "links to it; it links forward to this one once this one is final.",
    "title": 'Headline, shown after the country name ("<Country>: <title>").',
    "country": "ISO 3166-1 alpha-2 code or English name: picks the country profile (cities, background, rules).",
    "issued": "When it was issued: date and time with a UTC offset (the page shows it in UTC).",
    "severity": "How serious it is; sets the colour band and the advice. One of: {levels}.",
    "threat": "One or more threat keys (rules/threats/); they choose the advice. Known: {threats}.",
    "status": "draft: preview only, never published to the intranet site; final: ready to go out; "
    "withdrawn: no longer in force (then add `withdrawn:` with the moment, for its CAP Cancel). "
    "It starts as a draft so that nothing half-written goes "
    "out by accident: set it to final when the text is checked.",
    "valid_until": "Optional: when it stops being in force (a bare date means the end of that day, UTC). "
    "After it, `travelrisk list --expired` shows it.",
    "area": "Optional: the part of the country concerned, shown after the date.",
    "summary": "One or two sentences under the title: what happened and what it means for travellers.",
    "event": "What happened: facts, places, dates, figures. Markdown works: **bold**, lists, [links](https://...).",
    "context": "Optional: background to this event; the country profile adds its own paragraphs.",
    "targets": "Places most at risk (rules/targets.yaml), here the threat's defaults. Delete the key to "
    "follow the defaults as the rule library changes.",
    "cities": "Cities the advice names, here the country profile's. Delete the key to follow the profile.",
    "sources": "Where the facts come from: a title, and optionally publisher, url and date.",
    "official_advisories": "Optional: governments' own travel advice for the country, each with issuer, "
    "level as the issuer words it, the date it was set and the issuer's page (url).",
    "advice": "Optional: advice paragraphs of your own, printed after the advice the rules write.",
    "translations": "Optional: this advisory's own text in other languages (fr, ar), for `render --lang fr` "
    "or `--lang en,fr`: title, summary, event and every other text it has (docs/languages.md).",
}
_EXAMPLES = {  # what an absent optional key looks like, commented out
    "valid_until": "# valid_until: {week}",
    "area": "# area: Northern provinces",
    "context": "# context: |\n#   ...",
    "sources": "# sources:\n#   - title: ...\n#     publisher: ...\n#     url: https://...\n#     date: {today}",
    "official_advisories": "# official_advisories:\n#   - issuer: US Department of State\n"
    "#     level: ... (as the issuer words it)\n#     date: {today}\n#     url: https://...",
    "advice": "# advice:\n#   - ...",
    "translations": "# translations:\n#   fr:\n#     title: ...\n#     summary: ...\n#     event: |\n#       ...",
    "targets": "# targets: [...]",
    "cities": "# cities: [...]",
}
_ORDER = (
    "id",
    "supersedes",
    "title",
    "country",
    "issued",
    "severity",
    "threat",
    "status",
    "valid_until",
    "area",
    "summary",
    "event",
    "context",
    "targets",
    "cities",
    "sources",
    "official_advisories",
    "advice",
    "translations",
)
_OPTIONAL = (
    "valid_until",
    "area",
    "context",
    "targets",
    "cities",
    "sources",
    "official_advisories",
    "advice",
    "translations",
)


# --- checking what the analyst typed -------------------------------------------------------


def check_country(ws: Workspace, value: str) -> str:
    """The ISO code for a code or English name (the rule library's names count), or an error."""
    code = ws.library.country_code(value)
    if code is None:
        raise TravelriskError(
            Problem(
                "--country",
                message=f"unknown country '{value}'",
                hint="write an ISO 3166-1 alpha-2 code such as MA, or the English name",
            )
        )
    return code


def check_threats(ws: Workspace, values: Iterable[str]) -> list[str]:
    """Threat keys from `--threat a --threat b` or `--threat a,b`, each known to the library."""
    keys = list(dict.fromkeys(k.strip() for v in values for k in v.split(",") if k.strip()))
    if not keys:
        raise TravelriskError(Problem("--threat", message="no threat given", hint=_known(ws.library.threats)))
    problems = [
        _unknown_problem("--threat", "threat", k, ws.library.threats) for k in keys if k not in ws.library.threats
    ]
    if problems:
        raise TravelriskError(problems)
    return keys


def check_title(value: str) -> str:
    title = value.strip()
    if not title:
        raise TravelriskError(Problem("--title", message="the title is empty", hint="give a short headline"))
    return title


def check_severity(ws: Workspace, value: str) -> str:
    key = value.strip()
    if key not in ws.library.levels:
        raise TravelriskError(_unknown_problem("--severity", "severity level", key, ws.library.levels))
    return key


def _unknown_problem(flag: str, what: str, key: str, known: Iterable[str]) -> Problem:
    return Problem(flag, message=f"unknown {what} '{key}'", hint=did_you_mean(key, known))


def _known(known: Iterable[str]) -> str:
    return f"known: {', '.join(known)}"


def slug(text: str) -> str:
    """`Strikes in Paris & Lyon` -> `strikes-in-paris-lyon`: ASCII, at most SLUG_MAX characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(words) > SLUG_MAX:  # cut at a word boundary
        words = words[: SLUG_MAX + 1].rsplit("-", 1)[0] if "-" in words[:SLUG_MAX] else words[:SLUG_MAX]
    return words or "advisory"


def _now(now: dt.datetime | None) -> dt.datetime:
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.replace(second=0, microsecond=0)


def _free_id(ws: Workspace, base: str, folder: Path) -> str:
    """`base`, or `base-2`, `base-3`...: an id no advisory uses and no file in `folder` has."""
    taken = set(ws.publication(include_drafts=True).records)
    candidate, n = base, 1
    while candidate in taken or (folder / f"{candidate}.yaml").exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# --- writing -------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # Text of several lines reads best as a literal block; PyYAML quotes it when it cannot be one.
    style = "|" if "\n" in data.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def _dump(key: str, value: Any) -> str:
    if isinstance(value, dt.datetime):  # with its offset, as the analyst would write it
        return f"{key}: {value.isoformat()}\n"
    if isinstance(value, list) and all(isinstance(v, str) and "\n" not in v for v in value):
        flow = yaml.dump(value, Dumper=_Dumper, allow_unicode=True, default_flow_style=True, width=10_000)
        if len(key) + len(flow) < 100:
            return f"{key}: {flow.strip()}\n"  # a short list reads best on one line: threat: [a, b]
    return yaml.dump(
        {key: value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )


def advisory_text(fields: dict[str, Any], header: list[str], ws: Workspace, today: dt.date) -> str:
    """The YAML text of an advisory: every field under a comment that says what it is for."""
    lib = ws.library
    notes = {"levels": ", ".join(lib.levels), "threats": ", ".join(lib.threats)}
    out = [f"# {wrapped}".rstrip() for line in header for wrapped in _wrap(line)]
    for key in _ORDER:
        comment = _COMMENTS[key].format(**notes)
        if key in fields and fields[key] is not None:
            out.append("")
            out += [f"# {line}" for line in _wrap(comment)]
            out.append(_dump(key, fields[key]).rstrip("\n"))
        elif key in _OPTIONAL:
            out.append("")
            out += [f"# {line}" for line in _wrap(comment)]
            out.append(_EXAMPLES[key].format(week=today + dt.timedelta(days=7), today=today))
    return "\n".join(out) + "\n"


def _wrap(text: str, width: int = 96) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, subsequent_indent="  " if text.startswith("  ") else "") or [""]


def check_text(ws: Workspace, path: Path, text: str) -> Advisory:
    """Parse, validate, resolve and render `text` as the file `path` would be: it must work as written."""
    doc = load_yaml(path, text)
    advisory = validate_document(doc, Advisory)
    res = resolve(advisory, doc, ws.library, ws.settings)
    ws.renderer.html(res, "page")
    return advisory


def _target(ws: Workspace, output: Path | None, advisory_id: str) -> Path:
    return output if output is not None else ws.advisories_dir / f"{advisory_id}.yaml"


def _write(ws: Workspace, target: Path, text: str) -> Path:
    if target.exists():
        raise TravelriskError(
            Problem(
                str(target),
                message="already exists; travelrisk never overwrites it",
                hint="choose another file with -o, or move the old one",
            )
        )
    check_text(ws, target, text)
    write_new(target, text)
    return target


# --- the two commands ----------------------------------------------------------------------


def new_advisory(
    ws: Workspace,
    *,
    country: str,
    threats: Iterable[str],
    severity: str,
    title: str,
    summary: str | None = None,
    event: str | None = None,
    output: Path | None = None,
    now: dt.datetime | None = None,
) -> Path:
    """Write a new draft advisory and return its path (advisories/<id>.yaml unless `output`)."""
    problems: list[Problem] = []

    def checked(check: Any, *args: Any) -> Any:
        try:
            return check(*args)
        except TravelriskError as exc:  # go on, to report every bad flag at once
            problems.extend(exc.problems)
            return None

    code = checked(check_country, ws, country)
    keys = checked(check_threats, ws, threats)
    level = checked(check_severity, ws, severity)
    title = checked(check_title, title)
    if problems:
        raise TravelriskError(problems)
    issued = _now(now)
    folder = output.parent if output is not None else ws.advisories_dir
    advisory_id = _free_id(ws, f"{code.lower()}-{issued.date().isoformat()}-{slug(title)}", folder)
    lib = ws.library
    targets = list(dict.fromkeys(t for k in keys for t in lib.threats[k].default_targets))
    profile = lib.countries.get(code)
    fields: dict[str, Any] = {
        "id": advisory_id,
        "title": title,
        "country": code,
        "issued": issued,
        "severity": level,
        "threat": keys,
        "status": "draft",
        "summary": (summary or "").strip() or SUMMARY_PLACEHOLDER,
        "event": (event or "").strip() or EVENT_PLACEHOLDER,
        "targets": targets or None,
        "cities": list(profile.cities) if profile and profile.cities else None,
    }
    header = [
        f"New advisory, started with `travelrisk new` on {issued.date().isoformat()}.",
        f"Replace the text that starts with {PLACEHOLDER}, then check and preview it:",
        "  travelrisk validate <this file>    travelrisk serve    travelrisk render <this file>",
        "It stays a draft (see `status`) until you set `status: final`.",
    ]
    return _write(ws, _target(ws, output, advisory_id), advisory_text(fields, header, ws, issued.date()))


def update_advisory(ws: Workspace, earlier: str, *, output: Path | None = None, now: dt.datetime | None = None) -> Path:
    """Write a draft update of advisory `earlier` (an id, or the path of its file) and return its path."""
    pub = ws.publication(include_drafts=True)
    record = pub.records.get(earlier)
    if record is None and Path(earlier).suffix in (".yaml", ".yml") and Path(earlier).is_file():
        record = pub.records.get(ws.load(Path(earlier)).advisory.id)
    if record is None:
        raise TravelriskError(
            Problem(
                str(ws.advisories_dir),
                message=f"no advisory with id '{earlier}'",
                hint=did_you_mean(earlier, pub.records, "`travelrisk list` shows the ids"),
            )
        )
    path = ws.advisories_dir / record.source
    old = ws.load(path).advisory
    if later := pub.successors(old.id):
        newer = later[0]
        raise TravelriskError(
            Problem(
                str(path),
                message=f"'{old.id}' already has an update: '{newer.id}' "
                f"({newer.status}, {ws.advisories_dir / newer.source})",
                hint=f"edit that one, or run `travelrisk update {newer.id}`",
            )
        )
    data = ws.load(path).doc.data
    issued = _now(now)
    folder = output.parent if output is not None else ws.advisories_dir
    code = ws.library.country_code(old.country) or "xx"
    base = f"{code.lower()}-{issued.date().isoformat()}-{slug(old.title)}"
    advisory_id = _free_id(ws, base, folder)
    fields = {key: data[key] for key in _ORDER if key in data}
    fields.update(id=advisory_id, supersedes=old.id, issued=issued, status="draft")
    if old.valid_until is not None and old.valid_until <= issued:
        fields.pop("valid_until", None)  # copied, it would make the update expired from the start
    header = [
        f"Update to {old.id} ({old.title}), started with `travelrisk update` on {issued.date().isoformat()}.",
        "Its text is copied from the earlier advisory: say what has changed in `summary` and `event`.",
        "The earlier advisory stays in force until this one is final (see `status`).",
    ]
    return _write(ws, _target(ws, output, advisory_id), advisory_text(fields, header, ws, issued.date()))
