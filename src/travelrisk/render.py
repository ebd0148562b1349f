"""Resolution -> text: the standalone page, the embeddable fragment, the PDF's HTML, JSON, text.

Templates run in Jinja's immutable sandbox with autoescaping and strict undefined variables:
advisory text is data, and a template typo is an error that names its file and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from . import __version__, locator, messages, templatecache
from .assets import Stylesheet, stylesheet_link, template_block
from .deadline import RenderTimeout, bounded
from .errors import Problem, TravelriskError
from .rules import Resolution
from .sandbox import TEMPLATE_SECONDS, BoundedEnvironment, check_output
from .state import Related
from .text import join_list
from .views import view

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
            bytecode_cache=templatecache.for_templates(),
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
