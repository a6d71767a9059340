"""The war-news scoring rule (../shared/eval/war-news/SOURCE.md) on hand-made cases."""

from __future__ import annotations

from bench.war_scoring import GoldPlace, Reported, WarCase, score_case, totals

KYIV = GoldPlace("Kyiv", ("Kyiv",), "settlement", 50.45, 30.52, 10.0, in_gazetteer=True)
POKROVSKE_A = GoldPlace("Pokrovske A", ("Pokrovske",), "settlement", 48.0, 36.2, 10.0, None, True)
POKROVSKE_B = GoldPlace("Pokrovske B", ("Pokrovske",), "settlement", 47.6, 34.5, 10.0, None, True)
UKRAINE = GoldPlace("Ukraine", ("Ukraine",), "country", country_code="UA")
DONETSK_OBLAST = GoldPlace("Donetsk Oblast", ("Donetsk Oblast",), "region", 48.1, 37.7, 150.0)
VODIANE = GoldPlace("Vodiane", ("Vodiane",), "optional", 48.1, 37.7, 5.0)


def case(*gold: GoldPlace, optional: tuple[GoldPlace, ...] = ()) -> WarCase:
    return WarCase("test", "text", tuple(gold), optional)


def test_a_point_within_the_radius_fills_once_and_a_second_pin_is_neutral() -> None:
    first = Reported("Kyiv", ("Kiev",), 50.46, 30.52)
    again = Reported("Kyiv", ("Kyiv",), 50.45, 30.53)
    score = score_case(case(KYIV), [first, again])
    assert [g.name for g, _ in score.filled] == ["Kyiv"]
    assert score.neutral == (again,) and not score.false_positives


def test_countries_match_by_code_and_optional_entries_are_neither_right_nor_wrong() -> None:
    reported = [
        Reported("Ukraine", ("Ukrainian",), country_code="UA", is_country=True),
        Reported("Vodiane", ("Vodiane",), 48.1, 37.7),
        Reported("Moscow", ("Moscow",), 55.75, 37.62),
    ]
    score = score_case(case(UKRAINE, optional=(VODIANE,)), reported)
    assert [g.name for g, _ in score.filled] == ["Ukraine"]
    assert [p.name for p in score.neutral] == ["Vodiane"]
    assert [p.name for p in score.false_positives] == ["Moscow"]


def test_among_open_gold_places_the_one_of_the_same_surface_wins() -> None:
    # A pin in Donetsk Oblast named Pokrovske fills the settlement, not the region around it.
    pin = Reported("Pokrovske", ("Pokrovske",), 48.0, 36.2)
    score = score_case(case(DONETSK_OBLAST, POKROVSKE_A), [pin])
    assert [g.name for g, _ in score.filled] == ["Pokrovske A"]


def test_a_name_placed_on_a_namesake_is_a_wrong_namesake_by_the_gold_places_kind() -> None:
    elsewhere = Reported("Pokrovske", ("Pokrovske",), 47.0, 33.0)
    score = score_case(case(POKROVSKE_A), [elsewhere])
    assert score.false_positives == (elsewhere,)
    assert [(g.name, p.name) for g, p in score.wrong_namesakes] == [("Pokrovske A", "Pokrovske")]
    summary = totals([score])
    assert summary.wrong_by_category == {"settlement (cities500)": 1}
    assert (summary.precision, summary.recall) == (0.0, 0.0)


def test_one_pin_for_two_namesakes_fills_one_and_is_no_wrong_namesake() -> None:
    pin = Reported("Pokrovske", ("Pokrovske",), 48.0, 36.2)
    score = score_case(case(POKROVSKE_A, POKROVSKE_B), [pin])
    assert [g.name for g in score.missed] == ["Pokrovske B"]
    assert not score.wrong_namesakes


def test_recall_of_what_the_offline_data_holds_leaves_out_villages_cities500_lacks() -> None:
    village = GoldPlace("Robotyne", ("Robotyne",), "settlement", 47.45, 35.84, 5.0, None, False)
    score = score_case(case(KYIV, village), [Reported("Kyiv", ("Kyiv",), 50.45, 30.52)])
    summary = totals([score])
    assert summary.recall == 0.5 and summary.offline_recall == 1.0
    assert summary.recall_of("settlement (not in cities500)") == 0.0
