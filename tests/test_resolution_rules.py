"""The gazetteer and resolver rules chosen on GeoWebNews (issue 7), on texts of our own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from frontline.geo import distance_km
from frontline.representative_points import bounding_box_centre, main_part_centre
from tests.places import places_by_name


def _square(lon: float, lat: float, side: float) -> list[list[list[float]]]:
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side]]
    return [[*ring, [lon, lat]]]


def _feature_collection(geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": geometry}]}


# -- representative points ------------------------------------------------------------------


def test_a_country_in_several_parts_is_placed_at_its_main_part() -> None:
    # A 4x4 square (16) and a 2x2 square (4): the main part holds 80% of the area.
    geojson = _feature_collection(
        {"type": "MultiPolygon", "coordinates": [_square(0, 0, 4), _square(20, 20, 2)]}
    )
    lat, lon = main_part_centre(geojson) or (None, None)
    assert lat == pytest.approx(2.0) and lon == pytest.approx(2.0)


def test_a_country_in_one_main_part_keeps_its_own_point() -> None:
    one_piece = _feature_collection({"type": "Polygon", "coordinates": _square(0, 0, 4)})
    tiny_island = _feature_collection(
        {"type": "MultiPolygon", "coordinates": [_square(0, 0, 10), _square(30, 30, 1)]}
    )
    assert main_part_centre(one_piece) is None
    assert main_part_centre(tiny_island) is None
    assert main_part_centre({"features": []}) is None


def test_a_country_without_a_dominant_part_keeps_its_own_point() -> None:
    # A 4x4 and a 3x3 square: the larger holds 64% of the area, no dominant part (Malaysia).
    two_halves = _feature_collection(
        {"type": "MultiPolygon", "coordinates": [_square(0, 0, 4), _square(20, 20, 3)]}
    )
    assert main_part_centre(two_halves) is None


def _countryinfo_point(alpha2: str) -> tuple[float, float]:
    import countryinfo

    folder = Path(countryinfo.__file__).parent / "data"
    for path in folder.glob("*.json"):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if isinstance(record, dict) and (record.get("ISO") or {}).get("alpha2") == alpha2:
            break
    return float(record["latlng"][0]), float(record["latlng"][1])


def test_malaysia_keeps_countryinfos_point(gazetteer: Any) -> None:
    # Peninsula and Borneo: countryinfo's point between them, not Borneo's centre.
    malaysia = gazetteer.country("MY")
    assert (malaysia.lat, malaysia.lon) == _countryinfo_point("MY")


def test_a_region_box_may_cross_the_antimeridian() -> None:
    lat, lon = bounding_box_centre([(50.0, 179.0, 1), (52.0, -179.0, 1)])
    assert lat == pytest.approx(51.0)
    assert abs(lon) == pytest.approx(180.0)
    assert bounding_box_centre([(0.0, 10.0, 1), (2.0, 20.0, 1)]) == (1.0, 15.0)


def test_the_us_point_is_in_the_contiguous_states(gazetteer: Any) -> None:
    united_states = gazetteer.country("US")
    # The geographic centre of the contiguous states is near Lebanon, Kansas.
    assert distance_km(united_states.lat, united_states.lon, 39.83, -98.58) < 161


def test_a_compact_country_keeps_countryinfos_point(gazetteer: Any) -> None:
    import countryinfo

    folder = Path(countryinfo.__file__).parent / "data"
    france = next(
        record
        for record in (json.loads(path.read_text(encoding="utf-8")) for path in folder.glob("*"))
        if isinstance(record, dict) and (record.get("ISO") or {}).get("alpha2") == "FR"
    )
    point = gazetteer.country("FR")
    assert (point.lat, point.lon) == tuple(float(value) for value in france["latlng"])


def test_a_regions_point_is_the_middle_of_its_towns_not_their_mean(gazetteer: Any) -> None:
    (ontario,) = [
        m.candidate for m in gazetteer.candidates("Ontario") if m.candidate.admin1_code == "CA.08"
    ]
    # Most Ontarians live by the lakes (about 43-45 N); the province reaches 56 N.
    assert ontario.lat > 46


def test_a_town_far_from_the_rest_of_its_region_is_left_out_of_its_box() -> None:
    towns = [(48.0 + i / 10, 37.0 + i / 10, 1000) for i in range(25)]  # 37.0-39.4 E
    stray = (48.0, 33.1, 800)  # coded in the region, 3.9 degrees west of its next town
    remote = (48.0, 41.0, 800)  # far out, but the gap (1.6) is within the others' span
    assert bounding_box_centre([*towns, stray])[1] == pytest.approx(38.2)
    assert bounding_box_centre([*towns, remote])[1] == pytest.approx(39.0)


# -- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("surface", "name", "feature"),
    [
        ("EU", "Europe", "continent"),
        ("European Union", "Europe", "continent"),
        ("UAE", "United Arab Emirates", "country"),
        ("BC", "British Columbia", "admin"),
        ("NSW", "New South Wales", "admin"),
        ("US", "United States", "country"),
        ("America", "United States", "country"),
    ],
)
def test_news_names_and_abbreviations(
    gazetteer: Any, surface: str, name: str, feature: str
) -> None:
    found = {(m.candidate.name, m.candidate.feature) for m in gazetteer.candidates(surface)}
    assert (name, feature) in found


@pytest.mark.parametrize("code", ["BA", "GW", "TV", "CAN", "AND"])
def test_iso_codes_do_not_name_countries(gazetteer: Any, code: str) -> None:
    assert not [m for m in gazetteer.candidates(code) if m.candidate.feature == "country"]


def test_only_one_washington_is_the_capital(gazetteer: Any) -> None:
    washingtons = [
        m.candidate
        for m in gazetteer.candidates("Washington")
        if m.candidate.country_code == "US" and m.candidate.feature == "city"
    ]
    capitals = [c for c in washingtons if c.geonameid in gazetteer.capitals]
    assert len(washingtons) > 1
    assert [c.geonameid for c in capitals] == [4140963]


# -- resolution ---------------------------------------------------------------------------


def test_a_country_name_beats_a_town_in_a_named_state(geoparser: Any) -> None:
    places = places_by_name(
        geoparser,
        "Analysts in Houston, Texas, said exports to China and Mexico would grow this year.",
    )
    assert places["China"].candidate.feature == "country"
    assert places["China"].candidate.country_code == "CN"
    assert places["Mexico"].candidate.country_code == "MX"


def test_a_sea_or_region_is_not_pinned_on_a_small_town(geoparser: Any) -> None:
    places = places_by_name(
        geoparser,
        "Tensions in the Middle East rose on Monday as tankers crossed the Atlantic, "
        "officials in Washington said.",
    )
    for name in ("Middle East", "Atlantic"):
        assert places[name].candidate is None
        assert places[name].alternatives, "the towns stay on offer for a correction"
    assert places["Washington"].candidate.geonameid == 4140963


def test_a_name_mostly_tagged_person_is_not_a_place(geoparser: Any) -> None:
    places = places_by_name(
        geoparser,
        "Chen said the plan would work. Chen told reporters in Beijing that Chen had no "
        "comment. Chen added that talks would go on.",
    )
    assert "Chen" not in places
    assert "Beijing" in places


def test_demonyms_name_their_country_but_never_qualify(geoparser: Any) -> None:
    places = places_by_name(
        geoparser, "Russian strikes hit the city. Central American migrants waited."
    )
    assert places["Russia"].candidate.country_code == "RU"
    assert "Central" not in places


def test_a_place_named_only_by_its_people_is_called_by_its_own_name(geoparser: Any) -> None:
    places = places_by_name(
        geoparser, "Ukrainian drones hit a refinery. Russian officials denied it."
    )
    assert {"Ukraine", "Russia"} <= set(places)
    assert not {"Ukrainian", "Russian"} & set(places)
    # The mention keeps the words of the text.
    assert [mention.text for mention in places["Ukraine"].mentions] == ["Ukrainian"]


def test_the_text_spelling_wins_over_a_demonym(geoparser: Any) -> None:
    places = places_by_name(
        geoparser, "Russian strikes hit Kyiv. Russia denied it. Russian troops left."
    )
    assert "Russia" in places
    assert len(places["Russia"].mentions) == 3


def test_a_continents_adjective_names_the_continent(geoparser: Any) -> None:
    places = places_by_name(
        geoparser, "European airlines cut flights. African governments and Asian markets waited."
    )
    assert {places[name].feature for name in ("Europe", "Africa", "Asia")} == {"continent"}
    assert [mention.text for mention in places["Europe"].mentions] == ["European"]
    # "American" remains the United States, not North America.
    assert places_by_name(geoparser, "American troops left.")["United States"].feature == "country"


def test_a_name_inside_an_organisation_counts_only_for_a_place_named_elsewhere(
    geoparser: Any,
) -> None:
    places = places_by_name(
        geoparser,
        "Canada sent troops to Latvia. The Kidney Foundation of Canada and the Toronto "
        "Transit Commission were closed, The Washington Post reported.",
    )
    assert [mention.text for mention in places["Canada"].mentions] == ["Canada", "Canada"]
    # Named only inside organisations' names: no place of their own.
    assert "Toronto" not in places
    assert "Washington" not in places


def test_a_county_no_town_is_named_after_is_a_place(geoparser: Any, gazetteer: Any) -> None:
    places = places_by_name(geoparser, "Fires burned in Orange County, California, on Sunday.")
    county = places["Orange County"].candidate
    assert county.feature == "admin" and county.admin1 == "California"
    # Pickers list towns before the second-level divisions named after them.
    assert gazetteer.search("Kramat")[0].name == "Kramatorsk"


def test_a_name_before_a_country_is_qualified_only_by_a_country_it_lies_in(
    geoparser: Any,
) -> None:
    places = places_by_name(
        geoparser, "Air Zimbabwe cancelled its flights. Zimbabwe blamed the banks."
    )
    assert set(places) == {"Zimbabwe"}
    assert [mention.text for mention in places["Zimbabwe"].mentions] == ["Zimbabwe", "Zimbabwe"]


def test_a_demonym_inside_a_hyphenated_word_names_its_country(geoparser: Any) -> None:
    places = places_by_name(geoparser, "Ukraine said the anti-Russian protests in Kyiv went on.")
    assert [mention.text for mention in places["Russia"].mentions] == ["Russian"]


def test_a_name_ner_mostly_calls_an_organisation_is_not_strong() -> None:
    from frontline.model import Mention
    from frontline.name_groups import NameGroup
    from frontline.recognize import Toponym

    def toponym(label: str, start: int) -> Toponym:
        return Toponym(Mention("Centre", start, start + 6, 0), label, ())

    mostly_organisation = NameGroup(
        "centre", [toponym("ORG", 0), toponym("ORG", 10), toponym("GPE", 20)]
    )
    as_often_a_place = NameGroup("centre", [toponym("ORG", 0), toponym("GPE", 20)])
    # "Salah": three times a place, three an organisation, twice a person.
    mixed = NameGroup(
        "salah",
        [
            toponym(label, index)
            for index, label in enumerate(["GPE"] * 3 + ["ORG"] * 3 + ["PERSON"] * 2)
        ],
    )
    assert not mostly_organisation.strong
    assert not mixed.strong
    assert as_often_a_place.strong


def test_a_major_city_named_as_a_person_again_and_again_is_a_person(gazetteer: Any) -> None:
    from frontline.model import Mention
    from frontline.recognize import Toponym
    from frontline.resolve import Resolver

    def mentions(name: str, labels: list[str], first: int) -> list[Toponym]:
        matches = gazetteer.candidates(name)
        return [
            Toponym(Mention(name, first + 20 * i, first + 20 * i + len(name), i), label, matches)
            for i, label in enumerate(labels)
        ]

    # "Chen" is a short name of Chenzhou (800,000 people); six PERSON tags and one GPE make
    # a surname. spaCy's small model calls Kharkiv a person once in "struck Kharkiv".
    chen = mentions("Chen", ["PERSON"] * 6 + ["GPE"], 0)
    kharkiv = mentions("Kharkiv", ["PERSON"], 500)
    places = {place.name: place for place in Resolver().resolve([*chen, *kharkiv])}
    assert "Chen" not in places and "Chenzhou" not in places
    assert places["Kharkiv"].candidate is not None


def test_a_month_in_a_date_is_no_place(geoparser: Any) -> None:
    # March is a town in Cambridgeshire, 117 km from London.
    places = places_by_name(
        geoparser,
        "The attack in Salisbury on March 4 was the first since early March, "
        "officials in London said.",
    )
    assert "March" not in places
    assert {"Salisbury", "London"} <= set(places)


def test_a_date_after_a_name_cuts_the_name_off_but_keeps_it(geoparser: Any) -> None:
    # "Odesa on Tuesday" is one capitalised run joined by "on" ("Rostov on Don").
    places = places_by_name(geoparser, "A missile struck the port of Odesa on Tuesday.")
    assert places["Odesa"].candidate.country_code == "UA"


def test_a_name_whose_state_after_a_comma_is_part_of_it_is_one_mention(geoparser: Any) -> None:
    places = places_by_name(
        geoparser,
        "Officials in Washington, D.C., said the talks in Paris, Texas, went well.",
    )
    assert places["Washington, D.C."].candidate.geonameid == 4140963
    assert [m.text for m in places["Washington, D.C."].mentions] == ["Washington, D.C."]
    assert "D.C." not in places and "District of Columbia" not in places
    # A state that only qualifies its town stays a place of its own.
    assert places["Paris"].candidate.admin1_code == "US.TX"
    assert "Texas" in places


def test_a_name_with_one_possible_spot_draws_the_others_towards_it(geoparser: Any) -> None:
    # Cirencester is only in Gloucestershire; Gloucester, Ontario, is bigger than Gloucester,
    # England, but the English one is 27 km from Cirencester.
    places = places_by_name(
        geoparser,
        "The road closure will affect people travelling to Cirencester from Gloucester "
        "and Cheltenham, potentially doubling journey times.",
    )
    assert {"Cirencester", "Gloucester", "Cheltenham"} <= set(places)
    assert {places[name].candidate.country_code for name in places} == {"GB"}


def test_a_landmark_is_named_without_its_article(geoparser: Any) -> None:
    places = places_by_name(geoparser, "Zelensky met Trump at the White House on Friday.")
    (mention,) = places["White House"].mentions
    assert mention.text == "White House"


def test_a_place_named_by_two_spellings_equally_often_is_called_by_its_own_name(
    geoparser: Any,
) -> None:
    places = places_by_name(
        geoparser, "Shelling hit Horlivka. Bakhmut (Artemovsk) remains occupied."
    )
    assert "Artemovsk" not in places
    assert [m.text for m in places["Bakhmut"].mentions] == ["Bakhmut", "Artemovsk"]
