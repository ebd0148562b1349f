"""WeasyPrint, loaded and driven without repeating work, for the same bytes out (issue 15).

Four places where WeasyPrint repeats work it cannot know is repeated, because it sees one document
at a time; travelrisk renders many alike:

1. **Finding native libraries.** WeasyPrint tries several spellings of each library (Windows,
   macOS, Linux); each spelling that does not load makes cffi ask `ctypes.util.find_library`,
   which runs ldconfig, gcc and ld: about a third of WeasyPrint's import. The spellings that
   failed are remembered between runs (diskcache), keyed by everything that decides what the
   dynamic loader finds (WeasyPrint's and cffi's files, LD_LIBRARY_PATH, /etc/ld.so.cache), and
   next time fail at once. The libraries loaded are the same.
2. **Stylesheets parsed once per process.** Every advisory carries the same `<style>`; WeasyPrint
   parses it again for each document (a seventh of a PDF's time). A sheet is kept, per text, base
   URL, medium and FontConfiguration, when parsing it fetched nothing and declared nothing beyond
   its rules (no counter styles, colour profiles or layers); its page rules are handed to each
   document as parsing would.
3. **The PDF identifier's hash.** With a file identifier, pydyf serialises (and compresses) every
   object twice: once to write it, once to hash all for /ID. The second time reads the first.
4. **Compressing the same stream again.** Advisories about one country carry the same locator map,
   and pydyf compresses its ~30 KB drawing for each PDF (zlib at level 9). The last few large
   streams compressed are kept with their compressed bytes, in this process only; the same input,
   compressed the same way, gives the same bytes.

Each is checked against the code it was written for and stands down otherwise, and
`tests/test_weasy.py` renders PDFs with and without them and compares the bytes.
`TRAVELRISK_PLAIN_WEASYPRINT=1` turns them all off.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import diskcache

PLAIN = "TRAVELRISK_PLAIN_WEASYPRINT"


def enabled() -> bool:
    return os.environ.get(PLAIN, "") in ("", "0")


def import_weasyprint() -> Any:
    """`import weasyprint`, with the native-library search answered from the last run's. Should
    the remembered answer not do (a library moved without the loader's cache changing, a doctored
    entry), the import is done again as WeasyPrint does it, and the entry forgotten."""
    if "weasyprint" not in sys.modules and enabled():
        inputs = _library_inputs()
        known = diskcache.load("native-libraries", inputs, code=False) if inputs else None
        skip = frozenset(known) if isinstance(known, list) and all(isinstance(n, str) for n in known) else frozenset()
        failed: set[str] = set()
        # WeasyPrint prints a "could not import" notice to stdout before it gives up on a library,
        # which would land in a PDF written to stdout: kept back here, the plain import below tells.
        quiet = io.StringIO() if threading.current_thread() is threading.main_thread() else None
        try:
            with _skipping(skip, failed), contextlib.redirect_stdout(quiet) if quiet else contextlib.nullcontext():
                import weasyprint
        except (ImportError, OSError):
            for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
                del sys.modules[name]
            if inputs:
                diskcache.store("native-libraries", inputs, [], code=False)
        else:
            if inputs and not failed <= skip:
                diskcache.store("native-libraries", inputs, sorted(skip | failed), code=False)
    import weasyprint

    return weasyprint


def install() -> None:
    """Turn on the stylesheet and identifier shortcuts (once WeasyPrint is imported)."""
    if enabled():
        _share_stylesheets()
        _memo_pdf_data()
        _memo_compression()


# 1. Native libraries ------------------------------------------------------------------------


def _library_inputs() -> list[Any] | None:
    """What decides which spellings load: None when it cannot be told (then nothing is skipped)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("weasyprint")
        cffi_spec = importlib.util.find_spec("cffi")
        if spec is None or spec.origin is None or cffi_spec is None or cffi_spec.origin is None:
            return None
        files = [Path(spec.origin).parent / "text" / "ffi.py", Path(cffi_spec.origin).parent / "api.py"]
        files.append(Path("/etc/ld.so.cache"))
        stats = [[str(f), *((s.st_size, s.st_mtime_ns) if (s := _stat(f)) else ())] for f in files]
    except (ImportError, ValueError, OSError):
        return None
    env = {k: os.environ.get(k, "") for k in ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "WEASYPRINT_DLL_DIRECTORIES")}
    return [sys.platform, sys.version, stats, env]


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


@contextmanager
def _skipping(skip: frozenset[str], failed: set[str]) -> Iterator[None]:
    """cffi's dlopen, failing at once for the names in `skip` and noting in `failed` those that fail."""
    import cffi

    original = cffi.FFI.dlopen

    def dlopen(self: Any, name: Any, flags: int = 0) -> Any:
        if isinstance(name, str) and name in skip:
            raise OSError(f"cannot load library {name!r} (it did not load last time)")
        try:
            return original(self, name, flags)
        except OSError:
            if isinstance(name, str):
                failed.add(name)
            raise

    cffi.FFI.dlopen = dlopen
    try:
        yield
    finally:
        cffi.FFI.dlopen = original


# 2. Stylesheets -----------------------------------------------------------------------------

_sheets: dict[tuple[str, str | None, str, int], tuple[Any, Any]] = {}
"""(text, base URL, medium, id of the FontConfiguration) -> (that FontConfiguration, parsed CSS).
The FontConfiguration is held so its id cannot be reused by another."""
_unshared: set[tuple[str, str | None, str, int]] = set()
_MAX_SHEETS = 16


def forget_stylesheets() -> None:
    """Drop the kept sheets (a forked worker makes its own FontConfiguration)."""
    _sheets.clear()
    _unshared.clear()


def _share_stylesheets() -> None:
    import weasyprint
    import weasyprint.css as css_module

    original: Any = weasyprint.CSS
    if css_module.CSS is not original or not _expected("weasyprint", weasyprint.__version__):
        return

    def sheet(*args: Any, **kw: Any) -> Any:
        text: Any = kw.get("string")
        fetcher: Any = kw.get("url_fetcher")
        fonts: Any = kw.get("font_config")
        accumulators = [kw.get(k) for k in ("page_rules", "counter_style", "color_profiles", "layers")]
        shareable = (
            not args
            and isinstance(text, str)
            and set(kw) <= _STYLE_KEYWORDS
            and fonts is not None
            and hasattr(fetcher, "calls")
            and all(a is not None for a in accumulators)
        )
        if not shareable:
            return original(*args, **kw)
        key = (text, kw.get("base_url"), kw.get("media_type", "print"), id(fonts))
        kept = _sheets.get(key)
        if kept is None and key not in _unshared:
            calls = fetcher.calls
            private: dict[str, Any] = {"page_rules": [], "counter_style": {}, "color_profiles": {}, "layers": []}
            parsed = original(**{**kw, **private})
            own = private["counter_style"] or private["color_profiles"] or private["layers"]
            if fetcher.calls != calls or own or len(_sheets) >= _MAX_SHEETS:
                _unshared.add(key)  # fetched or declared more than rules: parse it as WeasyPrint does
            else:
                kept = _sheets[key] = (fonts, parsed)
                _remember_sheet(text, kw.get("base_url"))
        if kept is None:
            return original(*args, **kw)
        parsed = kept[1]
        kw["page_rules"].extend(parsed.page_rules)
        return parsed

    css_module.CSS = sheet


_last_sheet: list[tuple[str, str] | None] = []
"""The remembered sheet once read in this process (read at most once: a worker warms up with it,
then compares it with the sheet it parses)."""


def remembered_sheet() -> tuple[str, str] | None:
    """The last stylesheet (text, base URL) a PDF was rendered with, from an earlier run: a new
    `render` worker lays out a small page with it while it waits for the HTML (pdf.warm_up)."""
    if not _last_sheet:
        stored = diskcache.load("last-stylesheet", [], code=False)
        if isinstance(stored, list) and len(stored) == 2 and all(isinstance(v, str) for v in stored):
            _last_sheet.append((stored[0], stored[1]))
        else:
            _last_sheet.append(None)
    return _last_sheet[0]


def _remember_sheet(text: str, base_url: str | None) -> None:
    if base_url and remembered_sheet() != (text, base_url):
        diskcache.store("last-stylesheet", [], [text, base_url], code=False)
        _last_sheet[:] = [(text, base_url)]


_STYLE_KEYWORDS = frozenset(
    {
        *("string", "base_url", "url_fetcher", "media_type", "font_config"),
        *("counter_style", "page_rules", "color_profiles", "layers"),
    }
)
"""The keywords `find_stylesheets` passes for a `<style>` element: any other call is left alone."""


# 3. The identifier's hash -------------------------------------------------------------------

_writing = threading.local()


def _memo_pdf_data() -> None:
    import pydyf

    if getattr(pydyf.PDF.write, "_travelrisk", False) or not _expected("pydyf", pydyf.__version__):
        return
    for cls in (pydyf.Object, pydyf.Dictionary, pydyf.Stream, pydyf.String, pydyf.Array):
        prop = cls.__dict__.get("data")
        if not isinstance(prop, property) or prop.fget is None:
            return
    for cls in (pydyf.Object, pydyf.Dictionary, pydyf.Stream, pydyf.String, pydyf.Array):
        cls.data = property(_remembering(cls.__dict__["data"].fget))
    write = pydyf.PDF.write

    def remembering_write(self: Any, *args: Any, **kw: Any) -> Any:
        _writing.memo = {}
        try:
            return write(self, *args, **kw)
        finally:
            _writing.memo = None

    setattr(remembering_write, "_travelrisk", True)  # noqa: B010 - a mark on a function
    pydyf.PDF.write = remembering_write


def _remembering(serialise: Callable[[Any], bytes]) -> Callable[[Any], bytes]:
    def data(obj: Any) -> bytes:
        memo = getattr(_writing, "memo", None)
        if memo is None:
            return serialise(obj)
        found = memo.get(id(obj))
        if found is None:
            found = memo[id(obj)] = (obj, serialise(obj))  # holds obj: its id cannot be reused meanwhile
        return found[1]

    return data


def _memo_compression() -> None:
    import zlib

    import pydyf

    if isinstance(pydyf.zlib, _RememberingZlib) or pydyf.zlib is not zlib or not _expected("pydyf", pydyf.__version__):
        return
    pydyf.zlib = _RememberingZlib()


class _RememberingZlib:
    """What pydyf uses of `zlib`: `compress` as is; `compressobj(level).compress(data)` then
    `.flush()` (how pydyf compresses a stream) answered from the last large inputs when seen."""

    KEEP_BYTES = 2 << 20  # some sixty maps; memory stays flat however many PDFs a build makes
    SMALLEST = 4096

    def __init__(self) -> None:
        import zlib
        from collections import OrderedDict

        self.compress = zlib.compress
        self.known: OrderedDict[tuple[int, bytes], bytes] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()  # `serve` renders in threads

    def compressobj(self, level: int = -1) -> _Compressor:
        return _Compressor(self, level)

    def deflate(self, level: int, data: bytes) -> bytes:
        import zlib

        if len(data) < self.SMALLEST:
            compressor = zlib.compressobj(level=level)
            return compressor.compress(data) + compressor.flush()
        key = (level, data)
        with self.lock:
            found = self.known.get(key)
            if found is not None:
                self.known.move_to_end(key)
                return found
        compressor = zlib.compressobj(level=level)
        found = compressor.compress(data) + compressor.flush()
        with self.lock:
            if key not in self.known:
                self.known[key] = found
                self.size += len(data) + len(found)
            while self.size > self.KEEP_BYTES and self.known:
                (_, old), out = self.known.popitem(last=False)
                self.size -= len(old) + len(out)
        return found


class _Compressor:
    """One stream: pydyf hands it all at once, then flushes."""

    def __init__(self, owner: _RememberingZlib, level: int) -> None:
        self.owner, self.level, self.data = owner, level, b""

    def compress(self, data: bytes) -> bytes:
        self.data += data
        return b""

    def flush(self) -> bytes:
        data, self.data = self.data, b""
        return self.owner.deflate(self.level, data)


_TESTED = {"weasyprint": ("70.",), "pydyf": ("0.13.",)}
"""The versions these shortcuts were read against; another version runs WeasyPrint plainly."""


def _expected(dist: str, version: str) -> bool:
    return version.startswith(_TESTED[dist])
