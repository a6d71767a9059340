"""Country outlines drawn when map tiles cannot load: Natural Earth 1:10m, from a package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import Point, shape

from frontline.outlines import THEATRE_BOX, outlines_geojson, write_outlines


@pytest.fixture(scope="module")
def outlines() -> dict[str, Any]:
    return outlines_geojson()


def country(outlines: dict[str, Any], code: str) -> Any:
    (feature,) = [f for f in outlines["features"] if f["properties"]["a2"] == code]
    return shape(feature["geometry"])


def test_towns_lie_in_their_countries(outlines: dict[str, Any]) -> None:
    ukraine = country(outlines, "UA")
    # Crimea is drawn as Ukraine's, as the UN recognises it (Natural Earth's German view).
    for lon, lat in [(30.52, 50.45), (33.52, 44.60), (37.18, 48.28), (37.62, 49.71)]:
        assert ukraine.contains(Point(lon, lat)), (lon, lat)
    assert country(outlines, "RU").contains(Point(36.59, 50.60))  # Belgorod
    assert country(outlines, "HU").contains(Point(19.04, 47.50))  # Budapest
    assert not ukraine.contains(Point(36.59, 50.60))


def test_fine_around_the_theatre_coarse_elsewhere(outlines: dict[str, Any]) -> None:
    ukraine = country(outlines, "UA")
    canada = country(outlines, "CA")
    # Ukraine at about 1 km: the Sea of Azov's spits and the Dnipro's mouth are there.
    assert shapely.get_num_coordinates(ukraine) > 800

    def points_per_degree(geometry: Any) -> float:
        return float(shapely.get_num_coordinates(geometry)) / geometry.boundary.length

    assert points_per_degree(ukraine) > 5 * points_per_degree(canada)
    # Russia, fine inside the box and coarse outside, is one valid shape with no seam: a point
    # on the box's edge deep inside Russia is inside it.
    russia = country(outlines, "RU")
    assert russia.is_valid
    assert russia.contains(Point(THEATRE_BOX[2], 52.0))


def test_written_once_and_light(tmp_path: Path) -> None:
    path = write_outlines(tmp_path)
    size = path.stat().st_size
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert len(collection["features"]) > 200
    # The page stays light: the whole world in a few hundred kB (about a quarter gzipped).
    assert size < 300_000
    stamp = path.stat().st_mtime_ns
    assert write_outlines(tmp_path) == path and path.stat().st_mtime_ns == stamp
