"""Corrections applied to hand-built geoparse results (model objects built directly)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest

from frontline.codec import correction_from_dict, correction_to_dict
from frontline.corrections import (
    ADDED_BY_READER,
    AddMention,
    ChooseCandidate,
    Correction,
    MovePin,
    RemovePlace,
    apply_corrections,
    apply_corrections_with_report,
    describe,
)
from frontline.errors import StoreError
from frontline.model import (
    Article,
    Candidate,
    GeoparseResult,
    Mention,
    Place,
    Sentence,
    TerritoryStatus,
)

TEXT = (
    "Russian forces shelled Kharkiv on Friday. "
    "In Odesa, drones were shot down near the port. "
    "Pokrovsk remains under pressure, officials in Orange said of Kharkov."
)

# Illustrative gazetteer entries (ids as in GeoNames where known, otherwise made up).
KHARKIV = Candidate(706483, "Kharkiv", 49.98, 36.25, "city", "UA", "Kharkiv Oblast", 1_430_885)
ODESA = Candidate(698740, "Odesa", 46.48, 30.73, "city", "UA", "Odesa Oblast", 1_015_826)
POKROVSK_UA = Candidate(708310, "Pokrovsk", 48.28, 37.18, "city", "UA", "Donetsk Oblast", 60_127)
POKROVSK_RU = Candidate(2017215, "Pokrovsk", 61.48, 129.15, "city", "RU", "Sakha", 9_495)
ENGELS = Candidate(563464, "Engels", 51.50, 46.12, "city", "RU", "Saratov Oblast", 202_419)
ORANGE_FR = Candidate(2989317, "Orange", 44.14, 4.81, "city", "FR", "Provence", 28_922)
SEARCHED = Candidate(None, "Pokrovsk railway station", 48.29, 37.17, "landmark", "UA", None)


def sentences_of(text: str) -> tuple[Sentence, ...]:
    spans, start = [], 0
    for index, piece in enumerate(text.split(". ")):
        end = start + len(piece) + 1
        spans.append(Sentence(index, start, min(end, len(text))))
        start = end + 1
    return tuple(spans)


def mention_of(word: str, occurrence: int = 0) -> Mention:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(word, start + 1)
    article = make_article()
    return Mention(word, start, start + len(word), article.sentence_index_at(start), ("ner:GPE",))


def make_article(text: str = TEXT) -> Article:
    return Article(text, "test.txt", "Shelling", dt.date(2024, 5, 17), sentences_of(text))


def make_result(text: str = TEXT) -> GeoparseResult:
    occupied = TerritoryStatus("free", 25.0, dt.date(2024, 5, 17))
    places = (
        Place("Kharkiv", KHARKIV, 0.9, ("gazetteer",), (), (mention_of("Kharkiv"),), occupied),
        Place(
            "Pokrovsk",
            POKROVSK_RU,
            0.4,
            ("population",),
            (POKROVSK_UA, ENGELS),
            (mention_of("Pokrovsk"),),
            None,
        ),
        Place("Orange", ORANGE_FR, 0.3, ("gazetteer",), (), (mention_of("Orange"),), None),
    )
    return GeoparseResult(make_article(text), places)


def names(result: GeoparseResult) -> list[str]:
    return [place.name for place in result.places]


def place_named(result: GeoparseResult, name: str) -> Place:
    return next(place for place in result.places if place.name == name)


def test_choose_candidate_picks_an_alternative_and_says_why() -> None:
    result = make_result()
    status = TerritoryStatus("free", 12.5, dt.date(2024, 5, 17))
    looked_up: list[Candidate] = []

    def territory_of(candidate: Candidate) -> TerritoryStatus:
        looked_up.append(candidate)
        return status

    correction = ChooseCandidate("Pokrovsk", POKROVSK_UA.geonameid or 0, "Donetsk front")
    report = apply_corrections_with_report(result, [correction], territory_of=territory_of)
    pokrovsk = place_named(report.result, "Pokrovsk")
    assert pokrovsk.candidate == POKROVSK_UA
    assert set(pokrovsk.alternatives) == {POKROVSK_RU, ENGELS}
    assert pokrovsk.evidence[:-1] == ("population",)
    assert pokrovsk.evidence[-1].startswith("correction: reader chose Pokrovsk")
    assert pokrovsk.evidence[-1].endswith("(Donetsk front)")
    assert pokrovsk.mentions == place_named(result, "Pokrovsk").mentions
    assert pokrovsk.territory == status and looked_up == [POKROVSK_UA]
    assert report.applied == (correction,) and report.skipped == ()
    # Places the correction does not name are left exactly as they were.
    assert place_named(report.result, "Kharkiv") == place_named(result, "Kharkiv")
    assert report.result.article == result.article


def test_a_moved_place_without_territory_lookup_has_unknown_status() -> None:
    result = make_result()
    corrected = apply_corrections(result, [ChooseCandidate("Kharkiv", 706483)])
    # Re-choosing the current candidate confirms it; the old status is not carried over.
    kharkiv = place_named(corrected, "Kharkiv")
    assert kharkiv.candidate == KHARKIV
    assert kharkiv.territory is None
    assert "confirmed" in kharkiv.evidence[-1]


def test_choose_candidate_not_offered_any_more_is_reported_not_raised() -> None:
    result = make_result()
    stale = ChooseCandidate("Pokrovsk", 999_999, "old gazetteer")
    report = apply_corrections_with_report(result, [stale, RemovePlace("Orange")])
    assert [s.correction for s in report.skipped] == [stale]
    assert "999999" in report.skipped[0].why
    assert report.applied == (RemovePlace("Orange"),)
    assert place_named(report.result, "Pokrovsk") == place_named(result, "Pokrovsk")
    assert names(report.result) == ["Kharkiv", "Pokrovsk"]


def test_move_pin_to_a_searched_entry() -> None:
    result = make_result()
    corrected = apply_corrections(result, [MovePin("Pokrovsk", SEARCHED, "the station")])
    pokrovsk = place_named(corrected, "Pokrovsk")
    assert pokrovsk.candidate == SEARCHED
    assert pokrovsk.lat == SEARCHED.lat and pokrovsk.feature == "landmark"
    assert POKROVSK_RU in pokrovsk.alternatives
    assert pokrovsk.evidence[-1] == (
        f"correction: pin moved to Pokrovsk railway station, UA ({SEARCHED.key}) (the station)"
    )


def test_remove_a_false_place() -> None:
    result = make_result()
    corrected = apply_corrections(result, [RemovePlace("Orange", "a town in the text's quote")])
    assert names(corrected) == ["Kharkiv", "Pokrovsk"]
    report = apply_corrections_with_report(corrected, [RemovePlace("Orange")])
    assert report.skipped and "Orange" in report.skipped[0].why


def test_add_a_missed_mention_as_a_new_place() -> None:
    result = make_result()
    start = TEXT.index("Odesa")
    correction = AddMention(start, start + 5, "Odesa", ODESA, "missed by NER")
    corrected = apply_corrections(result, [correction])
    odesa = place_named(corrected, "Odesa")
    assert odesa.candidate == ODESA and odesa.score == 1.0
    assert odesa.evidence[0] == ADDED_BY_READER
    assert odesa.evidence[-1].startswith("correction: mention “Odesa”")
    assert odesa.evidence[-1].endswith("(missed by NER)")
    (mention,) = odesa.mentions
    assert (mention.start, mention.end, mention.text) == (start, start + 5, "Odesa")
    assert mention.sentence_index == 1
    assert corrected.article.sentence_text(mention.sentence_index).startswith("In Odesa")
    assert names(corrected) == ["Kharkiv", "Pokrovsk", "Orange", "Odesa"]


def test_add_a_missed_mention_merges_into_the_place_with_the_same_candidate() -> None:
    result = make_result()
    start = TEXT.index("Kharkov")
    corrected = apply_corrections(result, [AddMention(start, start + 7, "Kharkov", KHARKIV)])
    kharkiv = place_named(corrected, "Kharkiv")
    assert [m.text for m in kharkiv.mentions] == ["Kharkiv", "Kharkov"]
    assert kharkiv.mentions[1].evidence == (ADDED_BY_READER,)
    assert kharkiv.evidence[-1].startswith("correction: mention “Kharkov”")
    assert len(corrected.places) == len(result.places)


def test_add_mention_is_skipped_when_the_text_changed() -> None:
    start = TEXT.index("Odesa")
    correction = AddMention(start, start + 5, "Odesa", ODESA)
    changed = make_result("Breaking: " + TEXT)
    report = apply_corrections_with_report(changed, [correction])
    assert report.applied == ()
    assert "text changed" in report.skipped[0].why
    assert report.result.places == changed.places
    out_of_range = AddMention(len(TEXT) + 5, len(TEXT) + 10, "Odesa", ODESA)
    assert apply_corrections_with_report(make_result(), [out_of_range]).skipped


def test_add_mention_over_another_place_reassigns_the_span() -> None:
    result = make_result()
    start = TEXT.index("Orange")
    orange_county = Candidate(5379513, "Orange", 33.78, -117.85, "city", "US", "California")
    corrected = apply_corrections(result, [AddMention(start, start + 6, "Orange", orange_county)])
    oranges = [place for place in corrected.places if place.name == "Orange"]
    assert [place.candidate for place in oranges] == [orange_county]


def test_a_correction_that_makes_two_places_one_merges_them() -> None:
    result = make_result()
    kharkov = Place("Kharkov", ENGELS, 0.2, ("fuzzy",), (KHARKIV,), (mention_of("Kharkov"),))
    with_duplicate = GeoparseResult(result.article, (*result.places, kharkov))
    corrected = apply_corrections(with_duplicate, [ChooseCandidate("Kharkov", 706483)])
    assert names(corrected) == ["Kharkiv", "Pokrovsk", "Orange"]
    kharkiv = place_named(corrected, "Kharkiv")
    assert [m.text for m in kharkiv.mentions] == ["Kharkiv", "Kharkov"]
    assert "merged" in kharkiv.evidence[-1]


def test_places_are_found_by_any_case_and_by_mention_text() -> None:
    result = make_result()
    renamed = GeoparseResult(
        result.article,
        tuple(
            replace(place, name="Pokrovsk (Donetsk)") if place.name == "Pokrovsk" else place
            for place in result.places
        ),
    )
    assert names(apply_corrections(renamed, [RemovePlace("pokrovsk")])) == ["Kharkiv", "Orange"]
    assert names(apply_corrections(result, [RemovePlace("ORANGE")])) == ["Kharkiv", "Pokrovsk"]


def test_corrections_reapply_identically_to_a_fresh_geoparse() -> None:
    start = TEXT.index("Odesa")
    corrections: list[Correction] = [
        ChooseCandidate("Pokrovsk", 708310, "front"),
        RemovePlace("Orange"),
        AddMention(start, start + 5, "Odesa", ODESA),
    ]
    first = apply_corrections(make_result(), corrections)
    again = apply_corrections(make_result(), corrections)
    assert first == again
    assert names(first) == ["Kharkiv", "Pokrovsk", "Odesa"]


ALL_KINDS: list[Correction] = [
    ChooseCandidate("Pokrovsk", 708310, "Donetsk"),
    MovePin("Pokrovsk", SEARCHED, ""),
    RemovePlace("Orange", "quote"),
    AddMention(58, 63, "Odesa", ODESA, "missed"),
]


@pytest.mark.parametrize("correction", ALL_KINDS)
def test_each_kind_round_trips_through_json(correction: Correction) -> None:
    data = json.loads(json.dumps(correction_to_dict(correction)))
    assert correction_from_dict(data) == correction
    assert describe(correction)


@pytest.mark.parametrize(
    "data",
    [{"kind": "teleport", "place_name": "x"}, {"kind": "remove_place"}, {"no": "kind"}],
)
def test_malformed_stored_corrections_are_a_store_error(data: dict[str, str]) -> None:
    with pytest.raises(StoreError):
        correction_from_dict(data)


def test_a_region_named_like_its_centre_is_not_labelled_twice() -> None:
    oblast = Candidate(706482, "Kharkiv Oblast", 49.7, 36.5, "admin", "UA", "Kharkiv Oblast")
    result = make_result()
    corrected = apply_corrections(result, [MovePin("Kharkiv", oblast, "the region")])
    assert place_named(corrected, "Kharkiv").evidence[-1] == (
        "correction: pin moved to Kharkiv Oblast, UA (geonames:706482) (the region)"
    )
