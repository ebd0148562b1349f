"""`travelrisk serve`: a local preview of the workspace that follows the analyst's edits.

The preview is a build (build.py), drafts included, into a private temporary folder, exactly
as `travelrisk build` would make it: the site's own index template, the pages, the JSON.
A watcher thread polls the modification times of advisories, rules, templates and
`travelrisk.yaml` and builds again when one changes; the build is incremental, so an edit
re-renders only what it changes, and an advisory that no longer builds keeps its last good
page, with the error shown above every page and printed in the terminal. Served pages get
only a small reload script (the published pages stay script-free) that polls `/__version`.
PDFs are rendered on request. Only 127.0.0.1 is listened on, and requests naming another host
are refused, so that no web page can reach the preview through DNS rebinding.
"""

from __future__ import annotations

import errno
import html
import re
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .config import CONFIG_NAME
from .errors import Problem, TravelriskError
from .loading import load_yaml
from .workspace import Workspace

HOST = "127.0.0.1"
_CSP_META = re.compile(r"""<meta\s[^>]*http-equiv\s*=\s*["']?content-security-policy["']?[^>]*>""", re.I)
_CSP_CONTENT = re.compile(r"""content\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_DEFAULT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_RELOAD_SCRIPT = """<script nonce="{nonce}">
(function () {{ // travelrisk serve: reload when the preview is rebuilt
  var seen = "{version}";
  function poll() {{
    fetch("/__version", {{cache: "no-store"}}).then(function (r) {{ return r.text(); }}).then(function (v) {{
      if (v.trim() !== seen) {{ location.reload(); }} else {{ setTimeout(poll, 700); }}
    }}, function () {{ setTimeout(poll, 2000); }});
  }}
  setTimeout(poll, 700);
}})();
</script>
"""


_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/atom+xml",
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".atom": "application/atom+xml",
    ".css": "text/css; charset=utf-8",  # the external stylesheet (fragment.style: external)
}


@dataclass
class Preview:
    """The private build the server shows, its current problems, and a version number."""

    root: Path
    log: Callable[[str], None] = lambda _line: None
    out_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="travelrisk-serve-")))
    problems: list[Problem] = field(default_factory=list)
    version: int = 0
    _signature: tuple[tuple[str, int, int], ...] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pdf_lock: threading.Lock = field(default_factory=threading.Lock)
    _pdfs: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    _config_key: tuple[int, int] | None = None
    _logo: Path | None = None
    _ws: tuple[object, Workspace] | None = None
    """The workspace PDFs are rendered with (its rule library and templates loaded), and the
    signature of the files it was made from: made again only when they change."""

    def signature(self) -> tuple[tuple[str, int, int], ...]:
        ws = Workspace(self.root)
        found = []
        for folder in (ws.advisories_dir, *ws.rule_dirs, *ws.template_dirs):
            for p in folder.rglob("*") if folder.is_dir() else ():
                try:
                    st = p.stat()
                except OSError:  # removed while we looked: the next poll sees it gone
                    continue
                if p.is_file():
                    found.append((str(p), st.st_mtime_ns, st.st_size))
        for p in self._config_files():  # the config, and the logo it names (wherever in the workspace)
            try:
                st = p.stat()
            except OSError:
                continue
            found.append((str(p), st.st_mtime_ns, st.st_size))
        return tuple(sorted(found))

    def _config_files(self) -> list[Path]:
        """`travelrisk.yaml` and its logo. The file is parsed again only when it changes (polls come every
        half second), and the logo is never read here, only looked at; a broken config is still watched."""
        config = self.root / CONFIG_NAME
        try:
            st = config.stat()
        except OSError:
            return []
        if self._config_key != (st.st_mtime_ns, st.st_size):
            self._config_key = (st.st_mtime_ns, st.st_size)
            try:
                logo = load_yaml(config).data.get("logo")
            except (TravelriskError, AttributeError):
                logo = None
            self._logo = self.root / logo if isinstance(logo, str) else None
        return [config, *([self._logo] if self._logo else [])]

    def refresh(self) -> bool:
        """Rebuild if any watched file changed since the last build; True if it rebuilt."""
        signature = self.signature()
        if signature == self._signature:
            return False
        self._signature = signature
        self.rebuild()
        return True

    def rebuild(self) -> None:
        from .build import build

        kept = ""
        try:
            report = build(Workspace(self.root), self.out_dir, ("html",), jobs=1, include_drafts=True)
            problems = [p for ps in report.failed.values() for p in ps] + report.warnings
            kept = " (showing the last good version)" if report.failed else ""
            summary = f"{len(report.built) + len(report.unchanged)} advisory page(s)"
        except TravelriskError as exc:  # a broken rule library or template: every last good page stays
            problems, kept, summary = exc.problems, " (showing the last good version)", "no rebuild"
        with self._lock:
            self.problems = problems
            self.version += 1
        for p in problems:
            self.log(str(p))
        errors = [p for p in problems if p.severity == "error"]
        self.log(f"preview: {summary}, {len(errors)} problem(s){kept}")

    def file(self, path: str) -> tuple[Path, str] | None:
        """The built file a URL path names, and its media type; None for anything else."""
        parts = [p for p in path.split("/") if p]
        if any(p.startswith(".") for p in parts):  # the manifest and the lock are not for browsers
            return None
        target = self.out_dir.joinpath(*parts)
        if path.endswith("/") or not parts:
            target = target / "index.html"
        try:
            real = target.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not real.is_relative_to(self.out_dir.resolve()) or not real.is_file() or real.suffix not in _TYPES:
            return None
        from .cap import MEDIA_TYPE

        return real, MEDIA_TYPE if real.name.endswith(".cap.xml") else _TYPES[real.suffix]

    def pdf(self, aid: str) -> bytes | None:
        """The PDF of a previewed advisory, rendered on request and kept until its input changes."""
        from .manifest import Manifest

        entry = next((e for e in Manifest.load(self.out_dir)[0].entries.values() if e.id == aid), None)
        if entry is None:
            return None
        with self._pdf_lock:  # one WeasyPrint render at a time
            cached = self._pdfs.get(aid)
            if cached is None or cached[0] != entry.inputs:
                cached = self._pdfs[aid] = (entry.inputs, self._render_pdf(entry.source, aid))
            return cached[1]

    def _render_pdf(self, source: str, aid: str) -> bytes:
        from .formats import FORMATS

        if self._ws is None or self._ws[0] != self._signature:
            self._ws = (self._signature, Workspace(self.root))
        ws = self._ws[1]
        res = ws.resolve(ws.advisories_dir / source)
        related = ws.publication(include_drafts=True).related(aid)
        return FORMATS["pdf"].render(ws, res, related)

    def warm(self) -> None:
        """Load WeasyPrint, the rule library and templates, and lay out one PDF (fonts, styles), so
        the first PDF a browser asks for comes as fast as the next ones. The PDF is not kept."""
        from .manifest import Manifest

        entries = sorted(Manifest.load(self.out_dir)[0].entries.values(), key=lambda e: e.source)
        with self._pdf_lock:
            try:
                if entries:
                    self._render_pdf(entries[0].source, entries[0].id)
                else:
                    from . import pdf

                    pdf.warm()
            except Exception:  # a broken advisory or template is reported when its PDF is asked for
                pass

    def close(self) -> None:
        shutil.rmtree(self.out_dir, ignore_errors=True)


# --- what the browser gets -----------------------------------------------------------------


def for_preview(page: str, version: int, problems: list[Problem]) -> tuple[str, str]:
    """The page with the reload script and any problems added, and the policy to send with it.

    The page's own Content-Security-Policy (a meta tag) would block the script, so it moves
    into a header, with only the script's nonce and `connect-src 'self'` (for /__version) added.
    """
    nonce = secrets.token_urlsafe(16)
    policy = _DEFAULT_CSP
    meta = _CSP_META.search(page)
    if meta:
        content = _CSP_CONTENT.search(meta.group(0))
        if content:
            policy = html.unescape(content.group(1) or content.group(2) or "")
        page = page[: meta.start()] + page[meta.end() :]
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    directives = [d for d in directives if d.split()[0].lower() not in ("script-src", "connect-src")]
    policy = "; ".join([*directives, f"script-src 'nonce-{nonce}'", "connect-src 'self'"])
    banner = _banner(problems)
    body = re.search(r"<body[^>]*>", page, re.I)
    page = page[: body.end()] + banner + page[body.end() :] if body else banner + page
    script = _RELOAD_SCRIPT.format(nonce=nonce, version=version)
    # Searched in the page itself: a lower-cased copy can differ in length ("İ" becomes two characters).
    ends = list(re.finditer(r"</body\s*>", page, re.I))
    end = ends[-1].start() if ends else len(page)
    page = page[:end] + script + page[end:]
    return page, policy


def _banner(problems: list[Problem]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>{html.escape(str(p))}</li>" for p in problems)
    return (
        '<div id="travelrisk-preview-problems" role="alert" style="background:#8b0000;color:#fff;'
        'padding:.75rem 1rem;font:14px/1.4 monospace;white-space:pre-wrap">'
        f"<strong>travelrisk serve: the last change did not build; showing the last good version.</strong>"
        f"<ul>{items}</ul></div>"
    )


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"
    timeout = 15  # seconds a connection may sit idle: slow or half-open clients do not hold threads for ever

    def log_message(self, format: str, *args: object) -> None:  # the stdlib's names
        pass  # the terminal is for build problems, not for every request

    def do_GET(self) -> None:
        preview = self.server.preview
        host = self.headers.get("Host")
        if host is not None and host not in self.server.allowed_hosts:
            return self._send(HTTPStatus.FORBIDDEN, "text/plain", b"travelrisk serve answers only on 127.0.0.1\n")
        path = unquote(urlsplit(self.path).path)
        if path == "/__version":
            return self._send(HTTPStatus.OK, "text/plain", str(preview.version).encode())
        with preview._lock:  # one consistent view of problems and version
            problems, version = list(preview.problems), preview.version
        parts = [p for p in path.split("/") if p]
        if len(parts) == 1 and parts[0].endswith(".pdf"):
            return self._pdf(parts[0][:-4])
        if len(parts) == 2 and parts[1] == f"{parts[0]}.pdf":
            return self._pdf(parts[0])
        if len(parts) == 1 and not path.endswith("/") and preview.file(path + "/"):
            return self._redirect(f"/{parts[0]}/")  # so that the pages' relative links work
        if found := preview.file(path):
            real, kind = found
            body = real.read_bytes()
            if kind.startswith("text/html"):
                page, policy = for_preview(body.decode("utf-8", "replace"), version, problems)
                return self._send(HTTPStatus.OK, kind, page.encode(), policy)
            return self._send(HTTPStatus.OK, kind, body)
        page, policy = for_preview(
            f"<!DOCTYPE html><html><body><p>Nothing at {html.escape(path)}. "
            '<a href="/">All advisories</a></p></body></html>',
            version,
            problems,
        )
        return self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", page.encode(), policy)

    def _pdf(self, aid: str) -> None:
        try:
            data = self.server.preview.pdf(aid)
            if data is None:
                return self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"no such advisory\n")
        except TravelriskError as exc:
            text = "\n".join(str(p) for p in exc.problems)
            self.server.preview.log(text)
            return self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", text.encode())
        self._send(HTTPStatus.OK, "application/pdf", data)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, kind: str, body: bytes, policy: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if policy:
            self.send_header("Content-Security-Policy", policy)
        self.end_headers()
        self.wfile.write(body)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, preview: Preview, port: int) -> None:
        try:
            super().__init__((HOST, port), _Handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise TravelriskError(
                    Problem(
                        "--port",
                        message=f"port {port} on {HOST} is already in use",
                        hint="choose another with --port, or --port 0 for any free one",
                    )
                ) from None
            raise
        self.preview = preview
        self.port = self.server_address[1]
        self.allowed_hosts = {f"{HOST}:{self.port}", f"localhost:{self.port}"}

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"


@dataclass
class Running:
    """A preview started by `start`: its server and watcher threads, and how to stop them."""

    server: PreviewServer
    preview: Preview
    stop_event: threading.Event
    threads: list[threading.Thread]

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.stop_event.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=5)
        self.preview.close()


def _watch(preview: Preview, stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        try:
            preview.refresh()
        except Exception as exc:  # a bug of ours must not stop the preview: say it and keep going
            preview.log(f"travelrisk serve: internal error while rebuilding ({type(exc).__name__}: {exc})")


def start(
    root: Path,
    port: int = 8000,
    log: Callable[[str], None] = lambda _line: None,
    interval: float = 0.5,
    warm: bool = False,
) -> Running:
    """Build once, then serve and watch in background threads (for tests and embedding); with
    `warm`, also ready the PDF renderer in the background."""
    Workspace(root).require_advisories()
    preview = Preview(root, log)
    try:
        preview.refresh()
        server = PreviewServer(preview, port)
    except BaseException:
        preview.close()
        raise
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": min(interval, 0.5)},
            name="travelrisk-serve",
            daemon=True,
        ),
        threading.Thread(target=_watch, args=(preview, stop, interval), name="travelrisk-watch", daemon=True),
    ]
    for thread in threads:
        thread.start()
    if warm:  # not joined on stop: it ends on its own, and a daemon thread dies with the process
        threading.Thread(target=preview.warm, name="travelrisk-warm", daemon=True).start()
    return Running(server, preview, stop, threads)


def serve(root: Path, port: int = 8000, log: Callable[[str], None] = lambda _line: None, interval: float = 0.5) -> None:
    """Serve until Ctrl-C, then stop cleanly."""
    running = start(root, port, log, interval, warm=True)
    log(f"previewing {root} at {running.url} (Ctrl-C stops)")
    try:
        while not running.stop_event.wait(3600):  # the main thread sleeps; Ctrl-C interrupts the wait
            pass
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
    log("stopped")
