"""HTML -> PDF with WeasyPrint, behind a URL fetcher that reaches nothing outside the workspace.

This is the only module that imports WeasyPrint (slow to import), and it does so on first use.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import Problem, TravelriskError

PDF_VARIANTS = ("pdf/a-3u", "pdf/ua-1")


def allowed_path(url: str, roots: list[Path]) -> Path | None:
    """The local file a `file:` URL names, if it lies inside one of `roots`; else None."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    return path if any(path.is_relative_to(root.resolve()) for root in roots) and path.is_file() else None


@lru_cache(maxsize=1)
def _weasy() -> Any:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    class FencedFetcher(weasyprint.urls.URLFetcher):
        """Fetches `data:` URIs and files inside the allowed folders; refuses all else."""

        def __init__(self, roots: list[Path]) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=5)
            self.roots = roots
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:") or allowed_path(url, self.roots):
                return super().fetch(url, headers)
            self.refused.append(url)
            raise ValueError(f"refused to fetch {url[:200]}: outside the workspace's template folders")

    return weasyprint, FencedFetcher, FontConfiguration()


def html_to_pdf(html: str, base_dir: Path, roots: list[Path], identity: str,
                variant: str | None = None, source: str = "<advisory>") -> bytes:
    """Render `html` to PDF bytes. `identity` seeds the PDF's file identifier, so the same
    input always gives the same bytes (dates come from the HTML's dcterms meta tags)."""
    weasyprint, fenced_fetcher, fonts = _weasy()
    fetcher = fenced_fetcher([*roots, base_dir])
    document = weasyprint.HTML(string=html, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(
        font_config=fonts,
        pdf_identifier=hashlib.sha256(identity.encode()).hexdigest()[:32].encode(),
        pdf_variant=variant,
        pdf_tags=True,
        custom_metadata=True,
    )
    if fetcher.refused:
        raise TravelriskError([Problem(source, message=f"the page refers to {url[:200]}, which may not be fetched",
                                       hint="use files inside templates/ or data: URIs") for url in fetcher.refused])
    return pdf
