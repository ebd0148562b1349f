"""Whether the installed fonts can draw an advisory's text: a character no font covers becomes a
box in the PDF, so it is reported as a warning (with the font package to install) instead.

Fontconfig answers (`fc-list :charset=...`); only characters beyond the Latin, Greek and Cyrillic
that the bundled fonts cover are asked about, once each per process.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

_COVERED = 0x052F
"""Up to the end of Cyrillic Supplement: drawn by the fonts the install script always adds."""
_IGNORED = {0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0xFE0F}
"""Zero-width joiners, direction marks, variation selectors: nothing to draw."""


def uncovered(text: str) -> list[str]:
    """The characters of `text` that no installed font can draw, in order of first use."""
    if shutil.which("fc-list") is None:
        return []  # no fontconfig tool to ask: WeasyPrint will still try its best
    wanted = [c for c in dict.fromkeys(text) if ord(c) > _COVERED and ord(c) not in _IGNORED and not c.isspace()]
    return [c for c in wanted if not _covered(ord(c))]


@lru_cache(maxsize=4096)
def _covered(code: int) -> bool:
    try:
        found = subprocess.run(
            ["fc-list", f":charset={code:x}", "family"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return True  # cannot tell: say nothing rather than warn wrongly
    return bool(found.stdout.strip())
