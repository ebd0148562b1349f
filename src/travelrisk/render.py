"""Resolution -> text: the standalone page, the embeddable fragment, the PDF's HTML, JSON, text.

Templates run in Jinja's immutable sandbox with autoescaping and strict undefined variables:
advisory text is data, and a template typo is an error that names its file and line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from . import __version__, countries, locator, messages
from .assets import Stylesheet, stylesheet_link, template_block
from .dates import day, local_time, utc_date, utc_display, utc_iso
from .errors import Problem, TravelriskError
from .lang import SOURCE, direction
from .prepublish import full_title
from .rules import Resolution
from .sandbox import TEMPLATE_SECONDS, BoundedEnvironment, RenderTimeout, bounded, check_output
from .state import Record, Related
from .text import join_list

KINDS = ("page", "fragment", "pdf")
"""HTML kinds: each is `templates/<kind>.html.j2`."""
LINKED_KINDS = ("page", "fragment")
"""The kinds that link the external stylesheet when `fragment.style` is `external` (a PDF never does)."""
STYLESHEET_TEMPLATE = "stylesheet.css.j2"

ROOT_CLASS = "travelrisk-advisory"
"""Every style is scoped under this class, so an embedded fragment leaves its host alone."""

_SAFE_SCHEMES = ("http:", "https:", "mailto:")


def _markdown() -> MarkdownIt:
    # CommonMark without raw HTML; links and images only to http(s) and mailto.
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.disable("image")
    md.validateLink = lambda url: url.strip().lower().startswith(_SAFE_SCHEMES)  # type: ignore[method-assign]
    return md


MARKDOWN = _markdown()


def markdown(text: str | None, top: int = 3) -> Markup:
    """Markdown as HTML, its headings shifted so that `#` is `<h{top}>`: below the section's own heading,
    so the page outline and the PDF's bookmarks stay the advisory's."""
    if not text:
        return Markup("")
    tokens = MARKDOWN.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + top - 1)}"
            if token.type == "heading_open":
                token.attrSet("class", "tr-md-heading")
    return Markup(MARKDOWN.renderer.render(tokens, MARKDOWN.options, {}))


def moment(value: datetime, zone: str | None = None, lang: str = SOURCE) -> dict[str, Any]:
    """A moment as templates and JSON see it, in `lang`; with `zone`, also the local time there."""
    _ = gettext_for(lang)
    return {
        "iso": utc_iso(value),
        "display": utc_display(value, lang),
        "date": utc_date(value, lang),
        "local": _("%(time)s local time") % {"time": local_time(value, zone, lang, _("on"))} if zone else None,
        "zone": zone,
    }


def gettext_for(lang: str) -> Callable[[str], str]:
    """The built-in catalogue's gettext for `lang` (English: the text itself)."""
    from .workspace import builtin_dir

    return messages.translations((builtin_dir() / "templates",), lang).gettext


def link(
    record: Record | None, base_url: str | None = None, relative: bool = True, lang: str = SOURCE
) -> dict[str, Any] | None:
    """Another advisory as a page names it: absolute under `base_url` when set; else relative between
    `output/<id>/index.html` pages (the layout of `build` and `serve`), or no link at all where a
    relative one would break (a fragment embedded elsewhere, a PDF sent to someone)."""
    if record is None:
        return None
    path = f"{record.id}/index.html"
    href = f"{base_url}{path}" if base_url else f"../{path}" if relative else None
    return {"id": record.id, "title": record.title, "href": href, "issued": moment(record.issued, lang=lang)}


def view(
    res: Resolution, related: Related | None = None, base_url: str | None = None, relative: bool = True
) -> dict[str, Any]:
    """The plain data every template and the JSON output see (documented in docs/templates.md).

    `related` (from `state.Publication.related`) links an update to the advisory it supersedes
    and back; without it, `update_of` and `superseded_by` are None.
    """
    a = res.advisory
    related = related or Related()
    lang = res.lang
    _ = gettext_for(lang)
    services = res.language.emergency_services if res.language else {}
    return {
        "id": a.id,
        "lang": lang,
        "dir": direction(lang),
        "title": a.title,
        "full_title": full_title(a.title, res.country_name, res.country_code, _("%(country)s: %(title)s")),
        "country": {
            "code": res.country_code,
            "name": res.country_name,
            "in_sentence": res.country_forms[0] or countries.in_sentence(res.country_code, res.country_name),
            "in": res.country_forms[1],
        },
        "issued": moment(a.issued, res.time_zone, lang),
        "severity": {
            "key": a.severity,
            "label": res.level.label,
            "meaning": res.level.meaning,
            "colour": res.level.colour,
            "cap_severity": res.level.cap_severity,
        },
        "threats": [{"key": t.key, "label": t.label, "cap_category": t.cap_category} for t in res.threats],
        "summary": a.summary,
        "recommendation": {
            "grade": res.recommendation.grade,
            "label": res.recommendation.label,
            "text": res.recommendation.text,
        }
        if res.recommendation
        else None,
        "impact": res.impact,
        "kinds": [{"key": k, "label": kind.label, "cap_category": kind.cap_category} for k, kind in res.kinds.items()],
        "changes": a.changes,
        "is_update": a.supersedes is not None,
        "event": a.event,
        "context": a.context,
        "background": list(res.background),
        "advice": [{"text": p.text, "rule": p.rule} for p in res.advice],
        "targets": [{"key": k, "label": t.label, "examples": list(t.examples)} for k, t in res.targets.items()],
        "cities": list(res.cities),
        "map": locator.locator_map(
            res.country_code,
            # English reads "Map of the United Kingdom"; other languages' catalogues place the bare name.
            countries.in_sentence(res.country_code, res.country_name) if lang == SOURCE else res.country_name,
            res.profile.capital if res.profile else None,
            list(res.cities),
            lang,
            res.language.and_ if res.language else "and",
        )
        if res.country_code
        else None,
        "emergency": [
            {"service": services.get(k, k.replace("_", " ").capitalize()), "number": n}
            for k, n in (
                res.profile.emergency.items()
                if res.profile
                else (("general", n) for n in countries.general_emergency(res.country_code))
            )
        ],
        "area": a.area,
        "status": a.status,
        "valid_until": moment(a.valid_until, lang=lang) if a.valid_until else None,
        "certainty": a.certainty,
        "withdrawn": moment(a.withdrawn, lang=lang) if a.withdrawn else None,
        "supersedes": a.supersedes,
        "state": related.state if a.status == "final" else a.status,
        "update_of": link(related.update_of, base_url, relative, lang),
        "superseded_by": link(related.superseded_by, base_url, relative, lang),
        "url": f"{base_url}{a.id}/index.html" if base_url else None,
        "sources": [
            {"title": s.title, "publisher": s.publisher, "url": s.url, "date": s.date.isoformat() if s.date else None}
            for s in a.sources
        ],
        "official_advisories": [
            {"issuer": o.issuer, "level": o.level, "date": o.date.isoformat(), "day": day(o.date, lang), "url": o.url}
            for o in a.official_advisories
        ],
    }


class FencedLoader(jinja2.FileSystemLoader):
    """A file loader that will not follow a symlink out of its template folders, so an
    `{% include %}` reads no more than the PDF fetcher may fetch."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(filename).resolve()
        if not any(real.is_relative_to(Path(root).resolve()) for root in self.searchpath):
            raise TravelriskError(
                Problem(
                    filename,
                    message=f"template '{template}' links to {real}, outside the template folders",
                    hint="copy the file into templates/ instead",
                )
            )
        return source, filename, uptodate


@dataclass
class Renderer:
    """Renders resolutions with the templates found in `template_dirs` (first wins)."""

    template_dirs: list[Path]
    builtin_dir: Path | None = None
    """The built-in templates, also reachable as `builtin/<name>` so an override can extend its original."""
    brand: dict[str, Any] | None = None
    """The workspace config's branding (config.brand); defaults when None."""
    fragment_style: str = "scoped"
    """scoped, inline, shadow or external (config.FragmentOptions)."""
    levels: Callable[[], list[dict[str, str]]] = list
    """The rule library's levels (`key`, `colour`), asked for only by the external stylesheet."""
    asset_prefix: str = "../"
    """Where a page or fragment finds `assets/` without a base URL: from `output/<id>/`, `../`."""

    def __post_init__(self) -> None:
        from .config import Config, brand

        self.brand = self.brand or brand(Path("."), Config())
        loader: jinja2.BaseLoader = FencedLoader([str(d) for d in self.template_dirs])
        if self.builtin_dir is not None:
            builtin = jinja2.PrefixLoader({"builtin": FencedLoader(str(self.builtin_dir))})
            loader = jinja2.ChoiceLoader([loader, builtin])
        self.env = BoundedEnvironment(
            loader=loader,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["markdown"] = markdown
        # Templates rendered without a language (the site's, an email's) speak English.
        self.env.globals.update(
            _=self.speaker("en"), gettexts={}, stylesheet=None, page_of=css_page_of(messages.PAGE_OF)
        )
        self.env.filters["join_and"] = join_list
        self.env.globals.update(
            root_class=ROOT_CLASS,
            tool={"name": "travelrisk", "version": __version__},
            brand=self.brand,
        )

    def template(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            raise _template_error(exc, self.template_dirs) from None
        except jinja2.TemplateNotFound as exc:
            raise TravelriskError(
                Problem(
                    str(self.template_dirs[0] / str(exc.name)),
                    message="template not found",
                    hint="restore it, or remove the override that refers to it",
                )
            ) from None

    def html(
        self, res: Resolution, kind: str = "page", related: Related | None = None, others: tuple[Resolution, ...] = ()
    ) -> str:
        """One advisory as a page, fragment or PDF's HTML; with `others`, the same advisory in further
        languages follows, each language whole (`advisories` in the template; `advisory` is the first)."""
        if kind not in KINDS:
            raise ValueError(f"unknown HTML kind {kind!r}")
        template = self.template(f"{kind}.html.j2")
        base_url = (self.brand or {}).get("base_url")
        relative = kind == "page"  # a fragment or PDF travels alone
        views = [view(r, related, base_url, relative) for r in (res, *others)]
        # `_` speaks the first language; a bilingual template switches with `gettexts[advisory.lang]`.
        gettexts = {r.lang: self.speaker(r.lang) for r in (res, *others)}
        values = {
            "advisory": views[0],
            "advisories": views,
            "kind": kind,
            "_": gettexts[res.lang],
            "gettexts": gettexts,
            "page_of": css_page_of(gettexts[res.lang](messages.PAGE_OF)),
            "shadow": False,
            "fallback": "",
            "stylesheet": None,
        }
        if self.fragment_style == "external" and kind in LINKED_KINDS:
            for v in views:  # no style attributes under a strict policy: the map's become SVG attributes
                if v["map"]:
                    v["map"] = {**v["map"], "svg": locator.presentational(v["map"]["svg"])}
            return self.render(template, **{**values, "stylesheet": self.stylesheet_link()})
        if kind != "fragment" or self.fragment_style == "scoped":
            return self.render(template, **values)
        from .inline import inline_styles

        inlined = inline_styles(self.render(template, **values))
        if self.fragment_style == "inline":
            return inlined
        return self.render(template, **{**values, "shadow": True, "fallback": Markup(inlined)})

    def speaker(self, lang: str) -> Callable[..., Markup]:
        """Template text in `lang`: `_("Update to %(title)s", title=...)`. The catalogue's text is
        escaped and its values too, unless they are markup already (a link)."""
        catalogue = messages.translations(tuple(self.template_dirs), lang)

        def _(text: str, **values: Any) -> Markup:
            found = Markup.escape(catalogue.gettext(text))
            return found % values if values else found

        return _

    @cached_property
    def stylesheet(self) -> Stylesheet:
        """The external stylesheet: the advisory's CSS, a class per severity level, the page's CSS and
        the page's and fragment's `extra_css` blocks (stylesheet.css.j2)."""
        extra = [self._block(f"{kind}.html.j2", "extra_css") for kind in LINKED_KINDS]
        css = self.render(
            self.template(STYLESHEET_TEMPLATE),
            levels=self.levels(),
            extra_css=Markup("\n".join(dict.fromkeys(e for e in extra if e.strip()))),
        )
        return Stylesheet(css.encode())

    def stylesheet_link(self) -> dict[str, str]:
        return stylesheet_link(self.stylesheet, (self.brand or {}).get("base_url"), self.asset_prefix)

    def _block(self, name: str, block: str) -> str:
        """One block of a template on its own (an override's `extra_css`, `super()` included), or ""."""
        template = self.template(name)
        body = template_block(template, block, {"kind": name.split(".")[0], "stylesheet": None})
        try:
            with bounded(TEMPLATE_SECONDS, f"template {template.name}"):
                return "".join(body) if body else ""
        except Exception as exc:  # the template's fault, at its place
            raise _template_error(exc, self.template_dirs) from None

    def render(self, template: jinja2.Template, **values: Any) -> str:
        """Render within the sandbox's bounds; any failure is the template's, reported at its place."""
        try:
            with bounded(TEMPLATE_SECONDS, f"template {template.name}"):
                html = template.render(**values)
            return check_output(html, f"template {template.name}")
        except TravelriskError:
            raise  # already placed (e.g. an include that links out of the template folders)
        except Exception as exc:  # also `{{ 1/0 }}`, a recursive macro, a huge range: the template's fault
            if _runtime_place(exc)[1] or isinstance(exc, jinja2.TemplateSyntaxError):
                raise _template_error(exc, self.template_dirs) from None
            if isinstance(exc, jinja2.TemplateError | RenderTimeout | RecursionError | MemoryError):
                raise TravelriskError(
                    Problem(
                        template.filename or str(template.name),
                        1,
                        1,
                        f"template error: {getattr(exc, 'message', None) or exc}",
                        "templates must stay within the limits in docs/security.md",
                    )
                ) from None
            raise

    def check_templates(self) -> list[Problem]:
        """Compile every template, collecting syntax errors (for `validate`)."""
        problems = []
        for name in self.env.list_templates(filter_func=lambda n: n.endswith(".j2")):
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                problems.append(_template_problem(exc, self.template_dirs))
        return problems


def to_json(
    res: Resolution, related: Related | None = None, base_url: str | None = None, others: tuple[Resolution, ...] = ()
) -> str:
    data = {"format": "travelrisk-advisory", "version": 1, **view(res, related, base_url)}
    if others:  # the same advisory in further languages, each whole
        data["translations"] = {r.lang: view(r, related, base_url) for r in others}
    if data["map"]:  # the places drawn, not the drawing
        data["map"] = {"label": data["map"]["label"], "places": [vars(p) for p in data["map"]["places"]]}
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def to_text(res: Resolution, related: Related | None = None) -> str:
    """Plain text, for email bodies and chat: the reference alert's order of parts."""
    v = view(res, related)
    _ = gettext_for(res.lang)
    q = _("\u201c%(title)s\u201d")
    marks = {
        "draft": [_("DRAFT: NOT FOR DISTRIBUTION")],
        "withdrawn": [_("WITHDRAWN: NO LONGER IN FORCE")],
        "expired": [_("EXPIRED ON %(date)s: NO LONGER IN FORCE") % {"date": v["valid_until"]["display"].upper()}]
        if v["valid_until"]
        else [],
        "superseded": [
            _("SUPERSEDED BY %(title)s OF %(date)s")
            % {
                "title": q % {"title": v["superseded_by"]["title"]},
                "date": v["superseded_by"]["issued"]["date"].upper(),
            }
        ]
        if v["superseded_by"]
        else [],
    }
    dateline = v["issued"]["display"] + (f" ({v['issued']['local']})" if v["issued"].get("local") else "")
    parts = [*marks.get(v["state"], []), dateline + (f" | {v['area']}" if v["area"] else "")]
    if v["is_update"]:
        earlier = v["update_of"]
        parts.append(
            _("Update to %(title)s of %(date)s")
            % {"title": q % {"title": earlier["title"]}, "date": earlier["issued"]["date"]}
            if earlier
            else _("Update")
        )
    parts.append(v["full_title"])
    if v["changes"]:
        parts.append(_("What has changed: %(changes)s") % {"changes": plain(v["changes"])})
    parts += [plain(v["summary"]), v["severity"]["label"]]
    if v["recommendation"]:
        parts.append(_("%(label)s: %(text)s") % v["recommendation"])
    if v["official_advisories"]:
        title = _("Government travel advice")
        parts.append("\n".join([title, *(official_line(o) for o in v["official_advisories"])]))
    if v["impact"]:
        parts.append(v["impact"])
    parts += [_("Event"), plain(v["event"])]
    if v["context"] or v["background"]:
        parts += [_("Context"), *v["background"], *([plain(v["context"])] if v["context"] else [])]
    parts += [_("Advice"), *(plain(p["text"]) for p in v["advice"])]
    if v["emergency"]:
        numbers = ", ".join(f"{e['service']} {e['number']}" for e in v["emergency"])
        parts.append(
            _("Emergency numbers %(in_country)s: %(numbers)s") % {"in_country": v["country"]["in"], "numbers": numbers}
        )
    if v["valid_until"]:
        parts.append(_("Valid until %(date)s") % {"date": v["valid_until"]["display"]})
    if v["sources"]:
        cited = [
            ", ".join(str(x) for x in (s["title"], s["publisher"], s["date"], s["url"]) if x) for s in v["sources"]
        ]
        parts.append("\n".join([_("Sources"), *(f"- {c}" for c in cited)]))
    return "\n\n".join(parts) + "\n"


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def plain(text: str) -> str:
    """Markdown as plain text for email bodies and chat: paragraphs on one line each (the file's
    line breaks are not the reader's), list items on their own lines, no emphasis marks, links as
    'text (address)'."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        joined = "\n".join(lines) if any(_LIST_ITEM.match(line) for line in lines) else " ".join(lines)
        joined = re.sub(r"\[([^\]]+)\]\((\S+?)\)", r"\1 (\2)", joined)
        out.append(re.sub(r"(\*\*|__)(.+?)\1", r"\2", joined))
    return "\n\n".join(out)


def official_line(o: dict[str, Any]) -> str:
    """`US Department of State: Level 3, Reconsider travel (10 Jul 2017)`, with its address in plain text."""
    return f"{o['issuer']}: {o['level']} ({o['day']})" + (f" <{o['url']}>" if o["url"] else "")


def css_page_of(text: str) -> Markup:
    """'Page %(page)s of %(pages)s' in the reader's language as a CSS `content` value for the PDF's
    footer: `"Page " counter(page) " of " counter(pages)`."""
    counters = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}
    parts = re.split(r"(%\(pages?\)s)", str(Markup(text).unescape()))
    css = [counters.get(p) or '"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts if p]
    return Markup(" ".join(css))


def _template_problem(exc: jinja2.TemplateError, dirs: list[Path]) -> Problem:
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or "template"
    line = getattr(exc, "lineno", None) or 1
    message = getattr(exc, "message", None) or str(exc)
    hint = (
        "check the {{ }} and {% %} tags"
        if isinstance(exc, jinja2.TemplateSyntaxError)
        else "templates may use only the documented variables (docs/templates.md)"
    )
    return Problem(str(name), line, 1, f"template error: {message}", hint)


def _template_error(exc: Exception, dirs: list[Path]) -> TravelriskError:
    if not isinstance(exc, jinja2.TemplateSyntaxError):
        # Runtime errors carry no line; find the template frame in the traceback.
        line, name = _runtime_place(exc)
        if name:
            return TravelriskError(
                Problem(
                    name,
                    line,
                    1,
                    f"template error: {getattr(exc, 'message', None) or exc}",
                    "templates may use only the documented variables (docs/templates.md)",
                )
            )
    return TravelriskError(
        _template_problem(exc, dirs)
        if isinstance(exc, jinja2.TemplateError)
        else Problem(str(dirs[0]), message=f"template error: {exc}")
    )


def _runtime_place(exc: BaseException) -> tuple[int, str | None]:
    tb = exc.__traceback__
    place: tuple[int, str | None] = (1, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            place = (tb.tb_lineno, filename)
        tb = tb.tb_next
    return place
