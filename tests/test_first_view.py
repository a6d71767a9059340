"""The first view frames where the article's places cluster, never countries or wide regions."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from components.catalog import build_catalog
from components.place_map import view_for
from frontline.first_view import clusters, theatre
from frontline.model import Candidate, Mention, Place, TerritoryStatus

FRONT_TOWNS = {"Pokrovsk", "Kupiansk", "Kostyantynivka"}


def place(
    name: str, lat: float, lon: float, country: str, mentions: int = 1, **extra: Any
) -> Place:
    candidate = Candidate(
        geonameid=abs(hash(name)) % 10_000_000,
        name=name,
        lat=lat,
        lon=lon,
        feature=extra.pop("feature", "city"),
        country_code=country,
        admin1=None,
        population=1000,
    )
    spans = tuple(Mention(name, index, index + len(name), 0) for index in range(mentions))
    return Place(name, candidate, 1.0, (), (), spans, **extra)


def test_the_sample_frames_its_front_line_towns_not_washington_or_kyiv(sample_result: Any) -> None:
    # No front line known: the largest cluster of Ukraine's places (three towns against Kyiv
    # named seven times).
    chosen = {place.name for place in theatre(sample_result.places)}
    assert chosen == FRONT_TOWNS
    catalog = build_catalog(sample_result)
    view = view_for(catalog, catalog.mapped_names(), theatre_only=True)
    everything = view_for(catalog, catalog.mapped_names())
    # Close enough for a scale bar of tens of km, where all places together need a world view.
    assert view.zoom >= 7 > everything.zoom + 3
    assert 47.5 < view.center[0] < 50.5 and 36.5 < view.center[1] < 38.5


def test_places_near_the_front_line_come_first() -> None:
    day = dt.date(2025, 10, 17)
    kyiv = place("Kyiv", 50.45, 30.52, "UA", mentions=9)
    lviv = place("Lviv", 49.84, 24.03, "UA")
    odesa = place("Odesa", 46.48, 30.73, "UA")
    kherson = place("Kherson", 46.64, 32.61, "UA", territory=TerritoryStatus("free", 4.0, day))
    far = dataclasses.replace(kyiv, territory=TerritoryStatus("free", 380.0, day))
    assert theatre([far, lviv, odesa, kherson]) == (kherson,)


def test_countries_and_wide_regions_never_set_the_view() -> None:
    ukraine = place("Ukraine", 49.0, 32.0, "UA", mentions=20, feature="country")
    black_sea = place("Black Sea", 43.4, 34.3, "", mentions=5, feature="water")
    budapest = place("Budapest", 47.50, 19.04, "HU")
    assert theatre([ukraine, black_sea, budapest]) == (budapest,)


def test_elsewhere_the_largest_cluster_wins() -> None:
    washington = place("Washington", 38.90, -77.04, "US")
    white_house = place("White House", 38.90, -77.04, "US", feature="landmark")
    mar_a_lago = place("Mar-a-Lago", 26.68, -80.04, "US", mentions=2, feature="landmark")
    chosen = theatre([mar_a_lago, washington, white_house])
    assert {place.name for place in chosen} == {"Washington", "White House"}
    assert len(clusters([mar_a_lago, washington, white_house])) == 2


def test_places_a_country_apart_are_all_framed(sample_result: Any) -> None:
    kharkiv = place("Kharkiv", 49.99, 36.23, "UA")
    odesa = place("Odesa", 46.48, 30.73, "UA")
    catalog = build_catalog(dataclasses.replace(sample_result, places=(kharkiv, odesa)))
    view = view_for(catalog, catalog.names, theatre_only=True)
    assert view == view_for(catalog, catalog.names)
    assert 46.48 < view.center[0] < 49.99 + 1 and 30.73 < view.center[1] < 36.23
