"""Where an article's places cluster: the part of the map a reader should see first.

A war report names the towns of the front and, in passing, capitals and residences far away
(Washington, Mar-a-Lago). Framing them all gives a world map on which the front is a speck.
The theatre is, in this order:

1. the places near the front line (occupied, or free within ``FRONT_ZONE_KM`` of occupied
   territory), when the front line is known;
2. else the largest cluster of the places in Ukraine;
3. else the largest cluster of all the places.

Only point places count (towns, regions' seats, landmarks): countries, continents, seas and
wide regions never set the view. A cluster joins places within ``LINK_KM`` of one another;
the largest has the most distinct places, then the most mentions, then comes first in the text.
"""

from __future__ import annotations

from collections.abc import Sequence

from frontline.geo import distance_km
from frontline.model import POINT_FEATURES, Place

FRONT_ZONE_KM = 100.0
LINK_KM = 250.0
HOME_COUNTRY = "UA"


def _point(place: Place) -> tuple[float, float]:
    assert place.lat is not None and place.lon is not None
    return (place.lat, place.lon)


def clusters(places: Sequence[Place], link_km: float = LINK_KM) -> list[list[Place]]:
    """Single-linkage groups: two places within ``link_km`` are in the same group."""
    groups: list[list[Place]] = []
    for place in places:
        joined = [
            group
            for group in groups
            if any(distance_km(*_point(place), *_point(other)) <= link_km for other in group)
        ]
        merged = [place]
        for group in joined:
            merged = group + merged
            groups.remove(group)
        groups.append(merged)
    return groups


def largest_cluster(places: Sequence[Place], link_km: float = LINK_KM) -> list[Place]:
    order = {id(place): index for index, place in enumerate(places)}

    def size(group: list[Place]) -> tuple[int, int, int]:
        mentions = sum(len(place.mentions) for place in group)
        return (len(group), mentions, -min(order[id(place)] for place in group))

    groups = clusters(places, link_km)
    return max(groups, key=size) if groups else []


def near_front(place: Place, zone_km: float = FRONT_ZONE_KM) -> bool:
    territory = place.territory
    if territory is None:
        return False
    return territory.status == "occupied" or territory.distance_km <= zone_km


def theatre(places: Sequence[Place]) -> tuple[Place, ...]:
    """The places the first view frames (empty when none has a point)."""
    points = [place for place in places if place.has_point and place.feature in POINT_FEATURES]
    front = [place for place in points if near_front(place)]
    if front:
        return tuple(largest_cluster(front))
    home = [
        place
        for place in points
        if place.candidate is not None and place.candidate.country_code == HOME_COUNTRY
    ]
    return tuple(largest_cluster(home or points))
