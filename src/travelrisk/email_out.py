"""`render -f email`: the advisory as one RFC 5322 message (`.eml`), ready to send or to open in a mail client.

multipart/alternative with the plain text (plaintext.to_text) and HTML whose styles are all inline
(mail clients drop `<style>`); the logo, if any, travels as a `cid:` part of a multipart/related
(Gmail and Outlook block `data:` images); the PDF is attached on request. Headers come from the
advisory (Subject, Date) and `email:` in travelrisk.yaml (From, To). The same advisory, config and
templates give the same bytes: Message-ID and MIME boundaries are derived from the content.
"""

from __future__ import annotations

import base64
import hashlib
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING, Any

from .errors import Problem, TravelriskError

if TYPE_CHECKING:
    from .formats import RenderOptions
    from .rules import Resolution
    from .state import Related
    from .workspace import Workspace

MARKS = {"draft": "DRAFT", "withdrawn": "WITHDRAWN", "superseded": "SUPERSEDED", "expired": "EXPIRED"}
"""Subject prefixes for an advisory that is not simply in force (its `state`), as the other formats mark it."""


def subject(v: dict[str, Any]) -> str:
    """`[DRAFT] Update: Morocco, Warning: <title>`: country and severity first, where a phone's inbox
    shows them, in the advisory's language."""
    from .views import gettext_for

    _ = gettext_for(v["lang"])
    mark = MARKS.get(v["state"])
    parts = [
        f"[{_(mark)}] " if mark else "",
        _("%(label)s: %(text)s") % {"label": _("Update"), "text": ""} if v["is_update"] else "",
    ]
    return f"{''.join(parts)}{v['country']['name']}, " + _("%(label)s: %(text)s") % {
        "label": v["severity"]["label"],
        "text": v["title"],
    }


def prepare(ws: Workspace, res: Resolution, related: Related | None, options: RenderOptions) -> tuple[Any, ...]:
    """Everything the message needs, as plain data; the PDF (if attached) is rendered by `finish`,
    in a worker during a build, like the PDF format itself."""
    from .config import CONFIG_NAME
    from .formats import FORMATS
    from .inline import inline_document
    from .plaintext import to_text
    from .views import gettext_for, view

    email = ws.config.email
    if email is None:
        raise TravelriskError(
            Problem(
                str(ws.root / CONFIG_NAME),
                message="an email needs a From address, and travelrisk.yaml has no `email:` section",
                hint="add `email: {from: 'Security desk <security@example.org>', to: ['travellers@example.org']}`",
            )
        )
    v = view(res, related, ws.config.base_url, relative=False)  # links that work from an inbox, or none
    domain = parseaddr(email.sender)[1].rpartition("@")[2]
    brand = dict(ws.renderer.brand or {})
    logo = _data_uri(brand["logo"]) if brand.get("logo") else None
    if logo:
        brand["logo"] = f"cid:logo@{domain}"
    speak = ws.renderer.speaker(res.lang)
    html = ws.renderer.render(
        ws.renderer.template("email.html.j2"),
        advisory=v,
        kind="email",
        brand=brand,
        shadow=False,
        fallback="",
        _=speak,
        gettexts={res.lang: speak},
    )
    online = gettext_for(res.lang)("Read it online: %(link)s") % {"link": v["url"]} if v["url"] else ""
    text = to_text(res, related) + (f"\n{online}\n" if online else "")
    attach = options.attach_pdf or email.attach_pdf
    pdf_task = FORMATS["pdf"].prepare(ws, res, related, options) if attach else None
    headers = {
        "Subject": subject(v),
        "From": email.sender,
        "To": ", ".join(email.to) if email.to else None,
        "Date": format_datetime(res.advisory.issued),
    }
    return headers, domain, str(res.advisory.id), text, inline_document(html), logo, pdf_task


def finish(task: tuple[Any, ...]) -> bytes:
    headers, domain, advisory_id, text, html, logo, pdf_task = task
    pdf = None
    if pdf_task is not None:
        from .formats import FORMATS

        assert FORMATS["pdf"].finish is not None
        pdf = FORMATS["pdf"].finish(pdf_task)
    digest = hashlib.sha256(
        "\0".join([repr(sorted(headers.items())), text, html, repr(logo)]).encode() + (pdf or b"")
    ).hexdigest()
    msg = EmailMessage(policy=SMTP)
    for name, value in headers.items():
        if value is not None:
            msg[name] = value
    msg["Message-ID"] = f"<{advisory_id}.{digest[:20]}@{domain}>"
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    if logo is not None:
        kind, data = logo
        maintype, _, subtype = kind.partition("/")
        html_part = msg.get_body(("html",))
        assert isinstance(html_part, EmailMessage)
        html_part.add_related(data, maintype, subtype, cid=f"<logo@{domain}>", disposition="inline")
    if pdf is not None:
        msg.add_attachment(pdf, "application", "pdf", filename=f"{advisory_id}.pdf")
    for n, part in enumerate(msg.walk()):  # fixed boundaries: the library would pick random ones
        if part.is_multipart():
            part.set_boundary(f"=_travelrisk_{digest[:24]}_{n}")
    return msg.as_bytes()


def _data_uri(uri: str) -> tuple[str, bytes]:
    """The media type and bytes of config.logo_data_uri's `data:<type>;base64,...`."""
    head, _, data = uri.partition(",")
    return head.removeprefix("data:").removesuffix(";base64"), base64.b64decode(data)
