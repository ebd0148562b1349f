"""`travelrisk serve`: a local preview of the workspace's advisories that follows the analyst's edits.

A watcher thread polls the modification times of advisories, rules and templates and rebuilds
the HTML pages when one changes. An advisory that no longer builds keeps its last good page,
with the error shown above it and printed in the terminal. Open pages reload by themselves: a
small inline script, added only to served pages (the published pages stay script-free), polls
`/__version`. PDFs are rendered on request. Only 127.0.0.1 is listened on, and requests naming
another host are refused, so that no web page can reach the preview through DNS rebinding.
"""

from __future__ import annotations

import errno
import html
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem, TravelriskError
from .rules import Resolution
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


@dataclass
class Good:
    """The last version of one advisory that built, kept while its file is broken."""

    path: Path
    title: str
    ws: Workspace
    res: Resolution
    html: str
    pdf: bytes | None = None


@dataclass
class Preview:
    """The state the server shows: last good pages, current problems, and a version number."""

    root: Path
    log: Callable[[str], None] = lambda _line: None
    pages: dict[str, Good] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    version: int = 0
    _signature: tuple[tuple[str, int, int], ...] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pdf_lock: threading.Lock = field(default_factory=threading.Lock)

    def signature(self) -> tuple[tuple[str, int, int], ...]:
        ws = Workspace(self.root)
        found = []
        for folder in (ws.advisories_dir, ws.rules_dir, *ws.template_dirs):
            if folder.is_dir():
                for p in folder.rglob("*"):
                    try:
                        st = p.stat()
                    except OSError:  # removed while we looked: the next poll sees it gone
                        continue
                    if p.is_file():
                        found.append((str(p), st.st_mtime_ns, st.st_size))
        return tuple(sorted(found))

    def refresh(self) -> bool:
        """Rebuild if any watched file changed since the last build; True if it rebuilt."""
        signature = self.signature()
        if signature == self._signature:
            return False
        self._signature = signature
        self.rebuild()
        return True

    def rebuild(self) -> None:
        ws = Workspace(self.root)
        problems: list[Problem] = []
        pages: dict[str, Good] = {}
        old_by_path = {good.path: (aid, good) for aid, good in self.pages.items()}
        try:
            ws.library  # noqa: B018 - a broken rule library keeps every last good page
            if template_problems := ws.renderer.check_templates():
                raise TravelriskError(template_problems)
        except TravelriskError as exc:
            problems = exc.problems
            pages = dict(self.pages)
        else:
            for path in ws.advisory_paths():
                try:
                    res = ws.resolve(path)
                    aid = res.advisory.id
                    if aid in pages:
                        raise TravelriskError(
                            Problem(
                                str(path),
                                message=f"id '{aid}' is already used by {pages[aid].path}",
                                hint="give each advisory its own id",
                            )
                        )
                    pages[aid] = Good(
                        path, f"{res.country_name}: {res.advisory.title}", ws, res, ws.renderer.html(res, "page")
                    )
                except TravelriskError as exc:
                    problems += exc.problems
                    if path in old_by_path and old_by_path[path][0] not in pages:
                        pages[old_by_path[path][0]] = old_by_path[path][1]
        with self._lock:
            self.pages, self.problems = pages, problems
            self.version += 1
        for p in problems:
            self.log(str(p))
        kept = " (showing the last good version)" if problems else ""
        self.log(f"preview: {len(pages)} advisory page(s), {len(problems)} problem(s){kept}")

    def pdf(self, aid: str) -> bytes:
        from .build import render

        good = self.pages[aid]
        with self._pdf_lock:  # one WeasyPrint render at a time; cached until the next rebuild
            if good.pdf is None:
                good.pdf = render(good.ws, good.res, "pdf")
            return good.pdf


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
    end = page.lower().rfind("</body>")
    page = page[:end] + script + page[end:] if end != -1 else page + script
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


def index_page(preview: Preview) -> str:
    ws = Workspace(preview.root)
    life = ws.lifecycle
    rows = []
    for aid, good in sorted(preview.pages.items(), key=lambda kv: kv[1].res.advisory.issued, reverse=True):
        state = life.state(aid) if aid in life.entries else good.res.advisory.status
        rows.append(
            f'<li><a href="/{html.escape(aid)}/">{html.escape(good.title)}</a> '
            f"<small>{html.escape(aid)} · {html.escape(state)} · "
            f'<a href="/{html.escape(aid)}.pdf">PDF</a></small></li>'
        )
    listing = "".join(rows) or "<li>No advisories yet: create one with <code>travelrisk new</code>.</li>"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_DEFAULT_CSP}">'
        '<title>travelrisk preview</title></head><body style="font:16px/1.5 sans-serif;margin:2rem">'
        f"<h1>travelrisk preview</h1><p>{html.escape(str(preview.root))}</p><ul>{listing}</ul></body></html>"
    )


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

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
        with preview._lock:  # one consistent view of pages, problems and version
            pages, problems, version = dict(preview.pages), list(preview.problems), preview.version
        if path == "/":
            page, policy = for_preview(index_page(preview), version, problems)
            return self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode(), policy)
        parts = [p for p in path.split("/") if p]
        if len(parts) == 1 and parts[0].endswith(".pdf") and parts[0][:-4] in pages:
            return self._pdf(parts[0][:-4])
        if len(parts) == 2 and parts[0] in pages and parts[1] == f"{parts[0]}.pdf":
            return self._pdf(parts[0])
        if len(parts) == 1 and parts[0] in pages and not path.endswith("/"):
            return self._redirect(f"/{parts[0]}/")  # so that the pages' relative links work
        if parts and parts[0] in pages and (len(parts) == 1 or parts[1:] == ["index.html"]):
            page, policy = for_preview(pages[parts[0]].html, version, problems)
            return self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode(), policy)
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


def _watch(preview: Preview, stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        try:
            preview.refresh()
        except Exception as exc:  # a bug of ours must not stop the preview: say it and keep going
            preview.log(f"travelrisk serve: internal error while rebuilding ({type(exc).__name__}: {exc})")


def start(
    root: Path, port: int = 8000, log: Callable[[str], None] = lambda _line: None, interval: float = 0.5
) -> Running:
    """Build once, then serve and watch in background threads (for tests and embedding)."""
    preview = Preview(root, log)
    preview.refresh()
    server = PreviewServer(preview, port)
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
    return Running(server, preview, stop, threads)


def serve(root: Path, port: int = 8000, log: Callable[[str], None] = lambda _line: None, interval: float = 0.5) -> None:
    """Serve until Ctrl-C, then stop cleanly."""
    running = start(root, port, log, interval)
    log(f"previewing {root} at {running.url} (Ctrl-C stops)")
    try:
        while not running.stop_event.wait(3600):  # the main thread sleeps; Ctrl-C interrupts the wait
            pass
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
    log("stopped")
