"""Occupied-territory snapshots: load, pick by date, status and distance of places, change.

A snapshot is one DeepStateMap layer (a GeoJSON FeatureCollection of (Multi)Polygons in
lon/lat, CRS84) with the date it was drawn. Sources: a local folder of
``deepstatemap_data_YYYYMMDD.geojson`` files, the public origin by URL template (cached on
disk), or a file or URL the user names.

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

import datetime as dt
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import pyproj
import requests
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from frontline.errors import (
    SnapshotFetchError,
    SnapshotFormatError,
    SnapshotUnavailableError,
    TerritoryError,
)
from frontline.model import POINT_FEATURES, Candidate, GeoparseResult, Place, TerritoryStatus
from frontline.settings import Settings

logger = logging.getLogger(__name__)

SNAPSHOT_FILE_PATTERN = re.compile(r"deepstatemap_data_(\d{8})\.geojson$")
SNAPSHOT_NAME_PATTERN = re.compile(r"deepstatemap_data_(\d{8})")
SOURCE_NAME = "DeepStateMap via cyterat/deepstate-map-data"
SOURCE_LICENSE = "GPL-3.0"
SOURCE_CREDIT = f"{SOURCE_NAME} ({SOURCE_LICENSE})"
PROJECTED_CRS = "EPSG:3035"
# Features whose point stands for the place itself; a country's or continent's
# representative point says nothing about where the front is.
# A snapshot is under a megabyte; anything far larger is not one.
MAX_SNAPSHOT_BYTES = 50_000_000
DEFAULT_MAX_STEP_BACK_DAYS = 14
DEFAULT_DISPLAY_TOLERANCE_M = 100.0
# Two snapshots' outlines differ by hair-thin slivers where one was redrawn over the other:
# hundreds of parts under a hectare, most of the drawn change layer's bytes, none visible.
DEFAULT_MIN_CHANGE_PART_KM2 = 0.01
# Boundary vertices used for places far outside Europe are spaced at most this far apart:
# at 500 km or more, a vertex instead of the edge between two errs by under 10 m.
FAR_VERTEX_SPACING_DEG = 0.05
FAR_CANDIDATES = 16
FAR_BATCH = 256

_GEOD = pyproj.Geod(ellps="WGS84")
DistanceMeasure = Literal["geodesic", "laea"]


@dataclass(frozen=True, slots=True)
class LonLatBox:
    """A lon/lat rectangle, used to tell a snapshot of the right region from a broken one."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def holds(self, lons: np.ndarray, lats: np.ndarray) -> bool:
        return bool(
            np.all((lons >= self.min_lon) & (lons <= self.max_lon))
            and np.all((lats >= self.min_lat) & (lats <= self.max_lat))
        )

    def describe(self) -> str:
        return f"lon {self.min_lon:g}..{self.max_lon:g}, lat {self.min_lat:g}..{self.max_lat:g}"


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


@dataclass(frozen=True, slots=True)
class SnapshotChoice:
    """Which snapshot serves an article, where it came from, and how old it is."""

    snapshot: Snapshot
    article_date: dt.date | None
    origin: str
    from_cache: bool = False

    @property
    def age_days(self) -> int | None:
        """Days from the snapshot to the article (0: same day); None if the article is undated."""
        if self.article_date is None:
            return None
        return (self.article_date - self.snapshot.date).days

    def describe(self) -> str:
        text = f"front line of {self.snapshot.date.isoformat()} ({SOURCE_CREDIT})"
        age = self.age_days
        if age is not None:
            if age == 0:
                text += ", same day as the article"
            elif age > 0:
                text += f", {age} day{'s' if age != 1 else ''} before the article"
            else:
                text += f", {-age} day{'s' if age != -1 else ''} after the article"
        if self.from_cache:
            text += ", from cache"
        return text


@dataclass(frozen=True, slots=True)
class TerritoryChange:
    """What changed hands between two snapshots (``earlier`` is never after ``later``)."""

    earlier: dt.date
    later: dt.date
    gained: BaseGeometry = field(repr=False, compare=False)
    regained: BaseGeometry = field(repr=False, compare=False)
    gained_km2: float = 0.0
    regained_km2: float = 0.0

    @property
    def net_gained_km2(self) -> float:
        """Positive when the occupier holds more at ``later`` than at ``earlier``."""
        return self.gained_km2 - self.regained_km2


class SnapshotProvider(Protocol):
    def snapshot_for(self, article_date: dt.date) -> SnapshotChoice: ...


# ---------------------------------------------------------------------------- loading


# pyproj transformers must not be shared between threads (Streamlit runs each session in
# its own), so each thread builds its pair once.
_per_thread = threading.local()


def _to_projected() -> pyproj.Transformer:
    transformer = getattr(_per_thread, "to_projected", None)
    if transformer is None:
        transformer = pyproj.Transformer.from_crs("EPSG:4326", PROJECTED_CRS, always_xy=True)
        _per_thread.to_projected = transformer
    return transformer


def _to_lonlat() -> pyproj.Transformer:
    transformer = getattr(_per_thread, "to_lonlat", None)
    if transformer is None:
        transformer = pyproj.Transformer.from_crs(PROJECTED_CRS, "EPSG:4326", always_xy=True)
        _per_thread.to_lonlat = transformer
    return transformer


@cache
def _projection_area_of_use() -> LonLatBox:
    area = pyproj.CRS.from_user_input(PROJECTED_CRS).area_of_use
    if area is None:  # pragma: no cover - EPSG:3035 always has one
        return LonLatBox(-35.58, 24.6, 44.83, 84.73)
    return LonLatBox(area.west, area.south, area.east, area.north)


def _project(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, _to_projected().transform, interleaved=False)


def _unproject(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, _to_lonlat().transform, interleaved=False)


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
    projected = _project(merged)
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


# ---------------------------------------------------------------------------- providers


class FolderSnapshots:
    """Snapshots in a local folder of ``deepstatemap_data_YYYYMMDD.geojson`` files."""

    def __init__(self, folder: str | os.PathLike[str], *, region: LonLatBox = UKRAINE) -> None:
        self.folder = Path(folder)
        self.region = region

    def available_dates(self) -> list[dt.date]:
        if not self.folder.is_dir():
            raise SnapshotUnavailableError(f"snapshot folder {self.folder} does not exist")
        try:
            names = [path.name for path in self.folder.iterdir()]
        except OSError as error:
            raise TerritoryError(
                f"cannot list snapshot folder {self.folder}: {error.strerror or error}"
            ) from error
        return snapshot_dates(names)

    def path_for(self, date: dt.date) -> Path:
        return self.folder / snapshot_file_name(date)

    def snapshot_for(self, article_date: dt.date) -> SnapshotChoice:
        dates = self.available_dates()
        if not dates:
            raise SnapshotUnavailableError(f"no deepstatemap_data_*.geojson in {self.folder}")
        earlier = [date for date in dates if date <= article_date]
        if not earlier:
            raise SnapshotUnavailableError(
                f"no snapshot on or before {article_date.isoformat()} in {self.folder}; "
                f"the first is {dates[0].isoformat()}"
            )
        path = self.path_for(earlier[-1])
        snapshot = load_snapshot(path, snapshot_date=earlier[-1], region=self.region)
        return SnapshotChoice(snapshot=snapshot, article_date=article_date, origin=str(path))


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


# Raises (a FrontlineError) when a URL must not be fetched, e.g. frontline.fetch.check_url.
UrlCheck = Callable[[str], object]


class _NotAtOrigin(Exception):
    """The origin answered 404: that day has no snapshot (internal to OriginSnapshots)."""


def _fetch_bytes(
    url: str,
    *,
    session: requests.Session,
    timeout_s: float,
    max_bytes: int = MAX_SNAPSHOT_BYTES,
    url_check: UrlCheck | None = None,
) -> bytes:
    if url_check is not None:
        url_check(url)
    try:
        # A checked URL must not be redirected somewhere unchecked.
        with session.get(
            url, timeout=timeout_s, stream=True, allow_redirects=url_check is None
        ) as response:
            if response.status_code == 404:
                raise _NotAtOrigin(url)
            if response.status_code >= 400:
                raise SnapshotFetchError(
                    f"cannot fetch snapshot {url}: HTTP {response.status_code} {response.reason}"
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > max_bytes:
                    raise SnapshotFetchError(
                        f"snapshot {url} is larger than {max_bytes // 1_000_000} MB; refused"
                    )
                chunks.append(chunk)
            return b"".join(chunks)
    except requests.Timeout as error:
        raise SnapshotFetchError(
            f"cannot fetch snapshot {url}: no answer within {timeout_s:g} s"
        ) from error
    except requests.ConnectionError as error:
        raise SnapshotFetchError(f"cannot fetch snapshot {url}: cannot connect") from error
    except requests.RequestException as error:
        reason = type(error).__name__
        raise SnapshotFetchError(f"cannot fetch snapshot {url}: {reason}") from error


def _cache_copy(path: Path, data: bytes) -> None:
    """Keep a fetched snapshot; a cache that cannot be written only costs a refetch later."""
    try:
        _write_atomically(path, data)
    except OSError as error:
        logger.warning("cannot cache snapshot in %s: %s", path, error.strerror or error)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-", suffix=".geojson")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class OriginSnapshots:
    """Snapshots fetched from the public origin by date, cached on disk once fetched.

    The origin misses some days, and today's file appears only in the early morning, so a
    missing day (404) steps back one day at a time, at most ``max_step_back_days``. When the
    origin cannot be reached, the latest cached snapshot within that window is used.
    """

    def __init__(
        self,
        url_template: str,
        *,
        session: requests.Session,
        cache_dir: str | os.PathLike[str],
        fetch: bool = True,
        timeout_s: float = 10.0,
        max_step_back_days: int = DEFAULT_MAX_STEP_BACK_DAYS,
        region: LonLatBox = UKRAINE,
        today: Callable[[], dt.date] = _utc_today,
    ) -> None:
        self.url_template = url_template
        self.session = session
        # One folder per template, so that switching origins never mixes their files.
        template_key = hashlib.sha256(url_template.encode()).hexdigest()[:12]
        self.cache_folder = Path(cache_dir) / template_key
        self.fetch = fetch
        self.timeout_s = timeout_s
        self.max_step_back_days = max_step_back_days
        self.region = region
        self.today = today
        self._missing_at_origin: set[dt.date] = set()

    def url_for(self, date: dt.date) -> str:
        return self.url_template.format(date=date)

    def cached_path(self, date: dt.date) -> Path:
        return self.cache_folder / snapshot_file_name(date)

    def load_cached(self, date: dt.date, article_date: dt.date) -> SnapshotChoice | None:
        """The cached snapshot of ``date``, or None (an unreadable copy is discarded)."""
        path = self.cached_path(date)
        if not path.is_file():
            return None
        try:
            snapshot = load_snapshot(path, snapshot_date=date, region=self.region)
        except SnapshotFormatError:
            logger.warning("discarding unreadable cached snapshot %s", path)
            path.unlink(missing_ok=True)
            return None
        return SnapshotChoice(snapshot, article_date, origin=self.url_for(date), from_cache=True)

    def cached_dates(self) -> list[dt.date]:
        """Dates of the snapshots in this origin's cache folder, oldest first."""
        try:
            names = [path.name for path in self.cache_folder.iterdir()]
        except OSError:
            return []
        return snapshot_dates(names)

    def snapshot_for(
        self, article_date: dt.date, *, after: dt.date | None = None
    ) -> SnapshotChoice:
        """The latest snapshot on or before ``article_date`` (and after ``after``, when a
        caller already holds that one), from the cache, else from the origin."""
        window = [
            day
            for day in (
                article_date - dt.timedelta(days=n) for n in range(self.max_step_back_days + 1)
            )
            if after is None or day > after
        ]
        if not window:
            raise SnapshotUnavailableError(
                f"no snapshot after {after} and on or before {article_date} to look for"
            )
        fetch_failure: SnapshotFetchError | None = None
        for date in window:
            cached = self.load_cached(date, article_date)
            if cached is not None:
                return cached
            if not self.fetch or fetch_failure is not None or date in self._missing_at_origin:
                continue
            url = self.url_for(date)
            try:
                data = _fetch_bytes(url, session=self.session, timeout_s=self.timeout_s)
            except _NotAtOrigin:
                logger.info("no snapshot for %s at the origin; stepping back a day", date)
                # Today's and yesterday's files may still appear; older gaps are for good.
                if date < self.today() - dt.timedelta(days=1):
                    self._missing_at_origin.add(date)
                continue
            except SnapshotFetchError as error:
                # Keep walking back through the cache only: an older cached line beats none.
                logger.warning("%s; looking for an earlier cached snapshot", error)
                fetch_failure = error
                continue
            snapshot = parse_snapshot(data, source=url, snapshot_date=date, region=self.region)
            _cache_copy(self.cached_path(date), data)
            return SnapshotChoice(snapshot, article_date, origin=url)

        first, last = window[-1].isoformat(), window[0].isoformat()
        if fetch_failure is not None:
            raise SnapshotFetchError(
                f"{fetch_failure}; and no snapshot from {first} to {last} is cached in "
                f"{self.cache_folder}"
            )
        if not self.fetch:
            raise SnapshotUnavailableError(
                f"no snapshot from {first} to {last} is cached in {self.cache_folder} and "
                "fetching is off (set FRONTLINE_TERRITORY_FETCH=1, or supply a snapshot file)"
            )
        raise SnapshotUnavailableError(
            f"the origin has no snapshot from {first} to {last} "
            f"({self.url_template.format(date=window[0])} and the {self.max_step_back_days} "
            "days before)"
        )


class LocalFirstSnapshots:
    """What ``auto`` means: snapshots already on this machine first (a folder the user
    names, then the origin's cache), the origin itself only when fetching is on.

    The latest local snapshot on or before the article's date is used as it is when it is
    of that very day or fetching is off; with fetching on, the origin is asked only for the
    days between it and the article, and a failing origin falls back to it.
    """

    def __init__(self, origin: OriginSnapshots, folder: FolderSnapshots | None = None) -> None:
        self.origin = origin
        self.folder = folder

    def _folder_dates(self) -> list[dt.date]:
        if self.folder is None:
            return []
        return self.folder.available_dates()

    def available_dates(self) -> list[dt.date]:
        """Every snapshot date on this machine (folder and cache), oldest first."""
        return sorted(set(self._folder_dates()) | set(self.origin.cached_dates()))

    def _local(self, date: dt.date, article_date: dt.date) -> SnapshotChoice | None:
        if self.folder is not None and self.folder.path_for(date).is_file():
            path = self.folder.path_for(date)
            snapshot = load_snapshot(path, snapshot_date=date, region=self.folder.region)
            return SnapshotChoice(snapshot, article_date, origin=str(path))
        return self.origin.load_cached(date, article_date)

    def snapshot_for(self, article_date: dt.date) -> SnapshotChoice:
        local_dates = [date for date in self.available_dates() if date <= article_date]
        best = self._local(local_dates[-1], article_date) if local_dates else None
        if best is not None and (best.snapshot.date == article_date or not self.origin.fetch):
            return best
        if self.origin.fetch:
            after = best.snapshot.date if best is not None else None
            try:
                return self.origin.snapshot_for(article_date, after=after)
            except TerritoryError as error:
                if best is None:
                    raise
                logger.info("%s; using the local snapshot of %s", error, best.snapshot.date)
                return best
        where = [f"cached in {self.origin.cache_folder}"]
        if self.folder is not None:
            where.insert(0, f"in {self.folder.folder}")
        raise SnapshotUnavailableError(
            f"no front-line snapshot on or before {article_date.isoformat()} "
            f"{' or '.join(where)}, and fetching is off: set FRONTLINE_TERRITORY_FETCH=1 to "
            f"fetch it from {self.origin.url_for(article_date)}, set FRONTLINE_TERRITORY_DIR "
            "to a folder of deepstatemap_data_YYYYMMDD.geojson files, or give a snapshot file"
        )


def load_snapshot_url(
    url: str,
    *,
    session: requests.Session,
    cache_dir: str | os.PathLike[str],
    timeout_s: float = 10.0,
    snapshot_date: dt.date | None = None,
    region: LonLatBox = UKRAINE,
    url_check: UrlCheck | None = None,
) -> SnapshotChoice:
    """A snapshot a user names by URL, cached; the cached copy is used if the URL fails.

    ``url_check`` vets a URL that came from a user (address policy) and turns off redirects;
    without it, this function fetches whatever it is given.
    """
    url_key = hashlib.sha256(url.encode()).hexdigest()[:16]
    cached = Path(cache_dir) / "by-url" / f"{url_key}.geojson"
    date = snapshot_date or snapshot_date_from_name(url)
    try:
        data = _fetch_bytes(url, session=session, timeout_s=timeout_s, url_check=url_check)
    except (_NotAtOrigin, SnapshotFetchError) as error:
        message = (
            f"cannot fetch snapshot {url}: HTTP 404 Not Found"
            if isinstance(error, _NotAtOrigin)
            else str(error)
        )
        if cached.is_file():
            logger.warning("%s; using the cached copy %s", message, cached)
            snapshot = parse_snapshot(
                cached.read_bytes(), source=url, snapshot_date=date, region=region
            )
            return SnapshotChoice(snapshot, None, origin=url, from_cache=True)
        raise SnapshotFetchError(f"{message}; no cached copy") from error
    snapshot = parse_snapshot(data, source=url, snapshot_date=date, region=region)
    _cache_copy(cached, data)
    return SnapshotChoice(snapshot, None, origin=url)


def choose_snapshot(
    spec: str,
    article_date: dt.date | None,
    *,
    provider: SnapshotProvider | None,
    session: requests.Session | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    timeout_s: float = 10.0,
    url_check: UrlCheck | None = None,
) -> SnapshotChoice:
    """Resolve a user's choice: ``auto`` (the provider, by the article's date), a URL, a
    snapshot file, or a folder of ``deepstatemap_data_YYYYMMDD.geojson`` files."""
    if spec == "auto":
        if article_date is None:
            raise SnapshotUnavailableError(
                "the article has no date, so no snapshot can be chosen for it; "
                "give a snapshot file or URL instead"
            )
        if provider is None:
            raise SnapshotUnavailableError("no snapshot source is configured")
        return provider.snapshot_for(article_date)
    if spec.startswith(("http://", "https://")):
        if session is None or cache_dir is None:
            raise TerritoryError(f"cannot fetch {spec}: no HTTP session or cache folder given")
        choice = load_snapshot_url(
            spec, session=session, cache_dir=cache_dir, timeout_s=timeout_s, url_check=url_check
        )
        return replace(choice, article_date=article_date)
    if Path(spec).is_dir():
        if article_date is None:
            raise SnapshotUnavailableError(
                f"the article has no date, so no snapshot in {spec} can be chosen for it"
            )
        return FolderSnapshots(spec).snapshot_for(article_date)
    snapshot = load_snapshot(spec)
    return SnapshotChoice(snapshot, article_date, origin=spec)


def origin_snapshots(settings: Settings, session: requests.Session) -> OriginSnapshots:
    """The public origin as the settings describe it (template, cache, fetch on or off)."""
    return OriginSnapshots(
        settings.territory_url_template,
        session=session,
        cache_dir=settings.territory_cache_dir,
        fetch=settings.territory_fetch,
        timeout_s=settings.http_timeout_s,
    )


def local_first_snapshots(settings: Settings, session: requests.Session) -> LocalFirstSnapshots:
    """``auto`` as the settings describe it: ``territory_dir`` and the cache first, then the
    origin if ``territory_fetch`` is on."""
    folder = FolderSnapshots(settings.territory_dir) if settings.territory_dir else None
    return LocalFirstSnapshots(origin_snapshots(settings, session), folder)


def annotator_for(
    spec: str, settings: Settings, *, session: requests.Session | None = None
) -> Callable[[GeoparseResult], GeoparseResult]:
    """The CLI's ``--territory SOURCE``: fills each place's status from ``SOURCE``.

    ``auto`` picks the snapshot by each article's date (``local_first_snapshots``: the
    settings' folder and cache, the origin only when fetching is on); a file, folder or URL
    is read once, up front, so a bad source fails before any work.
    """
    if session is None:
        session = requests.Session()
        session.headers["User-Agent"] = settings.user_agent
    provider = local_first_snapshots(settings, session)
    fixed: SnapshotChoice | None = None
    if spec != "auto" and not Path(spec).is_dir():
        fixed = choose_snapshot(
            spec,
            None,
            provider=provider,
            session=session,
            cache_dir=settings.territory_cache_dir,
            timeout_s=settings.http_timeout_s,
        )
        logger.info("territory: %s", fixed.describe())
    by_date: dict[dt.date, SnapshotChoice] = {}

    def annotate(result: GeoparseResult) -> GeoparseResult:
        choice = fixed
        if choice is None:
            date = result.article.date
            if date is None:
                raise SnapshotUnavailableError(
                    f"{result.article.source} has no date, so no snapshot can be chosen for "
                    "it; give --territory a snapshot file or URL"
                )
            choice = by_date.get(date)
            if choice is None:
                choice = choose_snapshot(spec, date, provider=provider)
                by_date[date] = choice
                logger.info("territory for %s: %s", result.article.source, choice.describe())
        return annotate_places(result, choice.snapshot)

    return annotate


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
    europe = _projection_area_of_use()
    near = (
        (lons >= europe.min_lon)
        & (lons <= europe.max_lon)
        & (lats >= europe.min_lat)
        & (lats <= europe.max_lat)
    )

    xs, ys = _to_projected().transform(lons, lats)
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
    nearest_lons, nearest_lats = _to_lonlat().transform(starts[:, 0], starts[:, 1])
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


def _status_point(place: Place) -> tuple[float, float] | None:
    candidate = place.candidate
    if candidate is None or candidate.feature not in POINT_FEATURES:
        return None
    if candidate.lat is None or candidate.lon is None:
        return None
    return (candidate.lat, candidate.lon)


def annotate_places(result: GeoparseResult, snapshot: Snapshot) -> GeoparseResult:
    """A copy of ``result`` whose places carry their territory status.

    Cities, landmarks and admin areas with a point get one; countries, continents and
    unresolved places get None.
    """
    points = {index: _status_point(place) for index, place in enumerate(result.places)}
    located = {index: point for index, point in points.items() if point is not None}
    statuses = dict(zip(located, territory_statuses(snapshot, list(located.values())), strict=True))
    places = tuple(
        replace(place, territory=statuses.get(index)) for index, place in enumerate(result.places)
    )
    return replace(result, places=places)


# ---------------------------------------------------------------------------- change


def territory_change(first: Snapshot, second: Snapshot) -> TerritoryChange:
    """The area that changed hands between two snapshots, in either order.

    Geometries are in lon/lat; areas are measured in LAEA (equal-area).
    """
    earlier, later = sorted((first, second), key=lambda snapshot: snapshot.date)
    gained = shapely.difference(later.projected, earlier.projected)
    regained = shapely.difference(earlier.projected, later.projected)
    return TerritoryChange(
        earlier=earlier.date,
        later=later.date,
        gained=_unproject(gained),
        regained=_unproject(regained),
        gained_km2=float(gained.area) / 1e6,
        regained_km2=float(regained.area) / 1e6,
    )


# ---------------------------------------------------------------------------- display


def display_geometry(
    geometry_lonlat: BaseGeometry, tolerance_m: float = DEFAULT_DISPLAY_TOLERANCE_M
) -> BaseGeometry:
    """A simplified copy for drawing; the snapshot used for distances is untouched."""
    simplified = shapely.simplify(_project(geometry_lonlat), tolerance_m, preserve_topology=True)
    return _unproject(simplified)


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
    projected = shapely.transform(parts, _to_projected().transform, interleaved=False)
    areas_km2 = shapely.area(projected) / 1e6
    kept = parts[areas_km2 >= min_part_km2]
    return shapely.multipolygons(kept) if len(kept) else shapely.MultiPolygon()


def geojson_size_bytes(document: dict[str, Any]) -> int:
    """Bytes the document takes in the page (compact JSON, as folium embeds it)."""
    return len(json.dumps(document, separators=(",", ":")).encode())


__all__ = [
    "SOURCE_CREDIT",
    "SOURCE_LICENSE",
    "SOURCE_NAME",
    "UKRAINE",
    "FolderSnapshots",
    "LocalFirstSnapshots",
    "LonLatBox",
    "OriginSnapshots",
    "Snapshot",
    "SnapshotChoice",
    "SnapshotProvider",
    "TerritoryChange",
    "annotate_places",
    "annotator_for",
    "change_geojson",
    "choose_snapshot",
    "display_geojson",
    "display_geometry",
    "drop_small_parts",
    "geojson_size_bytes",
    "load_snapshot",
    "load_snapshot_url",
    "local_first_snapshots",
    "origin_snapshots",
    "parse_snapshot",
    "snapshot_date_from_name",
    "snapshot_dates",
    "snapshot_file_name",
    "territory_change",
    "territory_lookup",
    "territory_status",
    "territory_statuses",
]
