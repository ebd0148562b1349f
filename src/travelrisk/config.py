"""The workspace config, `travelrisk.yaml`: branding without editing templates.

Every value here ends up in the templates, some of them inside CSS, so each is checked
strictly: colours are `#rrggbb` (and dark enough for text on white), the page size is a
name, the logo is a small image file inside the workspace, embedded as a `data:` URI so the
page, the fragment and the PDF stay self-contained (nothing is fetched).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from .errors import Problem, TravelriskError, fail
from .loading import Document, load_yaml
from .model import LangCode, ShortText, Strict
from .validation import validate_document

CONFIG_NAME = "travelrisk.yaml"
MAX_LOGO_BYTES = 512_000
"""A logo is embedded in every output; half a megabyte is far past a sensible one."""
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
MIN_CONTRAST = 4.5
"""WCAG 2.x AA for normal text: the accent colour is used for links and headings on white."""


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of `#rrggbb`."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two `#rrggbb` colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _text_colour(value: str) -> str:
    value = value.lower()
    if contrast(value, "#ffffff") < MIN_CONTRAST:
        raise ValueError(
            f"{value} on white has contrast {contrast(value, '#ffffff'):.2f}:1, below WCAG AA's "
            f"{MIN_CONTRAST}:1; choose a darker colour"
        )
    return value


TextColour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$"), AfterValidator(_text_colour)]


def _with_slash(value: Any) -> Any:
    return value.strip() + "/" if isinstance(value, str) and not value.strip().endswith("/") else value


def _page_size(value: Any) -> Any:
    """`letter`, `LETTER`, `a4`: the sizes as people type them."""
    return {"a4": "A4", "letter": "Letter"}.get(value.strip().lower(), value) if isinstance(value, str) else value


class Colours(Strict):
    accent: TextColour = "#0b4f8a"
    """Links, the masthead rule and section headings' marker."""
    ink: TextColour = "#1b1f24"
    """Body text."""


class FragmentOptions(Strict):
    style: Literal["scoped", "inline", "shadow", "external"] = "scoped"
    """scoped: one <style> scoped under the root class; inline: every declaration in `style` attributes,
    `!important`, no <style> (for sanitisers that strip it); shadow: a declarative shadow root, with the
    inline version as a light-DOM fallback (innerHTML insertion, sanitisers); external: no inline style
    at all, fragments *and pages* link one stylesheet in output/assets/ (a strict CSP, `style-src 'self'`)."""
    shadow: bool = False
    """The earlier spelling of `style: shadow`."""

    @property
    def chosen(self) -> str:
        return "shadow" if self.shadow else self.style


def _address(value: Any) -> Any:
    """`Name <user@example.org>` or `user@example.org`, as one line with an address that has a domain."""
    from email.utils import formataddr, getaddresses

    if not isinstance(value, str):
        return value
    if any(c in value for c in "\r\n\x00"):
        raise ValueError("an address is one line")
    found = getaddresses([value])
    name, addr = found[0] if len(found) == 1 else ("", "")
    if not _ADDR_SPEC.fullmatch(addr):
        raise ValueError(
            f"'{value}' is not an email address; write it as user@example.org or Name <user@example.org>, "
            'with a name that has a comma in double quotes ("Ops, Europe" <ops@example.org>)'
        )
    return formataddr((name, addr))


_ADDR_SPEC = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
"""An addr-spec with a dotted domain name (no IP literals or quoted local parts: no mail system needs them here)."""
Address = Annotated[str, Field(max_length=320), AfterValidator(_address)]


class EmailOptions(Strict):
    """`email:` in travelrisk.yaml: the headers of `render -f email`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    sender: Address = Field(alias="from")
    """The From address; its domain also names the message's Message-ID."""
    to: list[Address] = Field(default_factory=list, max_length=100)
    """Recipients; none: the message has no To and is addressed when it is sent."""
    attach_pdf: bool = False
    """Attach the advisory's PDF (also `render -f email --attach-pdf`)."""


def _capitalised(value: Any) -> Any:
    return value.strip().capitalize() if isinstance(value, str) else value


def _cap_name(value: str) -> str:
    if found := re.search(r"[\s,<&]", value):
        raise ValueError(
            f"contains {found[0]!r}, which CAP does not allow in a sender (it is part of every `references` "
            "triple); use a name without spaces, commas, < or &, e.g. your domain alerts.example.com"
        )
    return value


CapName = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_cap_name)]


class CapOptions(Strict):
    """The CAP 1.2 output (cap.py): who sends it, and to whom."""

    sender: CapName | None = None
    """A name unique to the sender, e.g. its domain (alerts.example.com); default: base_url's host."""
    sender_name: ShortText | None = None
    """The sender's name as people read it; default: `organisation`."""
    restriction: ShortText | None = None
    """Who may see a Restricted alert (CAP requires it with that scope)."""
    addresses: ShortText | None = None
    """The intended recipients of a Private alert, space-separated (CAP requires it with that scope)."""
    scope: Annotated[Literal["Public", "Restricted", "Private"], BeforeValidator(_capitalised)] = "Public"
    """Public, Restricted or Private; after `restriction` and `addresses`, which its check reads."""

    @field_validator("scope", mode="after")
    @classmethod
    def _scope_needs(cls, value: str, info: ValidationInfo) -> str:
        if value == "Restricted" and not info.data.get("restriction"):
            raise ValueError("Restricted needs `restriction` beside it: say who may see the alerts")
        if value == "Private" and not info.data.get("addresses"):
            raise ValueError("Private needs `addresses` beside it: the recipients, space-separated")
        return value


def _contact_form(value: Any) -> str:
    return "per_language" if isinstance(value, dict) else "name"


Contact = Annotated[
    Annotated[ShortText, Tag("name")] | Annotated[dict[LangCode, ShortText], Tag("per_language")],
    Discriminator(_contact_form),
]
"""One name, or one per language: checked as the form given, so an error speaks of that form only."""


class Config(Strict):
    """`travelrisk.yaml` at the workspace root; every key is optional."""

    organisation: ShortText | None = None
    logo: ShortText | None = None
    classification: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f]+$")] | None = None
    footer: ShortText | None = None
    base_url: (
        Annotated[str, BeforeValidator(_with_slash), Field(pattern=r"^https?://[^\s?#]+/$", max_length=500)] | None
    ) = None
    """Where `output/` is published, e.g. https://intranet.example.com/advisories/: every published link
    (pages, fragments, feed, JSON, PDFs) is then absolute."""
    security_contact: Contact | None = None
    """How advice names the people travellers call: one name, used everywhere. A plain name is for
    the workspace's `lang`; a mapping gives it per language (`{en: ..., fr: ...}`). Absent, each
    language's own default (rules/lang/xx/language.yaml) is used."""
    lang: LangCode = "en"
    """The language advisories are written in unless one says otherwise (`lang:`)."""
    page_size: Annotated[Literal["A4", "Letter"], BeforeValidator(_page_size)] = "A4"
    colours: Colours = Colours()
    fragment: FragmentOptions = FragmentOptions()
    email: EmailOptions | None = None
    cap: CapOptions = CapOptions()


def load_config(root: Path, overrides: dict[str, Any] | None = None) -> Config:
    """The workspace's config with command-line `overrides` laid over it; defaults when absent.

    `overrides` maps a dotted key (`fragment.shadow`) to `(value, flag)`: each value is checked by
    the same model as the file's, and a bad one is reported at its flag.
    """
    path = root / CONFIG_NAME
    doc = load_yaml(path) if path.is_file() else Document(path, None)
    data = doc.data if doc.data is not None else {}  # an empty file means "all defaults"
    if not isinstance(data, dict):
        validate_document(doc, Config)  # reports "not a mapping" with its place
    merged = json.loads(json.dumps(data, default=str))  # a copy the overrides may change
    problems = []
    for dotted, (value, flag) in (overrides or {}).items():
        try:
            value = _check_override(dotted, value)
        except (ValidationError, KeyError) as exc:
            detail = exc.errors()[0]["msg"].removeprefix("Value error, ") if isinstance(exc, ValidationError) else ""
            problems.append(Problem(flag, message=f"{flag} {value}: {detail or 'not allowed'}"))
            continue
        *parents, last = dotted.split(".")
        target = merged
        for part in parents:
            target = target.setdefault(part, {}) if isinstance(target.get(part, {}), dict) else {}
        target[last] = value
    if problems:
        raise TravelriskError(problems)
    config = validate_document(Document(path, merged, doc.places), Config)
    if config.logo:
        logo_data_uri(root, config.logo, *doc.place(("logo",)))  # fail early, with a place
    return config


def _check_override(dotted: str, value: Any) -> Any:
    """Check one override against the type of the config field it sets (KeyError: no such field)."""
    model: Any = Config
    *parents, last = dotted.split(".")
    for part in parents:
        model = model.model_fields[part].annotation
    field = model.model_fields[last]
    kind = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
    return TypeAdapter(kind).validate_python(value)


def logo_data_uri(root: Path, logo: str, line: int = 1, column: int = 1) -> str:
    """The logo file (inside the workspace) as a `data:` URI."""
    config_path = root / CONFIG_NAME
    path = (root / logo).resolve()
    if not path.is_relative_to(root.resolve()):
        raise fail(
            config_path,
            f"logo '{logo}' lies outside the workspace",
            "put the logo inside the workspace folder, e.g. templates/assets/logo.svg",
            line,
            column,
        )
    kind = LOGO_TYPES.get(path.suffix.lower())
    if kind is None:
        raise fail(
            config_path, f"logo '{logo}' is not an SVG, PNG or JPEG file", "use .svg, .png or .jpg", line, column
        )
    if not path.is_file():
        raise fail(
            config_path, f"logo '{logo}' does not exist", "give a path relative to the workspace folder", line, column
        )
    if path.stat().st_size > MAX_LOGO_BYTES:  # checked before reading: a huge file costs no memory
        raise fail(
            config_path, f"logo '{logo}' is larger than {MAX_LOGO_BYTES:,} bytes", "use a smaller image", line, column
        )
    data = path.read_bytes()
    if len(data) > MAX_LOGO_BYTES:
        raise fail(
            config_path, f"logo '{logo}' is larger than {MAX_LOGO_BYTES:,} bytes", "use a smaller image", line, column
        )
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def brand(root: Path, config: Config) -> dict[str, Any]:
    """What templates see as `brand` (documented in docs/design.md)."""
    return {
        "organisation": config.organisation,
        "base_url": config.base_url,
        "logo": logo_data_uri(root, config.logo) if config.logo else None,
        "classification": config.classification,
        "footer": config.footer,
        "page_size": config.page_size,
        "colours": config.colours.model_dump(),
    }


def contact_in(config: Config, lang: str) -> str | None:
    """The security contact's name in `lang` as the config gives it; None: the language's default."""
    given = config.security_contact
    if isinstance(given, dict):
        return given.get(lang)
    return given if given is not None and lang == config.lang else None
