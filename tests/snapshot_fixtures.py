"""Small front-line snapshots written by the tests, so that no front-line test needs ``../shared``.

They are DeepStateMap-shaped GeoJSON (a FeatureCollection of Polygons in lon/lat) named
``deepstatemap_data_YYYYMMDD.geojson``, drawn by hand around the Donetsk and Luhansk area:
Horlivka and Donetsk lie inside, Pokrovsk, Kramatorsk and Kharkiv outside. They are not the
real front line; tests that need the real one read ``../shared/frontline``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
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
