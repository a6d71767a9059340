"""The equal-area projection the territory is measured in (ETRS89-LAEA), lon/lat boxes."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

PROJECTED_CRS = "EPSG:3035"


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


# pyproj transformers must not be shared between threads (Streamlit runs each session in
# its own), so each thread builds its pair once.
_per_thread = threading.local()


def to_projected() -> pyproj.Transformer:
    transformer = getattr(_per_thread, "to_projected", None)
    if transformer is None:
        transformer = pyproj.Transformer.from_crs("EPSG:4326", PROJECTED_CRS, always_xy=True)
        _per_thread.to_projected = transformer
    return transformer


def to_lonlat() -> pyproj.Transformer:
    transformer = getattr(_per_thread, "to_lonlat", None)
    if transformer is None:
        transformer = pyproj.Transformer.from_crs(PROJECTED_CRS, "EPSG:4326", always_xy=True)
        _per_thread.to_lonlat = transformer
    return transformer


@cache
def projection_area_of_use() -> LonLatBox:
    area = pyproj.CRS.from_user_input(PROJECTED_CRS).area_of_use
    if area is None:  # pragma: no cover - EPSG:3035 always has one
        return LonLatBox(-35.58, 24.6, 44.83, 84.73)
    return LonLatBox(area.west, area.south, area.east, area.north)


def project(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, to_projected().transform, interleaved=False)


def unproject(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, to_lonlat().transform, interleaved=False)
