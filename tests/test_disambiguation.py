"""Short texts of our own: the resolver must generalise beyond the sample article."""

from __future__ import annotations

from typing import Any

import pytest

from frontline.article import article_from_text
from tests.places import places_by_name


def test_pokrovsk_in_a_yakutia_story_is_the_yakutian_town(geoparser: Any) -> None:
    places = places_by_name(
        geoparser,
        "Temperatures in Pokrovsk, a town on the Lena River south of Yakutsk, fell to minus "
        "50 degrees this week, officials in the Sakha Republic said.",
    )
    assert places["Pokrovsk"].candidate.geonameid == 2017824
    assert places["Pokrovsk"].candidate.country_code == "RU"


def test_pokrovsk_in_a_donbas_story_is_the_donetsk_town(geoparser: Any) -> None:
    places = places_by_name(
        geoparser, "Russian forces pressed on Pokrovsk and Myrnohrad in eastern Ukraine."
    )
    assert places["Pokrovsk"].candidate.geonameid == 704422


def test_paris_in_a_texas_story_is_paris_texas(geoparser: Any) -> None:
    places = places_by_name(
        geoparser,
        "A tornado tore through Paris on Tuesday night. The storm crossed northeast Texas, "
        "damaging homes near Dallas, and the mayor of Paris asked for help.",
    )
    paris = places["Paris"]
    assert paris.candidate.country_code == "US"
    assert paris.candidate.admin1_code == "US.TX"
    assert any("Texas" in line for line in paris.evidence)


def test_paris_alone_is_the_french_capital(geoparser: Any) -> None:
    places = places_by_name(geoparser, "The summit will be held in Paris next month.")
    assert places["Paris"].candidate.geonameid == 2988507


def test_qualifiers_tell_two_parises_apart(geoparser: Any) -> None:
    result = geoparser.geoparse(article_from_text("Paris, Texas, is not Paris, France.", "test"))
    countries = sorted(
        place.candidate.country_code for place in result.places if place.name == "Paris"
    )
    assert countries == ["FR", "US"]


def test_kostyantynivka_outside_donetsk_follows_its_region(geoparser: Any) -> None:
    places = places_by_name(
        geoparser,
        "Russian troops shelled Kostyantynivka in Zaporizhzhia Oblast overnight, the regional "
        "governor said. Nearby Vasylivka and Tokmak were also hit.",
    )
    kostyantynivka = places["Kostyantynivka"].candidate
    assert kostyantynivka.geonameid != 705104
    assert kostyantynivka.admin1 == "Zaporizhzhia Oblast"


def test_borova_follows_the_region_named_beside_it(geoparser: Any) -> None:
    places = places_by_name(geoparser, "Borova, in Kharkiv region, was shelled again.")
    assert places["Borova"].candidate.geonameid == 711623
    assert places["Kharkiv region"].candidate.feature == "admin"


@pytest.mark.parametrize(
    "text",
    [
        "Orange juice prices rose again this winter.",
        "Jackson said the Tomahawk was a fine missile, and President Lincoln agreed.",
        "Mobile phones were banned at the concert, Jackson told reporters.",
        "The Tomahawks are very dangerous, he said.",
    ],
)
def test_town_like_words_that_are_not_places_stay_off_the_map(geoparser: Any, text: str) -> None:
    assert places_by_name(geoparser, text) == {}


def test_lafayette_park_is_not_lafayette_louisiana(geoparser: Any) -> None:
    places = places_by_name(geoparser, "Protesters gathered in Lafayette Park on Friday.")
    for place in places.values():
        assert place.candidate is None or place.candidate.geonameid != 4330145
        assert place.name != "Lafayette"


@pytest.mark.parametrize(
    ("spelling", "geonameid"),
    [
        ("Kupiansk", 703656),
        ("Kupyansk", 703656),
        ("Kup'yansk", 703656),
        ("Kostiantynivka", 705104),
        ("Konstantinovka", 705104),
        ("Kharkov", 706483),
        ("Zaporozhye", 687700),
        ("Artemivsk", 713174),
        ("Kiev", 703448),
        ("Kyiv", 703448),
    ],
)
def test_variant_and_old_spellings_find_their_place(
    geoparser: Any, spelling: str, geonameid: int
) -> None:
    text = f"Shelling was reported near Kramatorsk, Sloviansk and {spelling} in Ukraine."
    places = places_by_name(geoparser, text)
    assert spelling in places, list(places)
    assert places[spelling].candidate.geonameid == geonameid


def test_a_qualified_us_city(geoparser: Any) -> None:
    places = places_by_name(geoparser, "Zelensky spoke to reporters in Washington DC on Friday.")
    assert places["Washington DC"].candidate.geonameid == 4140963


def test_us_is_the_country_not_a_french_village(geoparser: Any) -> None:
    places = places_by_name(geoparser, "The US said it would send more aid to Ukraine.")
    assert places["US"].candidate.feature == "country"
    assert places["US"].candidate.country_code == "US"


def test_a_short_text_naming_two_major_cities(geoparser: Any) -> None:
    places = places_by_name(geoparser, "Drones hit Kharkiv and Odesa overnight.")
    assert {place.candidate.geonameid for place in places.values()} == {706483, 698740}


def test_a_sentence_initial_preposition_is_not_part_of_the_name(geoparser: Any) -> None:
    places = places_by_name(
        geoparser, "In Kharkiv, sirens sounded all night. From Odesa, ships left."
    )
    assert "In Kharkiv" not in places
    assert places["Kharkiv"].candidate.geonameid == 706483


# spaCy's small model calls these cities people or organisations, or nothing at all; each
# sentence is the whole text, so no other place can lend support.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Air raid sirens sounded in Kharkiv and Odesa on Tuesday.", {"Kharkiv", "Odesa"}),
        ("Russian drones struck Kharkiv overnight.", {"Kharkiv", "Russia"}),
        ("Shelling hit Zaporizhzhia and Kherson overnight.", {"Zaporizhzhia", "Kherson"}),
        ("Ships left the port of Mykolaiv on Monday.", {"Mykolaiv"}),
        ("Kharkiv was hit again.", {"Kharkiv"}),
    ],
)
def test_war_reporting_sentences_name_their_cities(
    geoparser: Any, text: str, expected: set[str]
) -> None:
    places = places_by_name(geoparser, text)
    assert set(places) == expected
    for name in expected - {"Russia"}:
        assert places[name].candidate.country_code == "UA"
        assert places[name].candidate.feature == "city"


def test_a_name_that_is_itself_a_list_stays_whole(geoparser: Any) -> None:
    places = places_by_name(geoparser, "Talks with Bosnia and Herzegovina resumed in Sarajevo.")
    assert places["Bosnia and Herzegovina"].candidate.country_code == "BA"
    assert "Bosnia" not in places


def test_a_speech_verb_still_marks_a_person_named_like_a_city(geoparser: Any) -> None:
    assert places_by_name(geoparser, "Phoenix said he would run again.") == {}


def test_russian_border_regions_named_in_war_reporting(geoparser: Any) -> None:
    places = places_by_name(
        geoparser,
        "Fighting continued in the Kursk region around Sudzha. Drones hit Belgorod Oblast "
        "and the Bryansk region. Kursk itself was quiet.",
    )
    assert places["Kursk region"].candidate.admin1_code == "RU.41"  # type: ignore[union-attr]
    assert places["Belgorod Oblast"].feature == "admin"
    assert places["Bryansk region"].candidate.name == "Bryansk Oblast"  # type: ignore[union-attr]
    assert places["Kursk"].feature == "city"


def test_a_region_after_a_locative_word_stands_whatever_ner_calls_it(geoparser: Any) -> None:
    # spaCy's small model calls Crimea an organisation here; "over" puts it in the air war.
    places = places_by_name(geoparser, "Moscow said its air defenses downed 40 drones over Crimea.")
    crimea = places["Crimea"].candidate
    assert crimea is not None and crimea.admin1_code == "UA.11"
    assert crimea.name == "Autonomous Republic of Crimea"
    # A nationality NER tags NORP after "towards" is no region called Western.
    places = places_by_name(geoparser, "Tunisia is ambivalent towards Western partners.")
    assert "Western" not in places


def test_a_front_sector_ner_calls_a_region_is_its_town(geoparser: Any) -> None:
    # spaCy tags "Kupyansk" LOC in "the Kupyansk and Lyman directions"; a LOC whose only
    # candidates are small towns is withheld, but a front's sector is named after its town.
    places = places_by_name(
        geoparser,
        "Russian forces recently advanced in the Kupyansk and Lyman directions. "
        "Fighting continued on the Pokrovsk axis.",
    )
    assert places["Kupyansk"].candidate.admin1_code == "UA.07"  # type: ignore[union-attr]
    assert places["Pokrovsk"].candidate.admin1_code == "UA.05"  # type: ignore[union-attr]
    # Capitalised, the English name's own word: "Orenburg Oblast" is the region.
    places = places_by_name(geoparser, "Drones struck a refinery in Orenburg Oblast.")
    assert places["Orenburg Oblast"].feature == "admin"
