"""Fragments for intranets that strip `<style>` or forbid it: every declaration moved into `style`
attributes (the `css_inline` package does the CSS matching), each marked `!important`, so that a
host page's `!important` rules cannot recolour the severity band (an element's own important
declarations win over any style sheet's)."""

from __future__ import annotations

import html
import re

_STYLE_ATTR = re.compile(r'style="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)


def inline_styles(fragment: str) -> str:
    """The fragment with its `<style>` element gone and every rule that applies written on the element."""
    import css_inline

    css = "\n".join(re.findall(r"<style\b[^>]*>(.*?)</style>", fragment, re.S | re.I))
    body = _STYLE_ELEMENT.sub("", fragment)
    inlined = css_inline.inline_fragment(
        body,
        css,
        keep_style_tags=False,
        keep_link_tags=False,
        load_remote_stylesheets=False,
        resolve_css_variables=True,
    )
    return _STYLE_ATTR.sub(lambda m: f'style="{_important(html.unescape(m[1]))}"', inlined)


def _important(style: str) -> str:
    declarations = []
    for declaration in _split(style):
        prop, sep, value = declaration.partition(":")
        if not sep or not prop.strip():
            continue
        value = value.strip()
        if not value.endswith("!important") and not prop.strip().startswith("--"):
            value += " !important"
        declarations.append(f"{prop.strip()}: {value}")
    return html.escape("; ".join(declarations), quote=True)


def _split(style: str) -> list[str]:
    """Declarations split at `;`, but not inside parentheses or quotes (a font list, a data: URI)."""
    parts, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(style):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == ";" and depth == 0:
            parts.append(style[start:i])
            start = i + 1
    parts.append(style[start:])
    return [p.strip() for p in parts if p.strip()]


def inline_document(document: str) -> str:
    """A whole HTML document for mail clients: every `<style>` rule written on its elements (CSS variables
    resolved), no `<style>` or `<link>` left. Not `!important`: some webmail clients drop such inline
    declarations, and no host page competes with an email's own styles."""
    import css_inline

    return css_inline.inline(
        document,
        keep_style_tags=False,
        keep_link_tags=False,
        load_remote_stylesheets=False,
        resolve_css_variables=True,
    )
