"""The output formats: one entry each. The CLI's choices, `build`, the site's links, `serve` and the
build manifest all read this table, so adding a format is one entry here, its renderer, its
template and its tests.

A format renders in two steps: `prepare` runs in the calling process (resolve-time data and
templates) and returns bytes, or, for a format with a `finish` step, a picklable task that
`finish` turns into bytes, in a worker process when a build has several (PDFs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import pdf
from .cap import MEDIA_TYPE as CAP_MEDIA_TYPE

if TYPE_CHECKING:
    from .rules import Resolution
    from .state import Related
    from .workspace import Workspace

PDF_VARIANTS = ("pdf/a-3u", "pdf/ua-1")
"""WeasyPrint's archival (PDF/A) and accessible (PDF/UA) variants that `--pdf-variant` offers."""


@dataclass(frozen=True)
class RenderOptions:
    pdf_variant: str | None = None
    attach_pdf: bool = False
    """Email only: attach the PDF (as config `email.attach_pdf` does)."""
    others: tuple[Resolution, ...] = ()
    """The same advisory in further languages: one bilingual (or more) document, each language whole."""


Prepare = Callable[["Workspace", "Resolution", "Related | None", RenderOptions], Any]


@dataclass(frozen=True)
class OutputFormat:
    name: str
    help: str
    file: str
    """The file name inside `output/<id>/`; `{id}` is the advisory's id."""
    media_type: str
    prepare: Prepare
    finish: Callable[[Any], bytes] | None = None
    template: str | None = None
    """The HTML template it renders (its includes are followed for the build key), or None."""
    fetches_assets: bool = False
    """Whether rendering reads files from the template folders (fonts, images): they join its build key."""
    in_build: bool = True
    """Built by `travelrisk build` unless `--format` says otherwise."""
    suffixes: tuple[str, ...] = ()
    """File extensions this format may be written to; the first format to list one is chosen for
    `render -o FILE` without `-f`."""
    label: str = ""
    """The link text on the site's index."""

    def file_name(self, advisory_id: str) -> str:
        return self.file.format(id=advisory_id)

    @property
    def binary(self) -> bool:
        """Not text: never written raw to a terminal."""
        return not (self.media_type.startswith("text/") or self.media_type.endswith(("json", "xml")))

    def render(
        self, ws: Workspace, res: Resolution, related: Related | None = None, options: RenderOptions = RenderOptions()
    ) -> bytes:
        prepared = self.prepare(ws, res, related, options)
        return self.finish(prepared) if self.finish else prepared


def _html(kind: str) -> Prepare:
    def prepare(ws: Workspace, res: Resolution, related: Related | None, options: RenderOptions) -> bytes:
        return ws.renderer.html(res, kind, related, options.others).encode()

    return prepare


def _json(ws: Workspace, res: Resolution, related: Related | None, options: RenderOptions) -> bytes:
    from .views import to_json

    return to_json(res, related, ws.config.base_url, options.others).encode()


def _text(ws: Workspace, res: Resolution, related: Related | None, options: RenderOptions) -> bytes:
    from .plaintext import to_text

    return "\n".join(to_text(r, related) for r in (res, *options.others)).encode()


def _cap(ws: Workspace, res: Resolution, related: Related | None, options: RenderOptions) -> bytes:
    from .cap import alert_xml

    # One `info` per language: those asked for, else every language the advisory is written in.
    others = options.others or tuple(
        ws.resolve(Path(res.path), lang) for lang in res.advisory.translations if lang != res.lang
    )
    return alert_xml(ws, res, related, others)


def _pdf_task(ws: Workspace, res: Resolution, related: Related | None, options: RenderOptions) -> tuple[Any, ...]:
    html = ws.renderer.html(res, "pdf", related, options.others)
    base = ws.template_dirs[0]
    identity = f"{res.advisory.id}\n{html}\n{options.pdf_variant}"
    logo = logo_place(ws.root) if ws.config.logo else None
    variant = str(options.pdf_variant) if options.pdf_variant is not None else None  # plain data for a worker
    return html, base, ws.template_dirs, identity, variant, str(res.advisory.id), str(res.path), logo


def logo_place(root: Path) -> tuple[str, int, int]:
    """Where `travelrisk.yaml` names the logo: what to blame for a fetch from inside an SVG logo."""
    from .config import CONFIG_NAME
    from .loading import load_yaml

    path = root / CONFIG_NAME
    return (str(path), *load_yaml(path).place(("logo",)))


def _email(ws: Workspace, res: Resolution, related: Related | None, options: RenderOptions) -> tuple[Any, ...]:
    from .email_out import prepare

    return prepare(ws, res, related, options)


def _email_finish(task: tuple[Any, ...]) -> bytes:
    from .email_out import finish

    return finish(task)


def _sms(ws: Workspace, res: Resolution, related: Related | None, options: RenderOptions) -> bytes:
    from .sms import to_sms

    return to_sms(res, related, ws.config.base_url).encode()


FORMATS: dict[str, OutputFormat] = {
    f.name: f
    for f in (
        OutputFormat(
            "html",
            "a standalone HTML page",
            "index.html",
            "text/html; charset=utf-8",
            _html("page"),
            template="page.html.j2",
            suffixes=(".html", ".htm"),
            label="Page",
        ),
        OutputFormat(
            "pdf",
            "A4 or Letter PDF (tagged)",
            "{id}.pdf",
            "application/pdf",
            _pdf_task,
            pdf.finish,  # in pdf.py: a worker unpickles it without importing this module's imports
            template="pdf.html.j2",
            fetches_assets=True,
            suffixes=(".pdf",),
            label="PDF",
        ),
        OutputFormat(
            "json",
            "the resolved advisory as JSON",
            "{id}.json",
            "application/json",
            _json,
            suffixes=(".json",),
            label="JSON",
        ),
        OutputFormat(
            "fragment",
            "an HTML fragment to embed in an intranet page",
            "fragment.html",
            "text/html; charset=utf-8",
            _html("fragment"),
            template="fragment.html.j2",
            suffixes=(".html", ".htm"),
            label="Fragment",
        ),
        OutputFormat(
            "text",
            "plain text, for chat and email bodies",
            "{id}.txt",
            "text/plain; charset=utf-8",
            _text,
            in_build=False,
            suffixes=(".txt",),
            label="Text",
        ),
        # Not in a build by default: a message is sent, not published (its To would go on the site).
        OutputFormat(
            "email",
            "an email message (.eml): text and inline-styled HTML, the PDF attached on request",
            "{id}.eml",
            "message/rfc822",
            _email,
            _email_finish,
            template="email.html.j2",
            in_build=False,
            suffixes=(".eml",),
            label="Email",
        ),
        OutputFormat(
            "sms",
            "one SMS or push message (160 GSM-7 characters, or 70 UCS-2)",
            "{id}.sms.txt",
            "text/plain; charset=utf-8",
            _sms,
            in_build=False,
            suffixes=(".txt",),
            label="SMS",
        ),
        OutputFormat(
            "cap",
            "an OASIS CAP 1.2 alert message, for alerting systems and aggregators",
            "{id}.cap.xml",
            CAP_MEDIA_TYPE,
            _cap,
            suffixes=(".xml",),
            label="CAP",
        ),
    )
}
"""Every output format, in the order the site lists their links."""

BUILD_FORMATS = tuple(name for name, f in FORMATS.items() if f.in_build)
"""What `travelrisk build` writes by default."""


def for_suffix(suffix: str) -> OutputFormat | None:
    """The format a file extension stands for: the first in the registry that accepts it (.html is a
    page; a fragment accepts .html too, when -f asks for one)."""
    return next((f for f in FORMATS.values() if suffix.lower() in f.suffixes), None)
