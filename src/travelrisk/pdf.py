"""HTML -> PDF with WeasyPrint, behind a URL fetcher that reaches nothing outside the workspace.

This is the only module that imports WeasyPrint (slow to import), and it does so on first use.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .deadline import RenderTimeout, bounded
from .errors import Problem, TravelriskError

MAX_PAGES = 20
"""Pages one advisory's PDF may have: a real one has one or two."""
PDF_SECONDS = 60.0
"""Wall-clock time for one PDF (a real one takes well under a second)."""


def allowed_path(url: str, roots: list[Path]) -> Path | None:
    """The local file a `file:` URL names, if it lies inside one of `roots`; else None."""
    try:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()  # follows symlinks: a link out of templates/ is refused
        inside = any(path.is_relative_to(root.resolve()) for root in roots)
        return path if inside and path.is_file() else None
    except (ValueError, OSError):  # a NUL byte, an over-long name: refused (and reported), never fetched
        return None


def where_referred(url: str, roots: list[Path]) -> tuple[Path, int, int] | None:
    """The template file, line and column that mention `url` (or its last path segment, for a
    relative reference such as ../../etc/passwd), so a refusal points at what to fix."""
    parts = urlsplit(url)
    needles = [url, *([unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])] if parts.path.strip("/") else [])]
    files = [
        p
        for root in roots
        if root.is_dir()
        for p in sorted(root.rglob("*"))
        if p.suffix in (".j2", ".css", ".html") and p.is_file()
    ]  # the overriding folder first
    for needle in needles:
        for path in files:
            try:
                text = path.read_text("utf-8", errors="replace")
            except OSError:
                continue
            if (at := text.find(needle)) != -1:
                before = text[:at]
                return path, before.count("\n") + 1, at - (before.rfind("\n") + 1) + 1
    return None


@lru_cache(maxsize=1)
def _weasy() -> Any:
    from . import weasy

    weasy.import_weasyprint()
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    weasy.install()

    class FencedFetcher(weasyprint.urls.URLFetcher):
        """Fetches `data:` URIs and files inside the allowed folders; refuses all else."""

        def __init__(self, roots: list[Path]) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=5)
            self.roots = roots
            self.refused: list[str] = []
            self.calls = 0  # weasy.py shares a stylesheet only if parsing it fetched nothing

        def fetch(self, url: str, headers: Any = None) -> Any:
            self.calls += 1
            if url.startswith("data:") or allowed_path(url, self.roots):
                return super().fetch(url, headers)
            self.refused.append(url)
            raise ValueError(f"refused to fetch {url[:200]}: outside the workspace's template folders")

    fonts = FontConfiguration()
    global _frozen
    if not _frozen:  # WeasyPrint's modules and fonts live as long as the process: the collector need
        gc.freeze()  # not walk them in every layout (~1.5% of a build -j 1); forked workers share them
        _frozen = True
    return weasyprint, FencedFetcher, fonts


_frozen = False


def warm() -> None:
    """Import WeasyPrint and make the FontConfiguration now (in a worker, or a server's background
    thread), not when the first PDF is asked for."""
    _weasy()


WARM_UP = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>-</title><style>{style}</style>
</head><body><div class="tr-run tr-run-org"><b>-</b> · -</div><div class="tr-run tr-run-footer">-</div>
<div class="travelrisk-advisory"><article class="tr-advisory"><h1>Aa</h1><p>Aa <b>Bb</b> <i>Cc</i></p>
<svg width="8" height="8" viewBox="0 0 8 8"><path d="M0 0L8 8" stroke="#000"/></svg></article></div></body></html>"""
"""A page that exercises what every advisory's PDF needs the first time: its stylesheet (parsed
once per process, weasy.py), fonts regular, bold and italic, an SVG."""


def warm_up() -> None:
    """Lay out a small page with the stylesheet of the last PDF rendered (weasy.remembered_sheet):
    what a fresh process pays on its first PDF, paid while the parent still writes the HTML. The
    page is thrown away; a stale stylesheet only means a smaller head start."""
    from . import weasy

    sheet = weasy.remembered_sheet() if weasy.enabled() else None
    # A sheet with its own fonts would register them in this process's FontConfiguration, where
    # the real PDF (perhaps of another workspace) could find them: no warm-up with such a sheet
    # (a backslash could spell @font-face in escapes).
    if sheet is None or any(mark in sheet[0].lower() for mark in ("</style", "@font-face", "\\")):
        return
    style, base_url = sheet
    base = _folder_of(base_url)
    if base is not None:
        with contextlib.suppress(Exception):  # a head start only: the real PDF is rendered regardless
            html_to_pdf(WARM_UP.format(style=style), base, [base], "warm-up")


def _folder_of(base_url: str) -> Path | None:
    """The folder a file: base URL names, if it still exists."""
    parts = urlsplit(base_url)
    path = Path(unquote(parts.path))
    return path if parts.scheme == "file" and path.is_dir() else None


def reset() -> None:
    """Forget the loaded WeasyPrint state (a forked worker makes its own)."""
    _weasy.cache_clear()
    from . import weasy

    weasy.forget_stylesheets()


def finish(task: tuple[Any, ...]) -> bytes:
    """The PDF format's last step (formats.py), from the plain task `_pdf_task` made."""
    return html_to_pdf(*task)


def html_to_pdf(
    html: str,
    base_dir: Path,
    roots: list[Path],
    identity: str,
    variant: str | None = None,
    source: str = "<advisory>",
    blame: str = "<advisory>",
    logo_place: tuple[str, int, int] | None = None,
) -> bytes:
    """Render `html` to PDF bytes. `identity` seeds the PDF's file identifier, so the same
    input always gives the same bytes (dates come from the HTML's dcterms meta tags). `blame`
    (the advisory's file) is blamed for a PDF past MAX_PAGES or PDF_SECONDS."""
    weasyprint, fenced_fetcher, fonts = _weasy()
    fetcher = fenced_fetcher([*roots, base_dir])
    document = weasyprint.HTML(string=html, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher)
    attachments: list[str] = []

    def find_attachments(doc: Any, _pdf: Any) -> None:
        # A PDF attachment would carry a file (or a template's source) inside the advisory,
        # hidden from readers: refuse them all. The bytes written so far are then discarded.
        attachments.extend(a.description or "a file named by <link rel=attachment>" for a in doc.metadata.attachments)
        attachments.extend(target for page in doc.pages for kind, target, *_ in page.links if kind == "attachment")

    options = {
        "pdf_identifier": hashlib.sha256(identity.encode()).hexdigest()[:32].encode(),
        "pdf_variant": variant,
        "pdf_tags": True,
        "custom_metadata": True,
    }
    try:
        with bounded(PDF_SECONDS, f"the PDF of {blame}"):  # WeasyPrint lays out in Python: the deadline reaches it
            laid_out = document.render(font_config=fonts, **options)
            if len(laid_out.pages) > MAX_PAGES:
                raise TravelriskError(
                    Problem(
                        blame,
                        message=f"its PDF would have {len(laid_out.pages)} pages (at most {MAX_PAGES})",
                        hint="shorten the event, context and advice",
                    )
                )
            pdf: bytes = laid_out.write_pdf(finisher=find_attachments, **options)
    except RenderTimeout as exc:
        raise TravelriskError(Problem(blame, message=str(exc), hint="shorten the advisory's text")) from None
    problems = []
    for url in dict.fromkeys(fetcher.refused):
        # Not in a template: then it came from inside the embedded logo (an SVG can refer to files).
        where = where_referred(url, roots) or logo_place or (base_dir / "pdf.html.j2", 1, 1)
        path, line, column = where
        problems.append(
            Problem(
                str(path),
                line,
                column,
                f"the PDF of advisory '{source}' refers to {url[:200]}, which may not be fetched",
                "use files inside templates/ or data: URIs",
            )
        )
    for url in dict.fromkeys(attachments):
        path, line, column = (
            where_referred(url, roots) or where_referred("attachment", roots) or (base_dir / "pdf.html.j2", 1, 1)
        )
        problems.append(
            Problem(
                str(path),
                line,
                column,
                f"the PDF of advisory '{source}' would attach {url[:200]}",
                'PDF attachments are not allowed; remove rel="attachment"',
            )
        )
    if problems:
        raise TravelriskError(problems)
    return pdf
