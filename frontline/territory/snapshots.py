"""One occupied-territory layer: parsed, validated, projected once, ready for queries."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from frontline.errors import (
    SnapshotFormatError,
    SnapshotUnavailableError,
    TerritoryError,
)
from frontline.territory.projection import LonLatBox, project

SNAPSHOT_FILE_PATTERN = re.compile(r"deepstatemap_data_(\d{8})\.geojson$")
SNAPSHOT_NAME_PATTERN = re.compile(r"deepstatemap_data_(\d{8})")
SOURCE_NAME = "DeepStateMap via cyterat/deepstate-map-data"
SOURCE_LICENSE = "GPL-3.0"
SOURCE_CREDIT = f"{SOURCE_NAME} ({SOURCE_LICENSE})"
# A snapshot is under a megabyte; anything far larger is not one.
MAX_SNAPSHOT_BYTES = 50_000_000
# Boundary vertices used for places far outside Europe are spaced at most this far apart:
# at 500 km or more, a vertex instead of the edge between two errs by under 10 m.
FAR_VERTEX_SPACING_DEG = 0.05


UKRAINE = LonLatBox(min_lon=22.0, min_lat=44.0, max_lon=41.0, max_lat=53.0)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One occupied-territory layer, ready for point queries.

    ``geometry`` is in lon/lat; the other geometry fields are derived once at load time
    (LAEA copies, prepared) so that queries do no per-call projection of the polygons.
    """

    date: dt.date
    source: str
    geometry: BaseGeometry = field(repr=False, compare=False)
    projected: BaseGeometry = field(repr=False, compare=False)
    projected_edge: BaseGeometry = field(repr=False, compare=False)
    # (lon, lat) of boundary vertices densified to FAR_VERTEX_SPACING_DEG, for far places.
    edge_vertices: np.ndarray = field(repr=False, compare=False)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat)."""
        min_lon, min_lat, max_lon, max_lat = self.geometry.bounds
        return (min_lon, min_lat, max_lon, max_lat)

    @property
    def area_km2(self) -> float:
        return float(self.projected.area) / 1e6


def snapshot_date_from_name(name: str) -> dt.date | None:
    """The date in ``deepstatemap_data_YYYYMMDD`` inside a file name, URL or GeoJSON name."""
    match = SNAPSHOT_NAME_PATTERN.search(name)
    if match is None:
        return None
    try:
        return dt.datetime.strptime(match.group(1), "%Y%m%d").date()
    except ValueError:
        return None


def _geometries_in(document: Any) -> Iterable[dict[str, Any]]:
    """Every geometry object of a GeoJSON document (FeatureCollection, Feature or geometry)."""
    if not isinstance(document, dict):
        return
    kind = document.get("type")
    if kind == "FeatureCollection":
        for feature in document.get("features") or ():
            yield from _geometries_in(feature)
    elif kind == "Feature":
        yield from _geometries_in(document.get("geometry"))
    elif kind == "GeometryCollection":
        for member in document.get("geometries") or ():
            yield from _geometries_in(member)
    elif isinstance(kind, str) and "coordinates" in document:
        yield document


def _polygonal_parts(geometry: BaseGeometry) -> list[BaseGeometry]:
    parts = shapely.get_parts(geometry)
    return [part for part in parts if part.geom_type in ("Polygon", "MultiPolygon")]


def parse_snapshot(
    data: bytes,
    *,
    source: str,
    snapshot_date: dt.date | None = None,
    region: LonLatBox = UKRAINE,
) -> Snapshot:
    """A snapshot from GeoJSON bytes; ``source`` names the file or URL in every error.

    The date is ``snapshot_date`` if given, else read from ``deepstatemap_data_YYYYMMDD`` in
    the source's name or in the GeoJSON ``name`` member.
    """
    try:
        document = json.loads(data)
    except UnicodeDecodeError as error:
        raise SnapshotFormatError(f"{source} is not a text file ({error.reason})") from error
    except json.JSONDecodeError as error:
        raise SnapshotFormatError(
            f"{source} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from error
    if not isinstance(document, dict) or "type" not in document:
        raise SnapshotFormatError(f"{source} is JSON but not GeoJSON (no 'type' member)")

    polygons: list[BaseGeometry] = []
    for geometry_object in _geometries_in(document):
        if geometry_object.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        try:
            geometry = shape(geometry_object)
        except (ValueError, TypeError, IndexError, KeyError, AttributeError) as error:
            raise SnapshotFormatError(
                f"{source} has a malformed {geometry_object.get('type')} ({error})"
            ) from error
        except shapely.errors.ShapelyError as error:
            raise SnapshotFormatError(
                f"{source} has a malformed {geometry_object.get('type')} ({error})"
            ) from error
        if not geometry.is_empty:
            polygons.append(geometry)
    if not polygons:
        raise SnapshotFormatError(f"{source} holds no Polygon or MultiPolygon geometry")

    coordinates = shapely.get_coordinates(polygons)
    _check_coordinates(coordinates, source=source, region=region)

    date = snapshot_date or snapshot_date_from_name(source)
    if date is None and isinstance(document.get("name"), str):
        date = snapshot_date_from_name(document["name"])
    if date is None:
        raise SnapshotFormatError(
            f"cannot tell the date of {source}: name it deepstatemap_data_YYYYMMDD.geojson "
            "or give the date"
        )
    return _build_snapshot(polygons, date=date, source=source)


def _check_coordinates(coordinates: np.ndarray, *, source: str, region: LonLatBox) -> None:
    lons, lats = coordinates[:, 0], coordinates[:, 1]
    if not np.all(np.isfinite(coordinates)):
        raise SnapshotFormatError(f"{source} has coordinates that are not finite numbers")
    outside = (np.abs(lons) > 180.0) | (np.abs(lats) > 90.0)
    if np.any(outside):
        lon, lat = coordinates[int(np.argmax(outside))]
        raise SnapshotFormatError(
            f"{source} has coordinates outside lon/lat ranges (e.g. {lon:g}, {lat:g}); "
            "a snapshot must be GeoJSON in lon/lat degrees (CRS84), not projected"
        )
    if region.holds(lons, lats):
        return
    if region.holds(lats, lons):
        raise SnapshotFormatError(
            f"{source} has coordinates in lat/lon order; GeoJSON puts longitude first"
        )
    raise SnapshotFormatError(
        f"{source} lies outside the region a snapshot must cover ({region.describe()})"
    )


def _build_snapshot(polygons: list[BaseGeometry], *, date: dt.date, source: str) -> Snapshot:
    # DeepStateMap's hand-drawn rings sometimes touch or cross themselves; GEOS needs valid
    # input, and the 'structure' method keeps the drawn areas rather than the linework.
    repaired: list[BaseGeometry] = []
    for polygon in polygons:
        if polygon.is_valid:
            repaired.append(polygon)
        else:
            repaired.extend(_polygonal_parts(shapely.make_valid(polygon, method="structure")))
    try:
        merged = shapely.union_all(repaired)
    except shapely.errors.GEOSException as error:
        raise SnapshotFormatError(f"{source} has polygons GEOS cannot merge ({error})") from error
    if merged.is_empty:
        raise SnapshotFormatError(f"{source} holds no polygon with an area")
    projected = project(merged)
    projected_edge = projected.boundary
    densified_edge = shapely.segmentize(merged.boundary, FAR_VERTEX_SPACING_DEG)
    edge_vertices = shapely.get_coordinates(densified_edge)
    for geometry in (merged, projected, projected_edge):
        shapely.prepare(geometry)
    # GEOS builds a prepared geometry's indexes on first use; doing that here means
    # concurrent readers (one per Streamlit session) only ever read them.
    probe = shapely.Point(projected.centroid)
    shapely.contains_xy(projected, probe.x, probe.y)
    shapely.shortest_line(projected, probe)
    shapely.shortest_line(projected_edge, probe)
    return Snapshot(
        date=date,
        source=source,
        geometry=merged,
        projected=projected,
        projected_edge=projected_edge,
        edge_vertices=edge_vertices,
    )


def load_snapshot(
    path: str | os.PathLike[str],
    *,
    snapshot_date: dt.date | None = None,
    region: LonLatBox = UKRAINE,
) -> Snapshot:
    """Read and validate one snapshot file."""
    file_path = Path(path)
    try:
        data = file_path.read_bytes()
    except FileNotFoundError as error:
        raise SnapshotUnavailableError(f"snapshot file {file_path} does not exist") from error
    except OSError as error:
        raise TerritoryError(
            f"cannot read snapshot file {file_path}: {error.strerror or error}"
        ) from error
    return parse_snapshot(data, source=str(file_path), snapshot_date=snapshot_date, region=region)


def snapshot_dates(names: Iterable[str]) -> list[dt.date]:
    """Dates of the ``deepstatemap_data_YYYYMMDD.geojson`` names among ``names``, oldest first."""
    dates = []
    for name in names:
        date = snapshot_date_from_name(name) if SNAPSHOT_FILE_PATTERN.fullmatch(name) else None
        if date is not None:
            dates.append(date)
    return sorted(set(dates))


def snapshot_file_name(date: dt.date) -> str:
    return f"deepstatemap_data_{date:%Y%m%d}.geojson"
