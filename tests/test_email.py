"""`render -f email`: a message a mail client can open, checked with Python's own `email` parser."""

from __future__ import annotations

import email
import re
import shutil
from email import policy
from email.message import EmailMessage
from pathlib import Path

from conftest import MOROCCO, REPO, run_cli

CONFIG = (
    "organisation: Northwind Travel Security\n"
    "base_url: https://intranet.example.com/advisories\n"
    "email:\n"
    "  from: Security Desk <security@northwind.example>\n"
    "  to: [travellers@northwind.example, '\"Ops, Europe\" <ops@northwind.example>']\n"
)


def render_email(ws: Path, *extra: str, advisory: str = MOROCCO) -> EmailMessage:
    target = ws / "out.eml"
    ran = run_cli("render", ws / "advisories" / f"{advisory}.yaml", "-f", "email", "-o", target, *extra, workspace=ws)
    assert ran.exit_code == 0, ran.stderr
    message = email.message_from_bytes(target.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def write_advisory(ws: Path, name: str, *changes: tuple[str, str]) -> None:
    """The Morocco example with `changes` (old, new) made, saved as `name`."""
    source = (ws / "advisories" / f"{MOROCCO}.yaml").read_text()
    for old, new in changes:
        assert old in source
        source = source.replace(old, new, 1)
    (ws / "advisories" / f"{name}.yaml").write_text(source)


def test_morocco_email_has_the_headers_and_both_alternatives(ws: Path) -> None:
    (ws / "travelrisk.yaml").write_text(CONFIG)
    message = render_email(ws)
    assert message["Subject"] == ("Morocco, Warning: Security services brace for Islamic State fighters returning home")
    assert message["From"] == "Security Desk <security@northwind.example>"
    assert [a.addr_spec for a in message["To"].addresses] == ["travellers@northwind.example", "ops@northwind.example"]
    assert message["Date"] == "Sat, 15 Jul 2017 17:12:00 +0000"
    assert re.fullmatch(rf"<{MOROCCO}\.[0-9a-f]{{20}}@northwind\.example>", message["Message-ID"].strip())
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    text, html = text_of(message), html_of(message)
    assert "Morocco: Security services brace for Islamic State fighters returning home" in text
    assert f"Read it online: https://intranet.example.com/advisories/{MOROCCO}/index.html" in text
    assert "Security services brace for Islamic State fighters returning home" in html
    assert "<style" not in html.lower() and "<link" not in html.lower()
    assert 'style="' in html and "#b03a00" in html  # the warning band's colour, written on the element
    assert "var(--" not in html  # mail clients know no CSS variables
    assert not re.search(r"""(src|srcset|background)\s*=\s*["']?\s*(https?:|//)|url\(""", html, re.I)


def test_the_same_advisory_gives_the_same_bytes_and_a_changed_one_a_new_message_id(ws: Path) -> None:
    (ws / "travelrisk.yaml").write_text(CONFIG)
    first = (ws / "first.eml", ws / "second.eml")
    for target in first:
        ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "email", "-o", target, workspace=ws)
        assert ran.exit_code == 0, ran.stderr
    assert first[0].read_bytes() == first[1].read_bytes()
    write_advisory(ws, MOROCCO, ("Security services brace", "Police brace"))
    changed = render_email(ws)
    original = email.message_from_bytes(first[0].read_bytes(), policy=policy.default)
    assert changed["Message-ID"] != original["Message-ID"]
    assert changed["Message-ID"].strip().startswith(f"<{MOROCCO}.")  # folded: it is long


def test_a_draft_update_says_so_in_the_subject_and_the_body(ws: Path) -> None:
    (ws / "travelrisk.yaml").write_text(CONFIG)
    write_advisory(
        ws,
        "ma-2017-07-20-follow-up",
        ("title: ", f"status: draft\nsupersedes: {MOROCCO}\ntitle: "),
        ("2017-07-15T17:12:00+00:00", "2017-07-20T09:00:00+00:00"),
    )
    message = render_email(ws, advisory="ma-2017-07-20-follow-up")
    assert message["Subject"].startswith("[DRAFT] Update: Morocco, Warning: Security services")
    assert message["Date"] == "Thu, 20 Jul 2017 09:00:00 +0000"
    assert text_of(message).startswith("DRAFT: NOT FOR DISTRIBUTION")
    assert "Update to" in text_of(message)
    assert "Draft: not for distribution" in html_of(message)


def test_hostile_advisory_text_stays_text(ws: Path) -> None:
    (ws / "travelrisk.yaml").write_text(CONFIG)
    write_advisory(
        ws,
        MOROCCO,
        ("Security services brace", "<script>alert(1)</script> brace"),
        ("With Islamic State", "<img src=https://evil.example/x.png> <style>*{display:none}</style> With IS"),
    )
    message = render_email(ws)
    html = html_of(message)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; brace" in html
    assert "&lt;img src=https://evil.example/x.png&gt;" in html
    assert "<img" not in html and "<style" not in html
    assert message["Subject"].startswith("Morocco, Warning: <script>alert(1)</script> brace")  # text in a header


def test_the_pdf_is_attached_when_asked(ws: Path) -> None:
    (ws / "travelrisk.yaml").write_text(CONFIG)
    message = render_email(ws, "--attach-pdf")
    assert message.get_content_type() == "multipart/mixed"
    body = message.get_body(("plain", "html"))
    assert body is not None
    attachments = list(message.iter_attachments())
    assert [(a.get_content_type(), a.get_filename()) for a in attachments] == [("application/pdf", f"{MOROCCO}.pdf")]
    assert attachments[0].get_content().startswith(b"%PDF-")
    assert list(render_email(ws).iter_attachments()) == []  # not without the flag or `email.attach_pdf`
    (ws / "travelrisk.yaml").write_text(CONFIG + "  attach_pdf: true\n")
    assert render_email(ws).as_bytes() == message.as_bytes()  # the config's way, and the same bytes again


def test_a_logo_travels_as_a_related_part_not_a_data_uri(ws: Path) -> None:
    (ws / "templates" / "assets").mkdir(exist_ok=True)
    shutil.copy(REPO / "tests" / "browser" / "logo.svg", ws / "templates" / "assets" / "logo.svg")
    (ws / "travelrisk.yaml").write_text(CONFIG + "logo: templates/assets/logo.svg\n")
    message = render_email(ws)
    html_part = message.get_body(("html",))
    assert html_part is not None
    assert 'src="cid:logo@northwind.example"' in html_of(message) and "data:" not in html_of(message)
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    logo = next(p for p in related.iter_parts() if p.get_content_type() == "image/svg+xml")
    assert logo["Content-ID"] == "<logo@northwind.example>"
    assert logo.get_content() == (REPO / "tests" / "browser" / "logo.svg").read_bytes()


def test_an_email_without_a_sender_says_what_to_add(ws: Path) -> None:
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "email", "-o", ws / "x.eml", workspace=ws)
    assert ran.exit_code != 0
    assert "travelrisk.yaml" in ran.stderr and "From address" in ran.stderr and "email:" in ran.stderr
    assert not (ws / "x.eml").exists()


def test_a_bad_address_is_reported_at_its_place(ws: Path) -> None:
    (ws / "travelrisk.yaml").write_text(CONFIG.replace("travellers@northwind.example", "travellers at northwind"))
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "email", "-o", ws / "x.eml", workspace=ws)
    assert ran.exit_code != 0
    assert "travelrisk.yaml:5:" in ran.stderr and "'travellers at northwind' is not an email address" in ran.stderr


def test_an_address_cannot_smuggle_a_header(ws: Path) -> None:
    smuggled = 'from: "Desk\\r\\nBcc: x@evil.example <security@northwind.example>"'
    (ws / "travelrisk.yaml").write_text(CONFIG.replace("from: Security Desk <security@northwind.example>", smuggled))
    ran = run_cli("render", ws / "advisories" / f"{MOROCCO}.yaml", "-f", "email", "-o", ws / "x.eml", workspace=ws)
    assert ran.exit_code != 0 and "one line" in ran.stderr
