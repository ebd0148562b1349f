"""Plane geometry for the locator map, on (longitude, latitude) or projected points: boxes, the
antimeridian, clipping to a frame and simplifying to what the eye can see."""

from __future__ import annotations

import itertools
import math

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]
Box = tuple[float, float, float, float]  # west, south, east, north


def unwrapped(ring: Ring) -> Ring:
    """A ring that crosses the antimeridian (Fiji, Chukotka) made continuous: longitudes past 180."""
    out, shift = [ring[0]], 0.0
    for (x0, _), (x1, y1) in itertools.pairwise(ring):
        if x1 - x0 > 180:
            shift -= 360
        elif x0 - x1 > 180:
            shift += 360
        out.append((x1 + shift, y1))
    return out


def area(ring: Ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def shifted(box: Box, dx: float) -> Box:
    return (box[0] + dx, box[1], box[2] + dx, box[3])


def union(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def gap(a: Box, b: Box) -> float:
    """Distance between two boxes, in degrees of latitude (longitude scaled by its cosine)."""
    k = math.cos(math.radians((a[1] + a[3]) / 2))
    dx = max(0.0, b[0] - a[2], a[0] - b[2]) * k
    dy = max(0.0, b[1] - a[3], a[1] - b[3])
    return math.hypot(dx, dy)


def size(box: Box) -> tuple[float, float]:
    return (box[2] - box[0]) * math.cos(math.radians((box[1] + box[3]) / 2)), box[3] - box[1]


def clip(ring: Ring, box: Box) -> Ring:
    """Sutherland-Hodgman: the ring cut to the box (edges along the box lie outside the view)."""
    w, s, e, n = box
    edges = [
        (lambda p: p[0] >= w, lambda a, b: (w, a[1] + (b[1] - a[1]) * (w - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= e, lambda a, b: (e, a[1] + (b[1] - a[1]) * (e - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= s, lambda a, b: (a[0] + (b[0] - a[0]) * (s - a[1]) / (b[1] - a[1]), s)),
        (lambda p: p[1] <= n, lambda a, b: (a[0] + (b[0] - a[0]) * (n - a[1]) / (b[1] - a[1]), n)),
    ]
    out = ring
    for inside, cross in edges:
        if not out:
            break
        points, out = out, []
        prev = points[-1]
        for p in points:
            if inside(p):
                if not inside(prev):
                    out.append(cross(prev, p))
                out.append(p)
            elif inside(prev):
                out.append(cross(prev, p))
            prev = p
    return out


def simplify(points: Ring, tolerance: float, shortest: int = 4) -> Ring:
    """Douglas-Peucker, keeping both ends: drops what the eye cannot see at this size. A line of
    fewer than `shortest` points is kept whole (a closed ring needs four; an open arc, three)."""
    if len(points) < shortest:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        worst, index = 0.0, 0
        for i in range(first + 1, last):
            px, py = points[i]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm else math.hypot(px - ax, py - ay)
            if d > worst:
                worst, index = d, i
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def overlap(a: Box, b: Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
