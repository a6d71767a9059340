"""Small front-line snapshots written by the tests, so that no front-line test needs ``../shared``.

They are DeepStateMap-shaped GeoJSON (a FeatureCollection of Polygons in lon/lat) named
``deepstatemap_data_YYYYMMDD.geojson``, drawn by hand around the Donetsk and Luhansk area:
Horlivka and Donetsk lie inside, Pokrovsk, Kramatorsk and Kharkiv outside. They are not the
real front line. Tests that need a folder of snapshots take a ``SnapshotSet``
(``tests/conftest.py``): the written one always, and the real one in ``../shared/frontline``
as well where it is beside the checkout.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# (lon, lat) rings. The later snapshot holds a little more to the west and a little less to
# the south-east, so two of them have territory changing hands both ways.
EARLIER_RING: tuple[tuple[float, float], ...] = (
    (37.60, 47.00),
    (40.20, 47.00),
    (40.20, 49.60),
    (38.30, 49.60),
    (37.90, 48.60),
    (37.60, 47.00),
)
LATER_RING: tuple[tuple[float, float], ...] = (
    (37.45, 47.00),
    (39.90, 47.00),
    (40.20, 47.40),
    (40.20, 49.60),
    (38.30, 49.60),
    (37.80, 48.60),
    (37.45, 47.00),
)
EARLIER_DATE = dt.date(2025, 10, 1)
LATER_DATE = dt.date(2025, 10, 15)
# A small enclave far from the main area (a second polygon in the same layer).
ENCLAVE_RING: tuple[tuple[float, float], ...] = (
    (33.40, 46.60),
    (33.70, 46.60),
    (33.70, 46.80),
    (33.40, 46.80),
    (33.40, 46.60),
)


def snapshot_name(date: dt.date) -> str:
    return f"deepstatemap_data_{date:%Y%m%d}.geojson"


def snapshot_document(rings: Sequence[Sequence[tuple[float, float]]]) -> dict[str, object]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "occupied"},
                "geometry": {"type": "Polygon", "coordinates": [[list(point) for point in ring]]},
            }
            for ring in rings
        ],
    }


def write_snapshot(
    folder: Path,
    date: dt.date,
    rings: Sequence[Sequence[tuple[float, float]]] | None = None,
) -> Path:
    """One snapshot file in ``folder`` (made if missing); the later ring and the enclave
    unless ``rings`` says otherwise."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / snapshot_name(date)
    chosen = rings if rings is not None else (LATER_RING, ENCLAVE_RING)
    path.write_text(json.dumps(snapshot_document(chosen)), encoding="utf-8")
    return path


def write_snapshot_folder(folder: Path) -> Path:
    """A folder with the earlier and the later snapshot."""
    write_snapshot(folder, EARLIER_DATE, (EARLIER_RING, ENCLAVE_RING))
    write_snapshot(folder, LATER_DATE, (LATER_RING, ENCLAVE_RING))
    return folder


# ----------------------------------------------------------------------------------------
# A folder that stands in for ../shared/frontline: the same file names for the days the
# tests use, drawn to have what the real layers have where the tests look. Horlivka,
# Bakhmut, Donetsk and Simferopol lie inside; Pokrovsk, Myrnohrad, Kostyantynivka and
# Kupiansk tens of kilometres outside; between the earlier and the later layer territory
# changes hands both ways (a bulge taken in the west, a corner given up in the south-east),
# and one stretch of the long eastern edge is redrawn, which leaves a couple of hundred
# slivers of a few hundred m² each, as redrawing does in the real layers.

WRITTEN_EARLIER_DAYS = (dt.date(2024, 8, 1), dt.date(2025, 9, 1), dt.date(2025, 10, 1))
WRITTEN_LATER_DAYS = (dt.date(2025, 10, 17), dt.date(2025, 10, 18))
_NORTH, _EAST, _SOUTH = 49.65, 40.20, 47.00
# The eastern edge, north to south, as a drawn line: a vertex every 0.002° (about 220 m),
# each pushed 0.00002° (about 1.5 m) east or west in turn.
_EDGE_STEP_DEG = 0.002
_EDGE_JITTER_DEG = 0.00002
_REDRAWN_STEPS = range(300, 700)


def _eastern_edge(redrawn: bool) -> list[tuple[float, float]]:
    steps = round((_NORTH - _SOUTH) / _EDGE_STEP_DEG)
    points = []
    for step in range(steps + 1):
        side = 1 if step % 2 else -1
        if redrawn and step in _REDRAWN_STEPS:
            side = -side
        jitter = 0.0 if step in (0, steps) else side * _EDGE_JITTER_DEG
        points.append((round(_EAST + jitter, 6), round(_NORTH - step * _EDGE_STEP_DEG, 6)))
    return points


def _densified(ring: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The ring with a vertex at least every 0.01° (about 1 km), as a drawn line has: a
    long straight edge in lon/lat is not straight in the projection distances use."""
    points = [ring[0]]
    for (lon0, lat0), (lon1, lat1) in itertools.pairwise(ring):
        pieces = max(1, int(max(abs(lon1 - lon0), abs(lat1 - lat0)) / 0.01))
        points.extend(
            (
                round(lon0 + (lon1 - lon0) * k / pieces, 6),
                round(lat0 + (lat1 - lat0) * k / pieces, 6),
            )
            for k in range(1, pieces + 1)
        )
    return points


def written_main_ring(later: bool) -> list[tuple[float, float]]:
    west = [(37.35, 47.60)] if later else [(37.55, 47.60)]
    south_east = [] if later else [(39.90, 46.85)]
    return _densified(
        [
            (38.30, _NORTH),
            *_eastern_edge(redrawn=later),
            *south_east,
            (39.60, _SOUTH),
            (37.60, 46.95),
            *west,
            (37.60, 48.10),
            (37.88, 48.60),
            (38.30, _NORTH),
        ]
    )


CRIMEA_RING: tuple[tuple[float, float], ...] = (
    (33.50, 44.40),
    (36.60, 45.00),
    (36.00, 45.50),
    (35.00, 46.00),
    (33.60, 46.10),
    (32.50, 45.40),
    (33.50, 44.40),
)


def write_test_snapshots(folder: Path) -> Path:
    """The stand-in for ../shared/frontline (see above), written into ``folder``."""
    for days, later in ((WRITTEN_EARLIER_DAYS, False), (WRITTEN_LATER_DAYS, True)):
        for day in days:
            write_snapshot(folder, day, (written_main_ring(later), _densified(CRIMEA_RING)))
    return folder


# ----------------------------------------------------------------------------------------
# Which snapshots a test runs on, and what it may expect of them.

SHARED_FRONTLINE = Path(__file__).resolve().parents[1].parent / "shared" / "frontline"
SAMPLE_DAY = dt.date(2025, 10, 17)
# The GeoNames points SOURCE.md measures from, and its figures for the real 2025-10-17
# layer (km, to one decimal).
REFERENCE_POINTS = {
    "Pokrovsk": (48.28014, 37.17706),
    "Kupiansk": (49.71003, 37.61581),
    "Kostyantynivka": (48.52728, 37.70594),
    "Bakhmut (to the edge)": (48.59419, 37.99886),
}
SHARED_REFERENCE_KM = {
    "Pokrovsk": 3.4,
    "Kupiansk": 1.3,
    "Kostyantynivka": 9.6,
    "Myrnohrad": 4.4,
    "Bakhmut (to the edge)": 10.4,
}


@dataclass(frozen=True, slots=True)
class SnapshotSet:
    """A folder of ``deepstatemap_data_YYYYMMDD.geojson`` files with at least the days
    2024-08-01, 2025-09-01, 2025-10-01, 2025-10-17 and 2025-10-18, and the distances tests
    may expect: SOURCE.md's for the real layers; for the written ones, those measured
    without the code under test (``geodesic_km_to_edge``)."""

    name: str
    folder: Path
    reference_km: Mapping[str, float] | None = None

    def path(self, day: dt.date) -> Path:
        return self.folder / snapshot_name(day)

    def expected_km(self, name: str, lat: float | None = None, lon: float | None = None) -> float:
        """How far ``name`` (at lat, lon; by default its REFERENCE_POINTS point) lies from
        the 2025-10-17 layer's edge."""
        if self.reference_km is not None:
            return self.reference_km[name]
        if lat is None or lon is None:
            lat, lon = REFERENCE_POINTS[name]
        return geodesic_km_to_edge(self.path(SAMPLE_DAY), lat, lon)


def shared_snapshots_present() -> bool:
    return (SHARED_FRONTLINE / snapshot_name(SAMPLE_DAY)).is_file()


# The sets a test of snapshots runs on: the written one always, the real one where it is.
# A checkout without ../shared runs every such test on the written set; none is skipped.
# FRONTLINE_TEST_SNAPSHOTS=written runs as such a checkout would.
SNAPSHOT_SET_NAMES = (
    ("written", "shared")
    if shared_snapshots_present() and os.environ.get("FRONTLINE_TEST_SNAPSHOTS") != "written"
    else ("written",)
)


def make_snapshot_set(name: str, scratch: Path) -> SnapshotSet:
    if name == "shared":
        return SnapshotSet("shared", SHARED_FRONTLINE, SHARED_REFERENCE_KM)
    return SnapshotSet("written", write_test_snapshots(scratch / "written-snapshots"))


def geodesic_km_to_edge(path: Path, lat: float, lon: float) -> float:
    """The shortest WGS84 geodesic from (lat, lon) to the edge of the file's polygons,
    densified to about 50 m: read and measured with shapely and pyproj alone."""
    import numpy as np
    import pyproj
    import shapely
    from shapely.geometry import shape

    document = json.loads(path.read_text(encoding="utf-8"))
    geometry = shapely.union_all([shape(feature["geometry"]) for feature in document["features"]])
    vertices = shapely.get_coordinates(shapely.segmentize(geometry.boundary, 0.0005))
    count = len(vertices)
    _, _, metres = pyproj.Geod(ellps="WGS84").inv(
        np.full(count, lon), np.full(count, lat), vertices[:, 0], vertices[:, 1]
    )
    return float(np.min(metres)) / 1000.0
