"""The sample article against its gold file: the bar DESIGN.md sets for resolution."""

from __future__ import annotations

from typing import Any

import pytest

from frontline.gazetteer import normalize_name
from frontline.geo import distance_km

PLACE_TOLERANCE_KM = 10.0
LANDMARK_TOLERANCE_KM = 1.0


def _place_for_surface(result: Any, surfaces: list[str]) -> Any:
    """The place whose mentions include one of the gold surface forms."""
    wanted = {normalize_name(surface.removeprefix("the ")) for surface in surfaces}
    for place in result.places:
        mention_keys = {normalize_name(m.text.removeprefix("the ")) for m in place.mentions}
        if wanted & mention_keys:
            return place
    return None


def _is_right(place: Any, gold: dict[str, Any], tolerance_km: float) -> bool:
    if place is None or place.candidate is None:
        return False
    if gold.get("feature") in {"country", "continent"}:
        if gold.get("geonameid") is not None and place.candidate.geonameid == gold["geonameid"]:
            return True
        return (
            bool(gold.get("country_code"))
            and place.candidate.country_code == gold["country_code"]
            and place.feature == "country"
        )
    if place.lat is None:
        return False
    return distance_km(place.lat, place.lon, gold["lat"], gold["lon"]) <= tolerance_km


@pytest.mark.parametrize(
    ("name", "geonameid"),
    [("Pokrovsk", 704422), ("Kupiansk", 703656), ("Kostyantynivka", 705104), ("Budapest", 3054643)],
)
def test_front_line_towns_and_budapest_resolve_to_the_right_geonames_entry(
    sample_result: Any, name: str, geonameid: int
) -> None:
    place = _place_for_surface(sample_result, [name])
    assert place is not None, f"{name} was not found"
    assert place.candidate.geonameid == geonameid, place.evidence
    assert place.evidence, "every decision carries its evidence"


def test_kostyantynivka_is_the_donetsk_oblast_town(sample_result: Any) -> None:
    place = _place_for_surface(sample_result, ["Kostyantynivka"])
    assert place.candidate.admin1 == "Donetsk Oblast"
    assert place.candidate.admin1_code == "UA.05"


def test_must_places_are_within_ten_km_of_gold(sample_result: Any, sample_gold: dict) -> None:
    for gold in sample_gold["places"]:
        if gold["kind"] == "must":
            place = _place_for_surface(sample_result, gold["surface"])
            assert _is_right(place, gold, PLACE_TOLERANCE_KM), gold["name"]


def test_at_least_eight_of_nine_should_places_are_right(
    sample_result: Any, sample_gold: dict
) -> None:
    should = [gold for gold in sample_gold["places"] if gold["kind"] == "should"]
    assert len(should) == 9
    wrong = [
        gold["name"]
        for gold in should
        if not _is_right(
            _place_for_surface(sample_result, gold["surface"]), gold, PLACE_TOLERANCE_KM
        )
    ]
    assert len(wrong) <= 1, f"wrong or missing: {wrong}"


def test_landmarks_are_within_one_km_of_gold(sample_result: Any, sample_gold: dict) -> None:
    for gold in sample_gold["places"]:
        if gold["kind"] == "landmark":
            place = _place_for_surface(sample_result, gold["surface"])
            assert place is not None, f"{gold['name']} not found"
            assert place.feature == "landmark"
            assert _is_right(place, gold, LANDMARK_TOLERANCE_KM), gold["name"]


def test_no_word_of_not_places_is_mapped(sample_result: Any, sample_gold: dict) -> None:
    forbidden = {normalize_name(word) for word in sample_gold["not_places"]}
    mapped = {
        normalize_name(mention.text) for place in sample_result.places for mention in place.mentions
    }
    assert not (forbidden & mapped), forbidden & mapped


@pytest.mark.parametrize(
    ("surface", "wrong_ids"),
    [
        ("Lafayette Park", {4330145}),
        ("Tomahawks", {5275884}),
        ("Tomahawk", {5275884}),
        ("Pokrovsk", {2017824}),
        ("Kostyantynivka", {704724, 705110, 705114, 705115}),
    ],
)
def test_no_trap_is_taken(sample_result: Any, surface: str, wrong_ids: set[int]) -> None:
    for place in sample_result.places:
        if place.candidate is None or place.candidate.geonameid is None:
            continue
        assert place.candidate.geonameid not in wrong_ids, (surface, place)
    lafayette_towns = [
        place
        for place in sample_result.places
        if place.candidate is not None
        and place.candidate.feature == "city"
        and place.candidate.name == "Lafayette"
    ]
    assert not lafayette_towns


def test_mentions_point_at_their_text(sample_result: Any, sample_article: Any) -> None:
    for place in sample_result.places:
        for mention in place.mentions:
            assert sample_article.text[mention.start : mention.end] == mention.text
            sentence = sample_article.sentences[mention.sentence_index]
            assert sentence.start <= mention.start < mention.end <= sentence.end


def test_mentions_of_one_place_are_merged(sample_result: Any) -> None:
    keys = [place.candidate.key for place in sample_result.places if place.candidate]
    assert len(keys) == len(set(keys))
    kyiv = _place_for_surface(sample_result, ["Kiev"])
    assert len(kyiv.mentions) >= 5  # "Kiev" and "Kiev's" throughout the text
    assert kyiv.candidate.geonameid == 703448


def test_places_carry_scores_and_runner_ups(sample_result: Any) -> None:
    pokrovsk = _place_for_surface(sample_result, ["Pokrovsk"])
    assert 0.0 < pokrovsk.score <= 1.0
    assert 2017824 in {candidate.geonameid for candidate in pokrovsk.alternatives}
    assert any("runner-up" in line for line in pokrovsk.evidence)
