"""Seas, straits and geographic regions: the curated table loads, and the geoparser puts
"the Black Sea" on the sea while names inside organisations and towns keep their sense."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from frontline.errors import GazetteerError
from frontline.landmarks import (
    AREA_KINDS,
    AREA_SOURCE,
    DEFAULT_AREAS_PATH,
    LANDMARK_COLUMNS,
    LandmarkIndex,
    load_landmarks,
)
from tests.places import places_by_name

HEADER = ",".join(LANDMARK_COLUMNS)


@pytest.fixture(scope="module")
def areas() -> LandmarkIndex:
    return LandmarkIndex.load(DEFAULT_AREAS_PATH, kinds=AREA_KINDS)


def test_every_row_is_a_water_or_a_region_with_a_point_and_a_source(areas: LandmarkIndex) -> None:
    assert len(areas) >= 40
    for area in areas.landmarks:
        candidate = area.to_candidate()
        assert candidate.feature in {"water", "region"}, area
        assert candidate.source == AREA_SOURCE
        assert (area.lat, area.lon) != (0.0, 0.0), area
        assert area.source.startswith(("Wikipedia: ", "GeoNames: ")), area
        assert area.variants[0] == area.name, area


def test_names_the_gazetteer_has_no_point_for_are_in_the_table(areas: LandmarkIndex) -> None:
    for name in ("the Black Sea", "Sea of Azov", "Kerch Strait", "the Bosphorus", "Donbass"):
        assert areas.candidates(name), name


def test_an_area_row_may_leave_the_country_empty_a_landmark_may_not(tmp_path: Path) -> None:
    path = tmp_path / "areas.csv"
    path.write_text(
        f"{HEADER}\nBlack Sea,44.0,35.0,,Black Sea,sea,Wikipedia: Black Sea\n", encoding="utf-8"
    )
    (black_sea,) = load_landmarks(path, kinds=AREA_KINDS)
    assert black_sea.country_code is None and black_sea.to_candidate().feature == "water"
    with pytest.raises(GazetteerError, match=f"{path}:2: kind 'sea'"):
        load_landmarks(path)
    path.write_text(
        f"{HEADER}\nRed Square,55.75,37.62,,Red Square,venue,Wikipedia: Red Square\n",
        encoding="utf-8",
    )
    with pytest.raises(GazetteerError, match="empty country_code"):
        load_landmarks(path)


def test_a_sea_named_in_war_reporting_is_placed_on_the_sea(geoparser: Any) -> None:
    places = places_by_name(
        geoparser,
        "Russian warships in the Black Sea fired missiles at Odesa. "
        "Ships crossed the Kerch Strait into the Sea of Azov.",
    )
    black_sea = places["Black Sea"]
    assert black_sea.feature == "water"
    assert black_sea.candidate is not None
    assert (black_sea.candidate.lat, black_sea.candidate.lon) == (44.0, 35.0)
    assert places["Kerch Strait"].feature == "water"
    assert places["Sea of Azov"].has_point
    assert places["Odesa"].feature == "city"


def test_a_strait_spacy_calls_a_person_is_still_the_strait(geoparser: Any) -> None:
    places = places_by_name(
        geoparser,
        "Ships carrying grain left Odesa and Chornomorsk and sailed along the coast "
        "towards the Bosphorus, the navy said.",
    )
    assert places["Bosphorus"].feature == "water"
    assert places["Bosphorus"].candidate.country_code == "TR"  # type: ignore[union-attr]


def test_an_unclaimed_region_supports_the_places_listed_with_it(geoparser: Any) -> None:
    # spaCy's small model calls Crimea an organisation here; Donbas, a region in Ukraine,
    # now has a point, so the list "Donbas and Crimea" keeps both.
    places = places_by_name(geoparser, "Donbas and Crimea remain contested.")
    assert places["Donbas"].feature == "region"
    assert places["Crimea"].feature == "admin"


def test_names_inside_organisations_and_towns_keep_their_own_sense(geoparser: Any) -> None:
    places = places_by_name(
        geoparser,
        "The North Atlantic Treaty Organization met in Brussels. "
        "Later the delegates flew to Atlantic City, New Jersey.",
    )
    assert "Atlantic" not in places and "Atlantic Ocean" not in places
    assert places["Atlantic City"].feature == "city"
    assert places["Atlantic City"].candidate.country_code == "US"  # type: ignore[union-attr]
