"""Status and distance of places: inside occupied territory or not, and how far from it.

Distances. Each snapshot is projected once to ETRS89-LAEA (EPSG:3035), the projection the
reference figures in ``shared/frontline/SOURCE.md`` use. LAEA is equal-area, not equidistant:
in eastern Ukraine its scale is off by up to about 1 %, so it is used only to *find* the
nearest point of occupied territory (and for areas, where it is exact); the reported length
is then measured on the WGS84 ellipsoid with ``pyproj.Geod`` between the place and that
nearest point. Places outside the projection's area of use (Washington, Beijing) skip the
projection: their distance is the shortest geodesic to the territory's boundary vertices
(densified, so the vertex-only shortcut errs by metres at such ranges), ranked first on a
sphere so that the ellipsoid measures only a handful of them.

Every place in one call is handled as arrays (``territory_statuses``); a place outside the
territory's bounding box skips the containment test altogether.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Literal

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from frontline.errors import (
    TerritoryError,
)
from frontline.model import POINT_FEATURES, Candidate, GeoparseResult, Place, TerritoryStatus
from frontline.territory.projection import projection_area_of_use, to_lonlat, to_projected
from frontline.territory.snapshots import Snapshot

FAR_CANDIDATES = 16
FAR_BATCH = 256

_GEOD = pyproj.Geod(ellps="WGS84")
DistanceMeasure = Literal["geodesic", "laea"]


def territory_lookup(snapshot: Snapshot) -> Callable[[Candidate], TerritoryStatus | None]:
    """One candidate's status (for corrections that move a pin), None where none applies."""

    def lookup(candidate: Candidate) -> TerritoryStatus | None:
        if (
            candidate.feature not in POINT_FEATURES
            or candidate.lat is None
            or candidate.lon is None
        ):
            return None
        return territory_status(snapshot, candidate.lat, candidate.lon)

    return lookup


# ---------------------------------------------------------------------------- queries


def _check_points(lats: np.ndarray, lons: np.ndarray) -> None:
    bad = ~(np.isfinite(lats) & np.isfinite(lons) & (np.abs(lats) <= 90) & (np.abs(lons) <= 180))
    if np.any(bad):
        index = int(np.argmax(bad))
        raise TerritoryError(f"({lats[index]}, {lons[index]}) is not a lat/lon point")


def territory_statuses(
    snapshot: Snapshot,
    points: Sequence[tuple[float, float]],
    *,
    measure: DistanceMeasure = "geodesic",
) -> list[TerritoryStatus]:
    """Status and distance of many (lat, lon) points at once (vectorised).

    ``measure="laea"`` reports the planar LAEA length instead of the geodesic one, which
    reproduces ``SOURCE.md``'s reference figures; outside LAEA's area it is geodesic anyway.
    """
    if measure not in ("geodesic", "laea"):
        raise TerritoryError(f"unknown distance measure {measure!r}: use 'geodesic' or 'laea'")
    to_nearest = _geodesic_to_nearest if measure == "geodesic" else _planar_to_nearest
    if len(points) == 0:
        return []
    array = np.asarray(points, dtype=float).reshape(-1, 2)
    lats, lons = array[:, 0], array[:, 1]
    _check_points(lats, lons)

    min_lon, min_lat, max_lon, max_lat = snapshot.bounds
    in_box = (lons >= min_lon) & (lons <= max_lon) & (lats >= min_lat) & (lats <= max_lat)
    europe = projection_area_of_use()
    near = (
        (lons >= europe.min_lon)
        & (lons <= europe.max_lon)
        & (lats >= europe.min_lat)
        & (lats <= europe.max_lat)
    )

    xs, ys = to_projected().transform(lons, lats)
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    inside = np.zeros(len(array), dtype=bool)
    # Containment is only possible inside the territory's bounding box: skip GEOS elsewhere.
    inside[in_box] = shapely.contains_xy(snapshot.projected, xs[in_box], ys[in_box])

    distances_m = np.zeros(len(array))
    edge_m = np.full(len(array), np.nan)
    outside_near = near & ~inside
    if np.any(outside_near):
        chosen = outside_near
        distances_m[chosen] = to_nearest(
            snapshot.projected, xs[chosen], ys[chosen], lons[chosen], lats[chosen]
        )
    if np.any(inside):
        edge_m[inside] = to_nearest(
            snapshot.projected_edge, xs[inside], ys[inside], lons[inside], lats[inside]
        )
    far = ~near
    if np.any(far):
        distances_m[far] = _geodesic_to_vertices(snapshot.edge_vertices, lons[far], lats[far])

    return [
        TerritoryStatus(
            status="occupied" if inside[i] else "free",
            distance_km=0.0 if inside[i] else float(distances_m[i]) / 1000.0,
            snapshot=snapshot.date,
            distance_to_edge_km=float(edge_m[i]) / 1000.0 if inside[i] else None,
        )
        for i in range(len(array))
    ]


def _geodesic_to_nearest(
    target: BaseGeometry, xs: np.ndarray, ys: np.ndarray, lons: np.ndarray, lats: np.ndarray
) -> np.ndarray:
    """Geodesic metres from each point to the point of ``target`` nearest it in LAEA."""
    lines = shapely.shortest_line(target, shapely.points(xs, ys))
    # shortest_line runs from ``target`` to the point: its first vertex is the nearest point.
    starts = shapely.get_coordinates(shapely.get_point(lines, 0))
    nearest_lons, nearest_lats = to_lonlat().transform(starts[:, 0], starts[:, 1])
    _, _, metres = _GEOD.inv(lons, lats, nearest_lons, nearest_lats)
    return np.asarray(metres, dtype=float)


def _planar_to_nearest(
    target: BaseGeometry, xs: np.ndarray, ys: np.ndarray, lons: np.ndarray, lats: np.ndarray
) -> np.ndarray:
    """Planar LAEA metres from each point to ``target`` (the reference method)."""
    return np.asarray(shapely.distance(target, shapely.points(xs, ys)), dtype=float)


def _unit_vectors(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    lon_rad, lat_rad = np.radians(lons), np.radians(lats)
    return np.column_stack(
        (np.cos(lat_rad) * np.cos(lon_rad), np.cos(lat_rad) * np.sin(lon_rad), np.sin(lat_rad))
    )


def _geodesic_to_vertices(vertices: np.ndarray, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Shortest geodesic metres from each point to any of ``vertices`` ((lon, lat) rows).

    A sphere ranks the vertices cheaply (one matrix product); the ellipsoid then measures
    only the FAR_CANDIDATES vertices the sphere ranks nearest. Over 2,808 random points
    outside Europe the ellipsoid's nearest vertex was always among the sphere's first three.
    """
    vertex_units = _unit_vectors(vertices[:, 0], vertices[:, 1])
    count = min(FAR_CANDIDATES, len(vertices))
    metres = np.empty(len(lons))
    for start in range(0, len(lons), FAR_BATCH):
        stop = min(start + FAR_BATCH, len(lons))
        point_units = _unit_vectors(lons[start:stop], lats[start:stop])
        # Largest cosine = smallest angle: no arccos needed to rank. Written out rather than
        # a matrix product, which would hand three-wide rows to a multi-threaded BLAS.
        cosines = (
            point_units[:, 0:1] * vertex_units[:, 0]
            + point_units[:, 1:2] * vertex_units[:, 1]
            + point_units[:, 2:3] * vertex_units[:, 2]
        )
        nearest = np.argpartition(-cosines, count - 1, axis=1)[:, :count]
        _, _, lengths = _GEOD.inv(
            np.repeat(lons[start:stop], count),
            np.repeat(lats[start:stop], count),
            vertices[nearest.ravel(), 0],
            vertices[nearest.ravel(), 1],
        )
        metres[start:stop] = np.asarray(lengths).reshape(-1, count).min(axis=1)
    return metres


def territory_status(
    snapshot: Snapshot, lat: float, lon: float, *, measure: DistanceMeasure = "geodesic"
) -> TerritoryStatus:
    """Whether (lat, lon) is in occupied territory, and how far from it (or its edge)."""
    return territory_statuses(snapshot, [(lat, lon)], measure=measure)[0]


# The front line runs through Ukraine: a distance to it says nothing about Mar-a-Lago.
FRONT_COUNTRY = "UA"


def _status_point(place: Place) -> tuple[float, float] | None:
    candidate = place.candidate
    if candidate is None or candidate.feature not in POINT_FEATURES:
        return None
    if candidate.country_code not in (None, "", FRONT_COUNTRY):
        return None
    if candidate.lat is None or candidate.lon is None:
        return None
    return (candidate.lat, candidate.lon)


def annotate_places(result: GeoparseResult, snapshot: Snapshot) -> GeoparseResult:
    """A copy of ``result`` whose places carry their territory status.

    Cities, landmarks and admin areas with a point in Ukraine (or in no known country) get
    one; places in other countries, countries, continents and unresolved places get None.
    """
    points = {index: _status_point(place) for index, place in enumerate(result.places)}
    located = {index: point for index, point in points.items() if point is not None}
    statuses = dict(zip(located, territory_statuses(snapshot, list(located.values())), strict=True))
    places = tuple(
        replace(place, territory=statuses.get(index)) for index, place in enumerate(result.places)
    )
    return replace(result, places=places)
