"""The hostile corpus (tests/hostile/): every input gets its exact error at its exact place, or,
where the input is merely unusual (`expect: ok`), renders to inert HTML.

Each corpus file names its expectation in its first line: `expect: LINE:COL: message` (the
message is matched as a prefix, so hints may change) or `expect: ok`. The folders say how a file
is used: advisories/ and paths/ are rendered as advisories; rules/*.yaml becomes the workspace's
rules/general.yaml; templates/tpl-*.j2 becomes templates/page.html.j2 (HTML) and pdf-*.j2
becomes templates/pdf.html.j2 (PDF). `@PORT@` is a loopback HTTP server that must see no request.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from conftest import REPO, Ran, files_under, run_cli

CORPUS = Path(__file__).parent / "hostile"
PLACE = re.compile(r"^.+:\d+:\d+: \S")
EXPECT = re.compile(r"expect: (?:(ok)|(\d+):(\d+): ([^\r\n]*?))\s*(?:#\}|\r|\n|$)")
BASE = """title: Hostile corpus advisory
country: MA
issued: 2017-07-15T17:12:00+00:00
severity: warning
threat: terrorism
summary: A summary.
event: An event.
"""


def cases(folder: str, pattern: str = "*") -> list[Path]:
    return sorted((CORPUS / folder).glob(pattern))


def expectation(path: Path) -> tuple[int, int, str] | None:
    """(line, column, message) for an error, None for `expect: ok`."""
    raw = path.read_bytes()
    text = raw.decode("utf-16") if raw.startswith(b"\xff\xfe") else raw.decode("latin-1")
    found = EXPECT.search(text)
    assert found, f"{path.name} has no 'expect:' line"
    return None if found[1] else (int(found[2]), int(found[3]), found[4])


def assert_clean_failure(ran: Ran, path: Path, expected: tuple[int, int, str]) -> None:
    line, column, message = expected
    assert ran.exit_code == 1, ran.stderr
    assert "Traceback" not in ran.stderr and "internal error" not in ran.stderr, ran.stderr
    lines = ran.stderr.splitlines()
    assert lines and all(PLACE.match(x) for x in lines), ran.stderr
    want = f"{path}:{line}:{column}: {message}"
    assert any(x.startswith(want) for x in lines), f"wanted {want!r}\ngot {ran.stderr}"
    assert ran.stdout_bytes == b""


class _Tags(HTMLParser):
    """Collects what a browser would run: script-ish tags, on* handlers, script URLs."""

    BAD_TAGS = frozenset({"script", "iframe", "object", "embed", "svg", "math", "base", "form", "img", "frame"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    @staticmethod
    def is_locator_map(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        """The map travelrisk draws itself (locator.py): its attributes are still checked below."""
        return tag == "svg" and dict(attrs).get("class") == "tr-map-svg" and dict(attrs).get("role") == "img"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BAD_TAGS and not self.is_locator_map(tag, attrs):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            plain = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction", "xlink:href") and plain.startswith(
                ("javascript:", "vbscript:", "data:")
            ):
                self.found.append(f"{tag} {name}={value}")


def executable(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    return parser.found


def assert_inert(ran: Ran) -> None:
    assert ran.exit_code == 0, ran.stderr
    assert executable(ran.stdout) == []


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by the advisory cases, which only ever write to standard output."""
    root = tmp_path_factory.mktemp("hostile") / "ws"
    for part in ("rules", "templates"):
        shutil.copytree(REPO / part, root / part)
    return root


# --- advisories and paths ------------------------------------------------------------------


@pytest.mark.parametrize("path", cases("advisories") + cases("paths"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_advisory_corpus(ws: Path, path: Path) -> None:
    expected = expectation(path)
    ran = run_cli("render", path, "-f", "html", "-o", "-", workspace=ws)
    if expected is None:
        assert_inert(ran)
        fragment = run_cli("render", path, "-f", "fragment", "-o", "-", workspace=ws)
        assert_inert(fragment)
    else:
        assert_clean_failure(ran, path, expected)
    assert not (ws / "output").exists()


def test_markdown_attacks_stay_visible_as_text(ws: Path) -> None:
    """Escaped, not silently dropped: a reader sees what the author pasted."""
    ran = run_cli("render", CORPUS / "advisories" / "md-script-tag.yaml", "-f", "html", "-o", "-", workspace=ws)
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in ran.stdout
    ran = run_cli("render", CORPUS / "advisories" / "md-javascript-link.yaml", "-f", "html", "-o", "-", workspace=ws)
    assert "[click me](javascript:alert(1))" in ran.stdout


def test_over_size_file_is_refused_before_parsing(tmp_path: Path, ws: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(BASE + "context: |\n" + ("  " + "x" * 98 + "\n") * 10_100)
    assert_clean_failure(
        run_cli("render", path, "-f", "json", "-o", "-", workspace=ws), path, (1, 1, "is larger than 1,000,000 bytes")
    )


def test_symlinked_advisory_folder_outside_is_not_followed_into_output(tmp_path: Path) -> None:
    """`build` reads advisories through a symlinked advisories/ folder that lies outside the
    workspace, and writes only under the workspace's output/<id>/, whatever the advisories are called."""
    outside = tmp_path / "shared" / "advisories"
    outside.mkdir(parents=True)
    for path in cases("paths"):
        shutil.copy(path, outside / path.name)
    (outside / "good.yaml").write_text(BASE)
    root = tmp_path / "ws"
    root.mkdir()
    (root / "advisories").symlink_to(outside, target_is_directory=True)
    before = files_under(tmp_path / "shared")
    ran = run_cli("build", "-f", "html", "-f", "json", workspace=root)
    assert ran.exit_code == 1
    assert (root / "advisories").is_symlink()
    assert files_under(tmp_path / "shared") == before  # nothing written beside the advisories
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared", "ws"]
    assert sorted(p.name for p in root.iterdir()) == ["advisories", "output"]
    written = [p.relative_to(root / "output") for p in (root / "output").rglob("*") if p.is_file()]
    # output/<file>, output/<id>/<file> or output/countries/<cc>/<file>
    assert written and all(len(p.parts) <= 2 or p.parts[0] == "countries" for p in written), written
    assert (root / "output" / "good" / "index.html").is_file()
    assert (root / "output" / "good" / "good.json").is_file()


# --- rule files ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", cases("rules"), ids=lambda p: p.name)
def test_rule_corpus(tmp_path: Path, path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(REPO / "rules", root / "rules")
    target = root / "rules" / "general.yaml"
    shutil.copy(path, target)
    advisory = tmp_path / "hostile.yaml"
    advisory.write_text(BASE)
    ran = run_cli("render", advisory, "-f", "html", "-o", "-", workspace=root)
    expected = expectation(path)
    if expected is None:
        assert_inert(ran)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in ran.stdout
    else:
        assert_clean_failure(ran, target.resolve(), expected)


# --- templates and the PDF fetcher -----------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"p { color: red }")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def loopback() -> Iterator[tuple[int, list[str]]]:
    """An HTTP server on 127.0.0.1 (only) that records every request it gets."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], _Recorder.requests
    finally:
        server.shutdown()
        server.server_close()


def _template_ws(tmp_path: Path, path: Path, port: int) -> tuple[Path, Path, Path, str]:
    root = tmp_path / "ws"
    (root / "templates").mkdir(parents=True)
    pdf = path.name.startswith("pdf-")
    target = root / "templates" / ("pdf.html.j2" if pdf else "page.html.j2")
    # the `expect:` line is blanked: the fetcher's error finds a refused URL by its text
    _, rest = path.read_text().split("\n", 1)
    target.write_text("\n" + rest.replace("@PORT@", str(port)))
    advisory = tmp_path / "hostile.yaml"
    advisory.write_text(BASE)
    return root, target, advisory, "pdf" if pdf else "html"


@pytest.mark.parametrize("path", cases("templates"), ids=lambda p: p.name)
def test_template_corpus(tmp_path: Path, path: Path, loopback: tuple[int, list[str]]) -> None:
    port, requests = loopback
    root, target, advisory, fmt = _template_ws(tmp_path, path, port)
    ran = run_cli("render", advisory, "-f", fmt, "-o", "-", workspace=root)
    expected = expectation(path)
    if expected is None:
        assert ran.exit_code == 0, ran.stderr
        if fmt == "pdf":
            assert ran.stdout_bytes.startswith(b"%PDF-")
        else:
            assert_inert(ran)
    else:
        line, column, message = expected
        assert_clean_failure(ran, target.resolve(), (line, column, message.replace("@PORT@", str(port))))
    assert requests == []
    assert not (root / "output").exists()


def test_symlink_out_of_templates_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text("p::after { content: 'TOP-SECRET' }")
    root = tmp_path / "ws"
    (root / "templates").mkdir(parents=True)
    (root / "templates" / "evil.css").symlink_to(secret)
    target = root / "templates" / "pdf.html.j2"
    target.write_text(
        '<html><head><link rel="stylesheet" href="evil.css"></head><body>{{ advisory.title }}</body></html>'
    )
    advisory = tmp_path / "hostile.yaml"
    advisory.write_text(BASE)
    ran = run_cli("render", advisory, "-f", "pdf", "-o", "-", workspace=root)
    link = root.resolve() / "templates" / "evil.css"  # the link itself, not its target
    assert_clean_failure(ran, target.resolve(), (1, 42, f"the PDF of advisory 'hostile' refers to {link.as_uri()}"))
    assert "TOP-SECRET" not in ran.stderr


def test_corpus_is_large_enough() -> None:
    assert len([p for p in CORPUS.rglob("*.*") if p.suffix != ".py"]) >= 60


def test_output_to_a_pipe_writes_into_it_and_keeps_it(tmp_path: Path, ws: Path) -> None:
    """`-o /dev/null` or a named pipe: renaming a file over it would destroy the device."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    advisory = tmp_path / "ok.yaml"
    advisory.write_text(BASE)
    ran = run_cli("render", advisory, "-f", "json", "-o", fifo, workspace=ws)
    reader.join(timeout=30)
    assert ran.exit_code == 0, ran.stderr
    assert fifo.is_fifo()
    assert received and b'"title": "Hostile corpus advisory"' in received[0]


def test_include_of_a_symlink_out_of_templates_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    root = tmp_path / "ws"
    (root / "templates").mkdir(parents=True)
    (root / "templates" / "leak.txt").symlink_to(secret)
    (root / "templates" / "page.html.j2").write_text('<p>{% include "leak.txt" %}</p>\n')
    advisory = tmp_path / "hostile.yaml"
    advisory.write_text(BASE)
    ran = run_cli("render", advisory, "-f", "html", "-o", "-", workspace=root)
    assert ran.exit_code == 1
    assert "TOP-SECRET" not in ran.stdout + ran.stderr
    assert f"template 'leak.txt' links to {secret.resolve()}, outside the template folders" in ran.stderr
