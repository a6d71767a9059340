"""One occupied-territory layer: parsed, validated, projected once, ready for queries.

A snapshot file is untrusted input with three bounds: its size (``MAX_SNAPSHOT_BYTES``, for
files, uploads and downloads alike), how deep its objects nest (``MAX_GEOJSON_DEPTH``; JSON
nested too deep for the parser is refused too, never a RecursionError), and the time and
memory its geometry may cost. Merging a single valid layer, which is what DeepStateMap
publishes, is cheap and done here; repairing rings that cross themselves, or merging
polygons that overlap, can cost minutes and gigabytes, so it runs in a child process
(``geometry_worker``) that is killed at ``REPAIR_TIME_LIMIT_S`` and may not grow past
``REPAIR_MEMORY_LIMIT_BYTES``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
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
# A snapshot is about 80 kB (3,000 vertices); a hundred times that is not one.
MAX_SNAPSHOT_BYTES = 8_000_000
# FeatureCollection > Feature > geometry is three levels; GeometryCollections add a few.
MAX_GEOJSON_DEPTH = 16
# At most this many polygons are merged in this process, and only valid ones whose
# envelopes are disjoint; anything else goes to the bounded worker.
MAX_POLYGONS_MERGED_HERE = 64
REPAIR_TIME_LIMIT_S = 5.0
REPAIR_MEMORY_LIMIT_BYTES = 1_000_000_000
_WORKER = Path(__file__).with_name("geometry_worker.py")
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


def _geometries_in(document: Any, source: str) -> Iterator[dict[str, Any]]:
    """Every geometry object of a GeoJSON document (FeatureCollection, Feature or geometry),
    in document order, walked without recursion and refused past ``MAX_GEOJSON_DEPTH``."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, dict):
            continue
        if depth > MAX_GEOJSON_DEPTH:
            raise SnapshotFormatError(
                f"{source} nests its GeoJSON objects more than {MAX_GEOJSON_DEPTH} levels deep"
            )
        kind = node.get("type")
        if kind == "FeatureCollection":
            members = node.get("features") or ()
        elif kind == "Feature":
            members = (node.get("geometry"),)
        elif kind == "GeometryCollection":
            members = node.get("geometries") or ()
        else:
            if isinstance(kind, str) and "coordinates" in node:
                yield node
            continue
        if isinstance(members, list | tuple):
            stack.extend((member, depth + 1) for member in reversed(members))


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
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise SnapshotFormatError(
            f"{source} is {len(data):,} bytes, more than the {MAX_SNAPSHOT_BYTES:,} a snapshot "
            "may be (a DeepStateMap snapshot is about 80 kB)"
        )
    try:
        document = json.loads(data)
    except RecursionError as error:
        raise SnapshotFormatError(f"{source} nests its JSON too deeply to be a snapshot") from error
    except UnicodeDecodeError as error:
        raise SnapshotFormatError(f"{source} is not a text file ({error.reason})") from error
    except json.JSONDecodeError as error:
        raise SnapshotFormatError(
            f"{source} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from error
    if not isinstance(document, dict) or "type" not in document:
        raise SnapshotFormatError(f"{source} is JSON but not GeoJSON (no 'type' member)")

    polygons: list[BaseGeometry] = []
    for geometry_object in _geometries_in(document, source):
        if geometry_object.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        try:
            geometry = shape(geometry_object)
        except (
            ValueError,
            TypeError,
            IndexError,
            KeyError,
            AttributeError,
            RecursionError,
        ) as error:
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


def _merged_here(polygons: list[BaseGeometry], source: str) -> BaseGeometry | None:
    """The polygons merged in this process when that is cheap, else None.

    Cheap: valid polygons, and either few of them with envelopes that do not meet (merged
    by GEOS, as every DeepStateMap layer is), or parts that together already form a valid
    MultiPolygon (nothing to merge: a union of 9,000 separate squares would take seconds).
    """
    if not all(polygon.is_valid for polygon in polygons):
        return None
    if len(polygons) <= MAX_POLYGONS_MERGED_HERE:
        envelopes = shapely.envelope(polygons)
        pairs = shapely.STRtree(envelopes).query(envelopes, predicate="intersects")
        if int(pairs.shape[1]) == len(polygons):  # each envelope meets only itself
            try:
                return shapely.union_all(polygons)
            except shapely.errors.GEOSException as error:
                raise SnapshotFormatError(
                    f"{source} has polygons GEOS cannot merge ({error})"
                ) from error
    parts = shapely.get_parts(shapely.get_parts(polygons))
    together = shapely.MultiPolygon(list(parts))
    return together if together.is_valid else None


def _merge_in_worker(polygons: list[BaseGeometry], source: str) -> BaseGeometry:
    """Repair (DeepStateMap's hand-drawn rings sometimes cross themselves) and merge in the
    bounded child process; refused in one line when it needs more time or memory."""
    blob = shapely.to_wkb(shapely.GeometryCollection(polygons))
    # One thread: BLAS pools reserve address space the child's memory limit would count.
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    command = [sys.executable, str(_WORKER), str(REPAIR_MEMORY_LIMIT_BYTES)]
    try:
        completed = subprocess.run(
            command,
            input=blob,
            capture_output=True,
            timeout=REPAIR_TIME_LIMIT_S,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise SnapshotFormatError(
            f"{source} has polygons that cross themselves or one another too often to be "
            f"repaired within the time limit of {REPAIR_TIME_LIMIT_S:g} s; fix the file "
            "(e.g. with QGIS's 'Fix geometries') or use another snapshot"
        ) from error
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        last = detail[-1] if detail else f"exit status {completed.returncode}"
        if "MemoryError" in last or "bad_alloc" in last:
            raise SnapshotFormatError(
                f"{source} has polygons that cross themselves or one another too often to be "
                f"repaired within the memory limit of {REPAIR_MEMORY_LIMIT_BYTES / 1e9:g} GB; "
                "fix the file (e.g. with QGIS's 'Fix geometries') or use another snapshot"
            )
        raise SnapshotFormatError(f"{source} has polygons GEOS cannot repair or merge ({last})")
    return shapely.from_wkb(completed.stdout)


def _build_snapshot(polygons: list[BaseGeometry], *, date: dt.date, source: str) -> Snapshot:
    merged = _merged_here(polygons, source)
    if merged is None:
        merged = _merge_in_worker(polygons, source)
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
        with file_path.open("rb") as stream:
            # Read one byte past the cap, so that a larger file is refused unread.
            data = stream.read(MAX_SNAPSHOT_BYTES + 1)
            if len(data) > MAX_SNAPSHOT_BYTES:
                size = os.fstat(stream.fileno()).st_size
                raise SnapshotFormatError(
                    f"{file_path} is {size:,} bytes, more than the {MAX_SNAPSHOT_BYTES:,} a "
                    "snapshot may be (a DeepStateMap snapshot is about 80 kB)"
                )
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
