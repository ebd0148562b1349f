"""The workspace config, `travelrisk.yaml`: branding without editing templates.

Every value here ends up in the templates, some of them inside CSS, so each is checked
strictly: colours are `#rrggbb` (and dark enough for text on white), the page size is a
name, the logo is a small image file inside the workspace, embedded as a `data:` URI so the
page, the fragment and the PDF stay self-contained (nothing is fetched).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, TypeAdapter, ValidationError

from .errors import Problem, TravelriskError, fail
from .loading import Document, load_yaml
from .model import ShortText, Strict
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
    security_contact: ShortText = "your organisation's security team"
    """How advice names the people travellers call: one name, used everywhere."""
    page_size: Annotated[Literal["A4", "Letter"], BeforeValidator(_page_size)] = "A4"
    colours: Colours = Colours()
    fragment: FragmentOptions = FragmentOptions()


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
