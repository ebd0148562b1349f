"""Locator maps: a small inline SVG of the advisory's country, its neighbours faint, the capital and
the named cities marked and labelled. Drawn offline from the bundled Natural Earth outlines
(data/countries.json.gz, made by scripts/make_countries.py) and GeoNames coordinates.

The SVG carries its look in `style` attributes: they beat a host page's rules (and the advisory's
own `all: revert`), and WeasyPrint's SVG renderer reads them. Shapes, not colour, tell the
capital (a ringed dot) from a city (a dot); the country is darker than its neighbours.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from importlib.resources import files
from typing import Any

from markupsafe import Markup

from . import countries, geo
from .geo import Box, Point, Polygon, Ring
from .text import join_list

WIDTH = 240.0
"""The SVG's width in its own units (and CSS px at its natural size)."""
ASPECT = (1.0, 2.0)
"""Width/height the map may take; a narrower or wider country gets more of its surroundings."""
MIN_SPAN = 1.0
"""Degrees of latitude a map shows at least, so a city-state is seen among its neighbours."""
FONT = 13.0
FAMILY = "Inter,&quot;Liberation Sans&quot;,&quot;DejaVu Sans&quot;,Arial,sans-serif"
"""The advisory's fonts (advisory.css), on the labels themselves: a host's `* { font-family }` reaches them."""


@dataclass(frozen=True)
class Place:
    name: str
    lon: float
    lat: float
    capital: bool = False


@dataclass(frozen=True)
class Shape:
    code: str | None
    polygon: Polygon
    box: Box
    area: float


@lru_cache(maxsize=1)
def _atlas() -> tuple[dict[str, list[Shape]], list[Shape], dict[str, Place]]:
    raw = json.loads(gzip.decompress(files("travelrisk").joinpath("data/countries.json.gz").read_bytes()))
    q = raw["quantum"]
    arcs: list[Ring] = []
    for flat in raw["arcs"]:
        x = y = 0
        points = []
        for i in range(0, len(flat), 2):
            x, y = x + flat[i], y + flat[i + 1]
            points.append((x * q, y * q))
        arcs.append(points)

    def shape(code: str | None, rings: list[list[int]]) -> Shape:
        polygon = []
        for ring in rings:
            points: Ring = []
            for index in ring:
                arc = arcs[index] if index >= 0 else arcs[~index][::-1]
                points += arc[1:] if points else arc
            polygon.append(geo.unwrapped(points))
        outer = polygon[0]
        box = (min(p[0] for p in outer), min(p[1] for p in outer), max(p[0] for p in outer), max(p[1] for p in outer))
        return Shape(code, polygon, box, abs(geo.area(outer)) * math.cos(math.radians((box[1] + box[3]) / 2)))

    by_code = {code: [shape(code, p) for p in polys] for code, polys in raw["countries"].items()}
    others = [shape(None, p) for p in raw["others"]]
    capitals = {code: Place(n, lon, lat, True) for code, (n, lon, lat) in raw["capitals"].items()}
    return by_code, others, capitals


def main_part(shapes: list[Shape]) -> tuple[list[tuple[Shape, float]], Box]:
    """The country's largest polygon and the nearby ones, each with the longitude shift (0 or
    +-360) that puts it beside the largest across the antimeridian: Russia keeps Chukotka and
    Kaliningrad, New Zealand both islands, the United States its contiguous states, France its
    metropolitan part."""
    largest = max(shapes, key=lambda s: s.area)
    centre = (largest.box[0] + largest.box[2]) / 2
    rest = []
    for s in shapes:
        if s is not largest:
            dx = min((-360.0, 0.0, 360.0), key=lambda d: abs((s.box[0] + s.box[2]) / 2 + d - centre))
            rest.append((s, dx))
    chosen, box = [(largest, 0.0)], largest.box
    grew = True
    while grew:
        grew = False
        for s, dx in sorted(rest, key=lambda item: geo.gap(box, geo.shifted(item[0].box, item[1]))):
            shifted = geo.shifted(s.box, dx)
            w, h = geo.size(box)
            if geo.gap(box, shifted) > 0.1 * max(w, h) + 1.0:
                break
            bigger = geo.union(box, shifted)
            bw, bh = geo.size(bigger)
            if s.area >= 0.25 * largest.area or bw * bh <= 1.6 * max(w * h, 1e-9):
                chosen.append((s, dx))
                rest.remove((s, dx))
                box, grew = bigger, True
                break
    return chosen, box


@dataclass(frozen=True)
class Frame:
    """Equirectangular, longitude scaled by the cosine of the middle latitude, fitted to the box."""

    box: Box
    width: float
    height: float

    @property
    def scale(self) -> float:
        return self.width / ((self.box[2] - self.box[0]) * math.cos(math.radians((self.box[1] + self.box[3]) / 2)))

    def xy(self, lon: float, lat: float) -> Point:
        k = self.scale
        return (
            (lon - self.box[0]) * k * math.cos(math.radians((self.box[1] + self.box[3]) / 2)),
            (self.box[3] - lat) * k,
        )

    def shifts(self, box: Box) -> list[float]:
        """The longitude shifts (0, +-360) that bring a box into the frame."""
        w, s, e, n = self.box
        return [
            dx for dx in (0.0, -360.0, 360.0) if box[0] + dx <= e and box[2] + dx >= w and box[1] <= n and box[3] >= s
        ]

    def path(self, polygon: Polygon, dx: float, min_area: float) -> str:
        w, s, e, n = self.box
        pad = 4 / self.scale
        out = []
        for ring in polygon:
            clipped = geo.clip([(x + dx, y) for x, y in ring], (w - pad, s - pad, e + pad, n + pad))
            points = geo.simplify([self.xy(x, y) for x, y in clipped], 0.45)
            if len(points) < 3 or abs(geo.area(points)) < min_area:
                continue
            coords = " ".join(f"{_num(x)} {_num(y)}" for x, y in points)
            out.append(f"M{coords}Z")
        return "".join(out)


def _num(v: float) -> str:
    text = f"{v:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def frame(box: Box) -> Frame:
    w, h = geo.size(box)
    span = max(w, h, MIN_SPAN)
    mid_lon, mid_lat = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    w, h = max(w, span * 0.2) * 1.16, max(h, span * 0.2) * 1.16  # margins
    if h < MIN_SPAN:
        w, h = w * MIN_SPAN / h, MIN_SPAN
    w, h = max(w, h * ASPECT[0]), max(h, w / ASPECT[1])
    cos = math.cos(math.radians(mid_lat))
    half_lon = w / 2 / max(cos, 0.05)
    view = (mid_lon - half_lon, max(-89.0, mid_lat - h / 2), mid_lon + half_lon, min(89.0, mid_lat + h / 2))
    return Frame(view, WIDTH, round(WIDTH * h / w, 1))


def _text_width(text: str, bold: bool) -> float:
    return (
        sum(0.36 if c in "iljtfr .,'-" else 0.72 if c.isupper() or c in "mw" else 0.56 for c in text)
        * FONT
        * (1.06 if bold else 1.0)
    )


def _labels(points: list[tuple[Place, Point]], fr: Frame) -> list[tuple[Place, Point, Box, float]]:
    """Each label beside its marker, where it stays inside the map and off the other labels and
    markers; a name too long for the map is set smaller. Gives the place, the text's start, the
    box behind it and its font size."""
    taken: list[Box] = [(x - 4, y - 4, x + 4, y + 4) for _, (x, y) in points]
    placed = []
    for place, (x, y) in points:
        tw, th = _text_width(place.name, place.capital), FONT
        size = FONT * min(1.0, (fr.width - 8) / tw)
        tw *= size / FONT
        options = [
            (x + 6, y + th * 0.35, "start"),
            (x - 6, y + th * 0.35, "end"),
            (x, y - 7, "middle"),
            (x, y + 6 + th * 0.8, "middle"),
            (x + 5, y - 5, "start"),
            (x - 5, y - 5, "end"),
            (x + 5, y + 5 + th * 0.7, "start"),
            (x - 5, y + 5 + th * 0.7, "end"),
        ]
        best: tuple[float, Box, Point] | None = None
        for tx, ty, anchor in options:
            left = tx if anchor == "start" else tx - tw if anchor == "end" else tx - tw / 2
            left = min(max(left, 2.0), fr.width - 2 - tw)  # never past the edge
            box = (left - 1.5, ty - th * 0.8, left + tw + 1.5, ty + th * 0.25)
            outside = max(0.0, -box[1]) + max(0.0, box[3] - fr.height)
            overlap = sum(geo.overlap(box, other) for other in taken if other != (x - 4, y - 4, x + 4, y + 4))
            cost = overlap + outside * 100
            if best is None or cost < best[0]:
                best = (cost, box, (left, ty))
            if cost == 0:
                break
        assert best is not None
        taken.append(best[1])
        placed.append((place, best[2], best[1], size))
    return placed


def places_for(code: str, capital: str | None, cities: list[str]) -> list[Place]:
    """The capital (the profile's, else GeoNames') and the named cities found in GeoNames, once each:
    a city that is the capital under another name ('Ulaanbaatar', 'Ulan Bator') marks the capital,
    named as the advisory names it."""
    found: list[Place] = []
    bundled = _atlas()[2].get(code)
    name = capital or (bundled.name if bundled else None)
    if name:
        city = countries.city(code, name)
        if city is not None:
            found.append(Place(name, city["longitude"], city["latitude"], True))
        elif bundled is not None and name.casefold() == bundled.name.casefold():
            found.append(bundled)
    for name in cities:
        city = countries.city(code, name)
        if city is None or any(p.name.casefold() == name.casefold() for p in found):
            continue
        place = Place(name, city["longitude"], city["latitude"])
        same = [i for i, p in enumerate(found) if abs(p.lon - place.lon) < 0.05 and abs(p.lat - place.lat) < 0.05]
        if same:
            found[same[0]] = Place(name, place.lon, place.lat, found[same[0]].capital)
        else:
            found.append(place)
    return found


def label(country: str, places: list[Place], lang: str = "en", and_word: str = "and") -> str:
    """What the map shows, for screen readers: 'Map of Morocco showing Rabat (capital), Marrakesh and
    Casablanca', in the advisory's language."""
    from .views import gettext_for

    _ = gettext_for(lang)
    names = [_("%(city)s (capital)") % {"city": p.name} if p.capital else p.name for p in places]
    if not names:
        return _("Map of %(country)s") % {"country": country}
    return _("Map of %(country)s showing %(places)s") % {"country": country, "places": join_list(names, and_word)}


def locator_map(
    code: str, country: str, capital: str | None, cities: list[str], lang: str = "en", and_word: str = "and"
) -> dict[str, Any] | None:
    """The map as templates see it: `svg` (markup), `label` (what it shows) and `places` drawn."""
    drawn = _drawn(code.upper(), country, capital, tuple(cities), lang, and_word)
    return None if drawn is None else {"svg": drawn[0], "label": drawn[1], "places": list(drawn[2])}


@lru_cache(maxsize=32)
def _drawn(
    code: str, country: str, capital: str | None, cities: tuple[str, ...], lang: str = "en", and_word: str = "and"
) -> tuple[Markup, str, tuple[Place, ...]] | None:
    # Cached: the page, fragment, PDF, JSON and text of one advisory all ask for the same map; and
    # on disk between runs (diskcache.py), as drawing it loads the world's outlines and cities.
    from . import diskcache

    inputs = [code, country, capital, list(cities), lang, and_word]
    hit = diskcache.load("locator", inputs)
    if isinstance(hit, list) and len(hit) == 3:
        svg, text, places = hit
        return Markup(svg), text, tuple(Place(*p) for p in places)
    if hit == "none":
        return None
    drawn = _draw(code, country, capital, cities, lang, and_word)
    stored: Any = "none" if drawn is None else [str(drawn[0]), drawn[1], [list(vars(p).values()) for p in drawn[2]]]
    diskcache.store("locator", inputs, stored)
    return drawn


def _draw(
    code: str, country: str, capital: str | None, cities: tuple[str, ...], lang: str, and_word: str
) -> tuple[Markup, str, tuple[Place, ...]] | None:
    by_code, others, _ = _atlas()
    shapes = by_code.get(code)
    if not shapes:
        return None
    chosen, box = main_part(shapes)
    w, h = geo.size(box)
    near = max(w, h) * 0.25 + 0.5
    places, drawn = [], []
    for p in places_for(code, capital, list(cities)):
        lon = min((p.lon - 360, p.lon, p.lon + 360), key=lambda x: abs(x - (box[0] + box[2]) / 2))
        if geo.gap(box, (lon, p.lat, lon, p.lat)) <= near:  # Honolulu stays off a map of the contiguous US
            places.append(p)
            drawn.append(Place(p.name, lon, p.lat, p.capital))  # beside the country across the antimeridian
    for p in drawn:
        box = geo.union(box, (p.lon, p.lat, p.lon, p.lat))
    text = label(country, places, lang, and_word)
    return Markup(_svg(frame(box), code, chosen, by_code, others, drawn, text)), text, tuple(places)


def _svg(
    fr: Frame,
    code: str,
    chosen: list[tuple[Shape, float]],
    by_code: dict[str, list[Shape]],
    others: list[Shape],
    places: list[Place],
    text: str,
) -> str:
    neighbours = []
    for shape in [*(x for c, xs in sorted(by_code.items()) if c != code for x in xs), *others]:
        neighbours += [fr.path(shape.polygon, dx, 2.0) for dx in fr.shifts(shape.box)]
    own = "".join(fr.path(shape.polygon, dx, 0.6) for shape, dx in chosen)
    # Also the country's far parts that fall in the frame (an exclave, an island chain).
    for shape in by_code[code]:
        if all(shape is not c for c, _ in chosen):
            own += "".join(fr.path(shape.polygon, dx, 0.6) for dx in fr.shifts(shape.box))
    height = fr.height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tr-map-svg" viewBox="0 0 {_num(WIDTH)} {_num(height)}" '
        f'width="{_num(WIDTH)}" height="{_num(height)}" role="img" aria-label="{escape(text)}" '
        # direction:ltr: label positions are computed left to right, also on a right-to-left page.
        'style="display:block;width:100%;max-width:100%;height:auto;margin:0;padding:0;border:0;overflow:hidden;'
        "direction:ltr;"
        f'font-family:{FAMILY}">',
        f'<rect width="{_num(WIDTH)}" height="{_num(height)}" style="fill:#f7f9fa;stroke:none"/>',
        f'<path d="{"".join(neighbours)}" style="fill:#e3e6ea;stroke:#a9b0b8;stroke-width:0.5;fill-rule:evenodd"/>',
    ]
    if own:
        parts.append(
            f'<path d="{own}" style="fill:#8d96a1;stroke:#1f2933;stroke-width:0.9;'
            'stroke-linejoin:round;fill-rule:evenodd"/>'
        )
    # A country too small to see at this scale gets a ring around it.
    ox0, oy0 = fr.xy(*_main_box_corner(chosen, 0))
    ox1, oy1 = fr.xy(*_main_box_corner(chosen, 1))
    if max(abs(ox1 - ox0), abs(oy1 - oy0)) < 8:
        cx, cy = (ox0 + ox1) / 2, (oy0 + oy1) / 2
        parts.append(
            f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="9" style="fill:none;stroke:#1f2933;stroke-width:1.6"/>'
        )
    points = [(p, fr.xy(p.lon, p.lat)) for p in places]
    for place, (x, y) in points:
        if place.capital:
            parts.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4" style="fill:#ffffff;stroke:#000000;stroke-width:1.6"/>'
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="1.7" style="fill:#000000;stroke:none"/>'
            )
        else:
            parts.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="2.8" style="fill:#000000;stroke:#ffffff;stroke-width:1"/>'
            )
    for place, (lx, ly), box, size in _labels(points, fr):
        weight = 700 if place.capital else 500
        parts.append(
            f'<rect x="{_num(box[0])}" y="{_num(box[1])}" width="{_num(box[2] - box[0])}" '
            f'height="{_num(box[3] - box[1])}" rx="2" style="fill:#ffffff;fill-opacity:0.8;stroke:none"/>'
            f'<text x="{_num(lx)}" y="{_num(ly)}" style="font-family:{FAMILY};font-size:{_num(size)}px;'
            f'font-weight:{weight};fill:#000000;stroke:none">{escape(place.name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _main_box_corner(chosen: list[tuple[Shape, float]], corner: int) -> Point:
    boxes = [geo.shifted(s.box, dx) for s, dx in chosen]
    if corner == 0:
        return min(b[0] for b in boxes), min(b[1] for b in boxes)
    return max(b[2] for b in boxes), max(b[3] for b in boxes)


_LAYOUT = ("display", "width", "max-width", "height", "margin", "padding", "border", "overflow")
"""The map's own box, which the linked stylesheet sets (.tr-map-svg) when style attributes are refused."""


def presentational(svg: str) -> Markup:
    """The map for a Content-Security-Policy without inline styles (`fragment.style: external`):
    each `style` becomes SVG presentation attributes (fill="#000"), which such a policy allows."""

    def attributes(match: re.Match[str]) -> str:
        pairs = [d.split(":", 1) for d in match.group(1).split(";") if ":" in d]
        return " ".join(f'{k.strip()}="{v.strip()}"' for k, v in pairs if k.strip() not in _LAYOUT)

    return Markup(re.sub(r'style="([^"]*)"', attributes, str(svg)))
