"""What changed hands between two snapshots, in km²."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry

from frontline.territory.projection import unproject
from frontline.territory.snapshots import Snapshot


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
        gained=unproject(gained),
        regained=unproject(regained),
        gained_km2=float(gained.area) / 1e6,
        regained_km2=float(regained.area) / 1e6,
    )
