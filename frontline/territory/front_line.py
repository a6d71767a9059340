"""The front line of one snapshot as a line, and how far places lie from it.

The line is where Russian-held ground meets Ukrainian-held ground: the edge of occupied
territory that faces free Ukraine, and the state border between Russia and free Ukraine
(Sumy, Kharkiv and Chernihiv oblasts are shelled across it). The edge of occupied territory
along the coast and along the Russian border of the occupied areas is no front: Mariupol
or Sevastopol are not "at the front" because the layer's polygon ends at the sea there.

Built once per snapshot: free Ukraine is Ukraine's outline less the occupied layer (its
main part: slivers between a coarse outline and the drawn layer are dropped), and the
front is the part of free Ukraine's boundary that lies along occupied territory or Russia.
The outlines of Ukraine and Russia are countryinfo's (a pinned dependency already, from
Natural Earth's small-scale boundaries): off by a few kilometres along the border, which a
prior that speaks of tens of kilometres does not feel.

Distances are the territory package's (``distance.py``): the nearest point is found in the
equal-area projection, the length measured on the WGS84 ellipsoid; a place outside the
projection's area of use is far from the front (None).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry

from frontline.errors import TerritoryError
from frontline.model import Article
from frontline.territory.distance import _check_points, _geodesic_to_nearest
from frontline.territory.projection import project, projection_area_of_use, to_projected
from frontline.territory.snapshots import Snapshot
from frontline.territory.sources import SnapshotChoice

logger = logging.getLogger(__name__)

# A stretch of free Ukraine's boundary this close to occupied territory or to Russia is
# front (the outlines and the drawn layer do not meet exactly)...
TOUCHING_M = 3_000.0
# ...judged piece by piece, at most this long (the outline's own edges run for tens of km).
PIECE_M = 1_000.0
# Russia's outline is cut to this lon/lat box around Ukraine before it is projected.
RUSSIA_NEAR_UKRAINE = (20.0, 40.0, 60.0, 60.0)


@cache
def _country_outline(file_name: str) -> BaseGeometry:
    """A country's outline (lon/lat) from countryinfo's per-country record."""
    import countryinfo

    path = Path(countryinfo.__file__).parent / "data" / file_name
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        features = record["geoJSON"]["features"]
        return shapely.union_all([shape(feature["geometry"]) for feature in features])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise TerritoryError(f"cannot read the country outline {path}: {error}") from error


@cache
def _outlines() -> tuple[BaseGeometry, BaseGeometry]:
    """Ukraine and (the part near it of) Russia, projected, read once per process."""
    ukraine = project(_country_outline("ukraine.json"))
    russia = project(_country_outline("russia.json").intersection(box(*RUSSIA_NEAR_UKRAINE)))
    return ukraine, russia


@dataclass(frozen=True, slots=True)
class FrontLine:
    """The front line of one snapshot (projected, prepared), ready for distance queries."""

    snapshot_date: dt.date
    source: str
    line: BaseGeometry = field(repr=False, compare=False)

    @property
    def length_km(self) -> float:
        return float(self.line.length) / 1000.0

    def distances_km(self, points: Sequence[tuple[float, float]]) -> list[float | None]:
        """Geodesic km from each (lat, lon) to the nearest point of the line, all at once;
        None for a point outside the projection's area of use (far from any front)."""
        if len(points) == 0:
            return []
        array = np.asarray(points, dtype=float).reshape(-1, 2)
        lats, lons = array[:, 0], array[:, 1]
        _check_points(lats, lons)
        area = projection_area_of_use()
        inside = (
            (lons >= area.min_lon)
            & (lons <= area.max_lon)
            & (lats >= area.min_lat)
            & (lats <= area.max_lat)
        )
        metres = np.full(len(array), np.nan)
        if np.any(inside):
            xs, ys = to_projected().transform(lons[inside], lats[inside])
            metres[inside] = _geodesic_to_nearest(
                self.line,
                np.asarray(xs, dtype=float),
                np.asarray(ys, dtype=float),
                lons[inside],
                lats[inside],
            )
        return [None if np.isnan(value) else float(value) / 1000.0 for value in metres]


def front_line_of(snapshot: Snapshot) -> FrontLine:
    """The front line of ``snapshot``: where its occupied territory, or Russia, meets free
    Ukraine (see the module's docstring). Some tens of milliseconds; callers keep it."""
    ukraine, russia = _outlines()
    free = ukraine.difference(snapshot.projected)
    parts = [part for part in shapely.get_parts(free) if part.geom_type == "Polygon"]
    if not parts:
        raise TerritoryError(f"{snapshot.source}: the layer covers all of Ukraine")
    free_ukraine = max(parts, key=lambda part: part.area)
    segments = _segments(shapely.segmentize(free_ukraine, PIECE_M))
    held = shapely.union_all([snapshot.projected, russia])
    shapely.prepare(held)
    on_front = shapely.dwithin(held, segments, TOUCHING_M)
    line = shapely.line_merge(shapely.multilinestrings(segments[on_front]))
    shapely.prepare(line)
    # GEOS builds the prepared line's index on first use: here, so that concurrent readers
    # (one per Streamlit session) only ever read it.
    shapely.shortest_line(line, shapely.Point(line.centroid))
    return FrontLine(snapshot.date, snapshot.source, line)


def _segments(polygon: BaseGeometry) -> np.ndarray:
    """The polygon's boundary (outer ring and holes) as an array of two-point lines."""
    pieces = []
    for ring in (polygon.exterior, *polygon.interiors):
        coordinates = shapely.get_coordinates(ring)
        pieces.append(np.stack([coordinates[:-1], coordinates[1:]], axis=1))
    return shapely.linestrings(np.concatenate(pieces))


class FrontLines:
    """The front line of each article's date, where a snapshot for it is at hand: chosen by
    ``choose`` (an article's ``SnapshotChoice``; a TerritoryError means none), built once
    per snapshot file and kept (the last MAX_KEPT)."""

    MAX_KEPT = 16

    def __init__(self, choose: Callable[[Article], SnapshotChoice]) -> None:
        self.choose = choose
        self._kept: OrderedDict[tuple[object, ...], FrontLine] = OrderedDict()
        self._lock = threading.Lock()

    def for_article(self, article: Article) -> FrontLine | None:
        """The front line of the article's snapshot; None (logged) where there is none."""
        try:
            snapshot = self.choose(article).snapshot
        except TerritoryError as error:
            logger.info("no front line to weigh the namesakes of %s: %s", article.source, error)
            return None
        key = _identity(snapshot)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                return kept
        built = front_line_of(snapshot)
        with self._lock:
            self._kept[key] = built
            while len(self._kept) > self.MAX_KEPT:
                self._kept.popitem(last=False)
        return built


def _identity(snapshot: Snapshot) -> tuple[object, ...]:
    """What a snapshot's content depends on: its file's size and time where it is a file."""
    path = Path(snapshot.source)
    try:
        stat = path.stat() if path.is_file() else None
    except OSError:
        stat = None
    if stat is None:
        return (snapshot.date, snapshot.source)
    return (snapshot.date, str(path.resolve()), stat.st_mtime_ns, stat.st_size)
