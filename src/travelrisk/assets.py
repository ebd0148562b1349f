"""The external stylesheet (`fragment: {style: external}`): its name, its address, where it is written.

Hosts whose Content-Security-Policy forbids inline styles (`style-src 'self'`) block `<style>`
elements and `style` attributes alike; their pages and fragments link one stylesheet instead,
written once to `output/assets/`, named by its content so that no cache serves a stale one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import Problem
from .publish import write_if_changed

if TYPE_CHECKING:
    import jinja2

ASSETS = "assets"
"""The folder of `output/` that holds the stylesheet (a reserved id: state.RESERVED_IDS)."""
STYLESHEET_NAME = re.compile(r"^travelrisk-[0-9a-f]{16}\.css$")
"""What the stylesheet is called; the build manifest accepts no other asset name."""


@dataclass(frozen=True)
class Stylesheet:
    data: bytes

    @property
    def name(self) -> str:
        """Named by its content: a changed stylesheet has a new address that no cache has seen."""
        return f"travelrisk-{hashlib.sha256(self.data).hexdigest()[:16]}.css"

    @property
    def path(self) -> str:
        """Relative to the output folder."""
        return f"{ASSETS}/{self.name}"


def stylesheet_link(sheet: Stylesheet, base_url: str | None, prefix: str = "../") -> dict[str, str]:
    """How a page or fragment links the stylesheet: absolute under `base_url`, else relative (`prefix`
    leads from the linking file's folder to the output folder); and the CSP source that allows it."""
    if not base_url:
        return {"href": f"{prefix}{sheet.path}", "source": "'self'"}
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
    return {"href": f"{base_url}{sheet.path}", "source": f"'self' {origin}"}


def stylesheet_beside(output: Path, sheet: Stylesheet) -> Path:
    """Where `render -o FILE` puts the stylesheet its output links: `assets/` beside the file."""
    return output.parent / ASSETS / sheet.name


def write_stylesheet(out_dir: Path, sheet: Stylesheet) -> tuple[list[Path], Problem | None]:
    """Write the stylesheet into `out_dir/assets/` (atomically, only when it changed): the files written,
    or a warning when `assets` is not a folder travelrisk may write into."""
    folder = out_dir / ASSETS
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        return [], Problem(
            str(folder),
            message="is a link or a file, not a folder travelrisk made; the stylesheet was not written",
            hint="remove it, then build again",
            severity="warning",
        )
    return ([folder / sheet.name] if write_if_changed(folder / sheet.name, sheet.data) else []), None


def prune_stylesheets(out_dir: Path, owned: set[str], keep: set[str]) -> None:
    """Remove the stylesheets a build wrote (`owned`, from its manifest) that nothing published links
    any more; never any other file, and never through a link."""
    folder = out_dir / ASSETS
    if folder.is_symlink() or not folder.is_dir():
        return
    for name in owned - keep:
        if STYLESHEET_NAME.match(name):
            (folder / name).unlink(missing_ok=True)
    if not any(folder.iterdir()):
        folder.rmdir()


def template_block(template: jinja2.Template, block: str, values: dict[str, Any]) -> Iterator[str] | None:
    """The output of one block of `template` (None when it has none), with the blocks of every template
    it extends in its context, as `super()` needs: starting a render merges them, and the first piece
    of output is enough for that (it is thrown away)."""
    context = template.new_context(values)
    started = template.root_render_func(context)
    try:
        next(started, None)
    except Exception:  # a fault in the rest of the template is reported when it renders in full
        pass
    finally:
        if isinstance(started, Generator):
            started.close()
    chain = context.blocks.get(block)
    return chain[0](context) if chain else None
