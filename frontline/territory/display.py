"""The territory and its change as GeoJSON for the map: simplified, rounded, slivers dropped."""

from __future__ import annotations

import json
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from frontline.territory.change import TerritoryChange
from frontline.territory.projection import project, to_projected, unproject
from frontline.territory.snapshots import SOURCE_CREDIT, Snapshot

DEFAULT_DISPLAY_TOLERANCE_M = 100.0
# Two snapshots' outlines differ by hair-thin slivers where one was redrawn over the other:
# hundreds of parts under a hectare, most of the drawn change layer's bytes, none visible.
DEFAULT_MIN_CHANGE_PART_KM2 = 0.01


def display_geometry(
    geometry_lonlat: BaseGeometry, tolerance_m: float = DEFAULT_DISPLAY_TOLERANCE_M
) -> BaseGeometry:
    """A simplified copy for drawing; the snapshot used for distances is untouched."""
    simplified = shapely.simplify(project(geometry_lonlat), tolerance_m, preserve_topology=True)
    return unproject(simplified)


def _round_coordinates(geometry: BaseGeometry, digits: int) -> BaseGeometry:
    # Five decimals is about a metre: finer digits only add bytes to the page.
    return shapely.set_precision(geometry, 10.0**-digits, mode="pointwise")


def geometry_feature_collection(
    geometry: BaseGeometry, properties: dict[str, Any], *, digits: int | None = 5
) -> dict[str, Any]:
    features = []
    if not geometry.is_empty:
        rounded = geometry if digits is None else _round_coordinates(geometry, digits)
        features.append({"type": "Feature", "properties": properties, "geometry": mapping(rounded)})
    return {"type": "FeatureCollection", "features": features}


def display_geojson(
    snapshot: Snapshot,
    *,
    tolerance_m: float | None = DEFAULT_DISPLAY_TOLERANCE_M,
    digits: int | None = 5,
) -> dict[str, Any]:
    """The occupied area as a GeoJSON dict for the map.

    ``tolerance_m=None`` keeps every vertex; ``digits=None`` keeps full coordinate precision.
    """
    geometry = (
        snapshot.geometry
        if tolerance_m is None
        else display_geometry(snapshot.geometry, tolerance_m)
    )
    properties = {"snapshot": snapshot.date.isoformat(), "source": SOURCE_CREDIT}
    return geometry_feature_collection(geometry, properties, digits=digits)


def change_geojson(
    change: TerritoryChange,
    *,
    tolerance_m: float | None = DEFAULT_DISPLAY_TOLERANCE_M,
    digits: int | None = 5,
    min_part_km2: float = DEFAULT_MIN_CHANGE_PART_KM2,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(gained, regained) as GeoJSON dicts for the map.

    Parts smaller than ``min_part_km2`` are left out of the drawing (the areas stated in
    the properties, like ``change``'s, still count them).
    """

    def prepare(geometry: BaseGeometry, kind: str, area_km2: float) -> dict[str, Any]:
        shown = drop_small_parts(geometry, min_part_km2)
        shown = shown if tolerance_m is None else display_geometry(shown, tolerance_m)
        properties = {
            "change": kind,
            "from": change.earlier.isoformat(),
            "to": change.later.isoformat(),
            "area_km2": round(area_km2, 1),
        }
        return geometry_feature_collection(shown, properties, digits=digits)

    return (
        prepare(change.gained, "gained", change.gained_km2),
        prepare(change.regained, "regained", change.regained_km2),
    )


def drop_small_parts(geometry_lonlat: BaseGeometry, min_part_km2: float) -> BaseGeometry:
    """The polygons of ``geometry_lonlat`` of at least ``min_part_km2`` (measured in LAEA)."""
    if min_part_km2 <= 0 or geometry_lonlat.is_empty:
        return geometry_lonlat
    # Twice: a collection's members may themselves be multipolygons.
    parts = shapely.get_parts(shapely.get_parts(geometry_lonlat))
    parts = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    projected = shapely.transform(parts, to_projected().transform, interleaved=False)
    areas_km2 = shapely.area(projected) / 1e6
    kept = parts[areas_km2 >= min_part_km2]
    return shapely.multipolygons(kept) if len(kept) else shapely.MultiPolygon()


def geojson_size_bytes(document: dict[str, Any]) -> int:
    """Bytes the document takes in the page (compact JSON, as folium embeds it)."""
    return len(json.dumps(document, separators=(",", ":")).encode())
