"""`render -f sms`: the advisory as one SMS or push message, e.g.
`Morocco (Warning): Exercise increased caution. Security services brace for ... https://.../index.html`.

One SMS segment holds 160 characters of the GSM 03.38 7-bit alphabet (a character of its extension
table, such as `€` or `[`, takes two), or 70 UTF-16 code units when any character is outside it
(UCS-2). Typographic quotes, dashes and spaces become their GSM equivalents, since they would
otherwise halve the room; a country name keeps its own letters (Côte d'Ivoire's `ô` is not GSM).
What gives way when it is too long, in turn: the title (first cut after a word, with an ellipsis,
then left out), the page's address, the recommendation; never the status mark, the country or the
severity. The recommendation is what a traveller acts on; the address needs a data connection.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .messages import N_

if TYPE_CHECKING:
    from .rules import Resolution
    from .state import Related

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
) - {"\x1b"}  # ESC only introduces the extension table
"""GSM 03.38's default alphabet: one septet each."""
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
"""Its extension table: ESC plus one septet, so two characters' room each."""
GSM_LIMIT = 160
UCS2_LIMIT = 70
MARKS = {"draft": N_("DRAFT"), "withdrawn": N_("WITHDRAWN"), "superseded": N_("SUPERSEDED"), "expired": N_("EXPIRED")}
"""A state's mark in a message, translated where it is shown (gettext's msgids)."""
UPDATE_MARK = N_("UPDATE")
_PLAIN = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "..."}
)


def is_gsm(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENSION for c in text)


def cost(text: str) -> int:
    """Room `text` takes in a segment: septets in GSM-7, UTF-16 code units in UCS-2."""
    if is_gsm(text):
        return sum(2 if c in GSM_EXTENSION else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def limit(text: str) -> int:
    """One segment's room for `text`: 160 in GSM-7, 70 when it needs UCS-2."""
    return GSM_LIMIT if is_gsm(text) else UCS2_LIMIT


def fits(text: str) -> bool:
    return cost(text) <= limit(text)


def plain(text: str) -> str:
    """One line, typographic punctuation and spaces as their GSM equivalents."""
    return re.sub(r"\s+", " ", text.translate(_PLAIN)).strip()


def compose(head: str, recommendation: str | None, title: str, url: str | None) -> str:
    """The fullest message that fits one segment, giving way in the order the module says."""
    rec = f" {_sentence(recommendation)}" if recommendation else ""
    title = _sentence(title)
    for lead in dict.fromkeys([f"{head}:{rec}", f"{head}:"]):
        for tail in dict.fromkeys([f" {url}" if url else "", ""]):
            whole = f"{lead} {title}{tail}"
            if fits(whole) or (whole := _cut(f"{lead} ", title, tail) or ""):
                return whole
            if fits(lead + tail):
                return (lead + tail).removesuffix(":")
    return _cut("", head, "") or head[: UCS2_LIMIT - 1] + "\u2026"  # a country or level name too long for any


def to_sms(res: Resolution, related: Related | None = None, base_url: str | None = None) -> str:
    from .views import gettext_for, view

    v = view(res, related, base_url)
    _ = gettext_for(res.lang)
    marks = [*([MARKS[v["state"]]] if v["state"] in MARKS else []), *([UPDATE_MARK] if v["is_update"] else [])]
    mark = " ".join(_(m) for m in marks)
    head = plain(f"{mark + ': ' if mark else ''}{v['country']['name']} ({v['severity']['label']})")
    recommendation = plain(v["recommendation"]["label"]) if v["recommendation"] else None
    return compose(head, recommendation, plain(v["title"]), v["url"]) + "\n"


def _sentence(text: str) -> str:
    text = plain(text)
    return text if text.endswith((".", "!", "?")) else text + "."


def _cut(lead: str, middle: str, tail: str) -> str | None:
    """`lead` + as many whole words of `middle` as fit + an ellipsis + `tail`; None if not one word fits."""
    words = middle.split()
    for n in range(len(words) - 1, 0, -1):
        body = lead + " ".join(words[:n]).rstrip(",;:-")
        ellipsis = "..." if is_gsm(body + tail) else "\u2026"
        if fits(text := body + ellipsis + tail):
            return text
    return None
