"""The words of our templates and code in the reader's language: gettext catalogues (`.po`, kept
under `templates/locale/<lang>/LC_MESSAGES/travelrisk.po`, extracted and updated with Babel; see
docs/languages.md), read without a compile step. English is the source text: it needs no catalogue.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

DOMAIN = "travelrisk"


def N_(text: str) -> str:  # gettext's name for "extract this, translate it later"
    return text


PAGE_OF = N_("Page %(page)s of %(pages)s")
"""The PDF's footer: its words are translated, the numbers are CSS counters (render.css_page_of)."""


def catalogue_path(template_dir: Path, lang: str) -> Path:
    return template_dir / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=32)
def translations(template_dirs: tuple[Path, ...], lang: str) -> gettext.NullTranslations:
    """The catalogue for `lang` from the first template folder that has one; English (or a
    language without one) translates nothing. `validate` reports a missing catalogue."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for folder in template_dirs:
        path = catalogue_path(folder, lang)
        if path.is_file():
            with path.open("rb") as f:
                catalog = read_po(f, locale=lang, domain=DOMAIN)
            buffer = BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            buffer.seek(0)
            return gettext.GNUTranslations(buffer)
    return gettext.NullTranslations()


def has_catalogue(template_dirs: tuple[Path, ...], lang: str) -> bool:
    return any(catalogue_path(d, lang).is_file() for d in template_dirs)
