"""Representative points of wide places: a region at the centre of its towns' box, a country
in several parts at the centre of its main part.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

# A town whose coordinate or region code is wrong in GeoNames (a "Sofiyivka" coded in
# Donetsk Oblast but lying 250 km west of it) would stretch its region's box: extreme towns
# set apart from the rest by a gap wider than this share of the others' span, and few
# enough, are left out of the box.
_STRAY_GAP_SHARE = 1.0
_STRAY_MAX_SHARE = 0.02
_STRAY_MIN_TOWNS = 20


def _without_strays(values: list[float]) -> list[float]:
    """``values`` sorted, without the extreme ones a wide gap sets apart from the rest."""
    ordered = sorted(values)
    if len(ordered) < _STRAY_MIN_TOWNS:
        return ordered
    most = max(1, int(len(ordered) * _STRAY_MAX_SHARE))
    low, high = 0, len(ordered)
    for _ in range(most):
        span = ordered[high - 1] - ordered[low]
        low_gap = ordered[low + 1] - ordered[low]
        high_gap = ordered[high - 1] - ordered[high - 2]
        if low_gap >= high_gap and low_gap > _STRAY_GAP_SHARE * (span - low_gap):
            low += 1
        elif high_gap > _STRAY_GAP_SHARE * (span - high_gap):
            high -= 1
        else:
            break
    return ordered[low:high]


def bounding_box_centre(points: Sequence[tuple[float, float, int]]) -> tuple[float, float]:
    """Centre of the box around ``points``, across the antimeridian when that box is narrower.

    A region's GeoNames point lies near the middle of its area; the mean of its towns is
    pulled towards where people live (Ontario's towns average 620 km south of its point).
    """
    lats = _without_strays([point[0] for point in points])
    lons = _without_strays([point[1] for point in points])
    shifted = _without_strays([point[1] % 360.0 for point in points])
    lat = (min(lats) + max(lats)) / 2
    if max(shifted) - min(shifted) < max(lons) - min(lons):
        lon = (min(shifted) + max(shifted)) / 2
        return lat, lon - 360.0 if lon > 180.0 else lon
    return lat, (min(lons) + max(lons)) / 2


# A country whose largest part holds less than this share of its area (the United States
# with Alaska and Hawaii, Japan, Canada with its islands) is placed at that part's centre...
MAIN_PART_SHARE = 0.9
# ...when that part still dominates: an archipelago with no dominant island (the
# Philippines, Indonesia, New Zealand) or a country in two halves (Malaysia) is better
# represented by countryinfo's own point than by its largest island's centre.
DOMINANT_PART_SHARE = 0.7


def _ring_area_and_centroid(ring: Sequence[Sequence[float]]) -> tuple[float, float, float]:
    """Planar (lon, lat) area and centroid of a closed ring, by the shoelace formula."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area == 0:
        return 0.0, ring[0][0], ring[0][1]
    return abs(area) / 2, cx / (3 * area), cy / (3 * area)


def main_part_centre(geojson: object) -> tuple[float, float] | None:
    """(lat, lon) of the centre of a country's largest part, when it is in several parts.

    countryinfo's points come from a different convention than GeoNames' own (the US at
    38, -97 rather than the centre of the contiguous states, 235 km away); for a country
    in one main piece the two agree, for a scattered one the main part's centre is closer.
    """
    try:
        geometry = geojson["features"][0]["geometry"]  # type: ignore[index]
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        parts = [_ring_area_and_centroid(polygon[0]) for polygon in polygons]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    total = sum(part[0] for part in parts)
    if not parts or total <= 0:
        return None
    area, lon, lat = max(parts)
    return (lat, lon) if DOMINANT_PART_SHARE <= area / total < MAIN_PART_SHARE else None
