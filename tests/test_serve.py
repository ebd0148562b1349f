"""`travelrisk serve`: pages follow edits, errors show while the last good page stays up."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import MOROCCO, run_cli
from travelrisk.errors import TravelriskError
from travelrisk.serve import Running, for_preview, start

WAIT = 30.0
"""Seconds to wait for a rebuild before giving up: a bound against hanging, not a speed check."""


@pytest.fixture
def preview(ws: Path) -> Iterator[tuple[Running, list[str]]]:
    log: list[str] = []
    running = start(ws, port=0, log=log.append, interval=0.05)
    yield running, log
    running.stop()


def get(url: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def page(running: Running, path: str) -> str:
    status, _, body = get(running.url + path.lstrip("/"))
    assert status == 200, body
    return body.decode()


def page_once(running: Running, path: str, shows: str) -> str:
    """The page at `path` once it contains `shows`. A file is seen by the watcher mid-write at
    times (empty, say), so the test waits for the content it expects, not for any rebuild."""
    deadline = time.monotonic() + WAIT
    while shows not in (html := page(running, path)):
        assert time.monotonic() < deadline, f"{shows!r} never appeared at {path}"
        time.sleep(0.05)
    return html


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_index_lists_the_advisories_with_links(preview: tuple[Running, list[str]]) -> None:
    running, _ = preview
    index = page(running, "/")
    # the site's own index (templates/site/index.html.j2), as `build` makes it
    assert f'href="{MOROCCO}/index.html"' in index and 'href="feed.xml"' in index
    assert "Morocco: Security services brace for Islamic State fighters returning home" in index


def test_a_changed_advisory_is_served_after_the_rebuild(ws: Path, preview: tuple[Running, list[str]]) -> None:
    running, _ = preview
    assert "Security services brace" in page(running, f"/{MOROCCO}/")
    edit(ws / "advisories" / f"{MOROCCO}.yaml", "title: Security services brace", "title: Police brace")
    html = page_once(running, f"/{MOROCCO}/index.html", "Morocco: Police brace for Islamic State fighters")
    assert "Security services brace" not in html


def test_a_broken_file_shows_its_error_while_the_last_good_page_stays(
    ws: Path, preview: tuple[Running, list[str]]
) -> None:
    running, log = preview
    path = ws / "advisories" / f"{MOROCCO}.yaml"
    good = path.read_text()
    path.write_text(good.replace("severity: warning", "severity: warnin"))
    message = "unknown severity level 'warnin'; did you mean 'warning'?"
    html = page_once(running, f"/{MOROCCO}/", message.replace("'", "&#x27;"))
    assert re.search(rf'role="alert".*{re.escape(str(path))}:\d+:\d+: unknown severity', html, re.S)
    assert "Security services brace" in html  # the last good version
    assert any(line.startswith(f"{path}:") and line.endswith(message) for line in log)  # and in the terminal

    path.write_text(good.replace("title: Security services brace", "title: Police brace"))
    page_once(running, f"/{MOROCCO}/", "Police brace")
    # The new page may be on disk a moment before the build's problems are cleared: wait for both.
    deadline = time.monotonic() + WAIT
    while 'role="alert"' in page(running, f"/{MOROCCO}/"):
        assert time.monotonic() < deadline, "the problem banner never went away"
        time.sleep(0.05)


def test_a_broken_rule_library_keeps_every_last_good_page(ws: Path, preview: tuple[Running, list[str]]) -> None:
    running, log = preview
    france = "fr-2026-11-20-transport-strikes"
    assert "Security services brace" in page(running, f"/{MOROCCO}/")
    rule = ws / "rules" / "threats" / "terrorism.yaml"
    good = rule.read_text()
    rule.write_text(good.replace("  key: terrorism\n", "  key: terrorsm\n", 1))
    message = "threat key 'terrorsm' differs from the file name"
    html = page_once(running, f"/{MOROCCO}/", message.replace("'", "&#x27;"))
    assert re.search(rf'role="alert".*{re.escape(str(rule))}:\d+:\d+: threat key', html, re.S), html
    assert "Security services brace" in html  # the last good page, under the banner
    assert 'role="alert"' in (other := page(running, f"/{france}/")) and "rail and air strikes" in other
    assert f'href="{MOROCCO}/index.html"' in page(running, "/") and f'href="{france}/index.html"' in page(running, "/")
    assert any(line.startswith(f"{rule}:") and message in line for line in log)  # and in the terminal

    rule.write_text(good)
    edit(ws / "advisories" / f"{MOROCCO}.yaml", "title: Security services brace", "title: Police brace")
    page_once(running, f"/{MOROCCO}/", "Police brace")
    # The new page may be on disk a moment before the build's problems are cleared: wait for both.
    deadline = time.monotonic() + WAIT
    while 'role="alert"' in page(running, f"/{MOROCCO}/"):
        assert time.monotonic() < deadline, "the problem banner never went away"
        time.sleep(0.05)


def test_a_template_change_rebuilds_every_page(ws: Path, preview: tuple[Running, list[str]]) -> None:
    running, _ = preview
    edit(ws / "templates" / "_advisory.html.j2", "<article ", "<p>TEMPLATE-EDIT-MARK</p>\n<article ")
    page_once(running, f"/{MOROCCO}/", "TEMPLATE-EDIT-MARK")
    assert "TEMPLATE-EDIT-MARK" in page(running, "/fr-2026-11-20-transport-strikes/")


def test_a_new_advisory_appears(ws: Path, preview: tuple[Running, list[str]]) -> None:
    running, _ = preview
    ran = run_cli("new", "-c", "KE", "-t", "crime", "-s", "notice", "--title", "Phone thefts in Nairobi", workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    new_id = Path(ran.stdout.strip()).stem
    page_once(running, "/", f'href="{new_id}/index.html"')
    assert "Kenya: Phone thefts in Nairobi" in page(running, f"/{new_id}/")


def test_only_the_served_page_carries_the_reload_script(ws: Path, preview: tuple[Running, list[str]]) -> None:
    running, _ = preview
    _, headers, body = get(f"{running.url}{MOROCCO}/")
    served = body.decode()
    nonce = re.search(r'<script nonce="([^"]+)">', served)
    assert nonce and "/__version" in served
    policy = headers["Content-Security-Policy"]
    assert f"script-src 'nonce-{nonce.group(1)}'" in policy and "connect-src 'self'" in policy
    assert "default-src 'none'" in policy
    assert 'http-equiv="Content-Security-Policy"' not in served  # a page's own policy moves to the header
    published = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "html", "-o", "-", workspace=ws)
    assert published.exit_code == 0 and "<script" not in published.stdout


def test_a_page_policy_moves_into_the_header_with_the_script_allowed() -> None:
    page = (
        '<html><head><meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; '
        "script-src 'self'; font-src data:\"></head><body><p>x</p></body></html>"
    )
    served, policy = for_preview(page, 7, [])
    nonce = re.search(r'<script nonce="([^"]+)">', served)
    assert nonce and "Content-Security-Policy" not in served and '"7"' in served
    assert policy == f"default-src 'none'; font-src data:; script-src 'nonce-{nonce.group(1)}'; connect-src 'self'"


def test_pdf_on_request(preview: tuple[Running, list[str]]) -> None:
    running, _ = preview
    status, headers, body = get(f"{running.url}{MOROCCO}.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")


def test_other_hosts_and_unknown_paths_are_refused(preview: tuple[Running, list[str]]) -> None:
    running, _ = preview
    assert get(running.url, host="evil.example:80")[0] == 403
    assert get(f"{running.url}../../etc/passwd")[0] == 404
    assert get(f"{running.url}{MOROCCO}/secret.yaml")[0] == 404
    status, _, body = get(f"{running.url}{MOROCCO}")  # redirected to the folder form
    assert status == 200 and b"Security services brace" in body


def test_a_port_in_use_is_a_clear_error(ws: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(TravelriskError, match=r"port \d+ on 127.0.0.1 is already in use"):
            start(ws, port=busy.getsockname()[1])


def test_the_command_stops_cleanly_on_ctrl_c(ws: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "travelrisk", "--workspace", str(ws), "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    killer = threading.Timer(WAIT * 2, proc.kill)  # never hang the suite
    killer.start()
    try:
        assert proc.stderr is not None
        url = None
        for line in proc.stderr:
            if found := re.search(r"at (http://127\.0\.0\.1:\d+/)", line):
                url = found.group(1)
                break
        assert url, "serve did not print its address"
        assert get(url)[0] == 200
        proc.send_signal(signal.SIGINT)
        rest = proc.stderr.read()
        assert proc.wait() == 0
        assert "stopped" in rest and "Traceback" not in rest
    finally:
        killer.cancel()
        if proc.poll() is None:
            proc.kill()
