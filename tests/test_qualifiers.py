"""A country or region written beside a name says where the place lies: "Ivanivka
(Russia)", "Ivanivka, Russia, on Sunday", "in Russia's Kursk region", «Іванівку (Росія)».
Where the offline gazetteer has no place of the name there, the name stays off the map
rather than pinned on a namesake in another country. Sentences written for these tests;
each was checked to fail without its rule."""

from __future__ import annotations

from typing import Any

import pytest

from frontline.article import article_from_text
from frontline.model import Place


def geoparsed(geoparser: Any, text: str) -> dict[str, Place]:
    """Places by the text's own form of their first mention."""
    result = geoparser.geoparse(article_from_text(text, source="test"))
    return {place.mentions[0].text: place for place in result.places}


def withheld(place: Place) -> bool:
    return place.candidate is None and any(reason.kind == "withheld" for reason in place.evidence)


@pytest.mark.parametrize(
    ("text", "village", "qualifier"),
    [
        (
            "Ukrainian drones struck an ammunition depot near Ivanivka (Russia) overnight.",
            "Ivanivka",
            "Russia",
        ),
        ("Shelling damaged houses in Ivanivka, Russia, on Sunday.", "Ivanivka", "Russia"),
        # NER reads "Ivanivka (Belarus" as one organisation: a bracket ends a name.
        ("Soldiers trained near Ivanivka (Belarus) last week.", "Ivanivka", "Belarus"),
        # Bryansk Oblast has an Ivanovka, Kursk Oblast none the gazetteer knows.
        (
            "Ukrainian drones hit a fuel depot in Ivanovka in Russia's Kursk region on Tuesday.",
            "Ivanovka",
            "Russia's Kursk region",
        ),
        ("Українські дрони атакували Іванівку (Росія) вночі.", "Іванівку", "Росія"),
        ("Дрони атакували склад у селі Іванівка, Росія, вночі.", "Іванівка", "Росія"),
    ],
)
def test_a_village_with_no_namesake_in_the_country_named_beside_it_stays_off_the_map(
    geoparser: Any, text: str, village: str, qualifier: str
) -> None:
    # Every Ivanivka the offline gazetteer holds is in Ukraine.
    place = geoparsed(geoparser, text)[village]
    assert withheld(place), place.evidence
    assert any(repr(qualifier) in reason for reason in place.evidence)


@pytest.mark.parametrize(
    "text",
    [
        "Drones hit Ivanivka, Russia said.",  # the country is the speaker
        "Drones hit Ivanivka, Russia, Belarus and Ukraine.",  # a list
        "Дрони атакували Іванівку, Росія заявила про збиття.",
        # A town readers know: the country is the writer's view of the border.
        "The fleet left Sevastopol, Russia, on Monday.",
    ],
)
def test_a_country_after_a_comma_qualifies_only_where_written_as_a_qualifier(
    geoparser: Any, text: str
) -> None:
    first = next(iter(geoparsed(geoparser, text).values()))
    assert first.candidate is not None and first.candidate.country_code == "UA", first.evidence


def test_a_whole_country_does_not_vouch_for_a_far_namesake(geoparser: Any) -> None:
    # Bryansk Oblast's Ivanovka lies in Russia, but 270 km from Sumy: one of hundreds.
    found = geoparsed(
        geoparser, "Ukrainian drones hit a fuel depot in Ivanovka (Russia) and a rail yard in Sumy."
    )
    assert withheld(found["Ivanovka"]), found["Ivanovka"].evidence
    assert found["Sumy"].candidate.admin1 == "Sumy Oblast"


def test_an_oblast_in_brackets_qualifies_a_ukrainian_name(geoparser: Any) -> None:
    found = geoparsed(
        geoparser,
        "Ворог обстріляв Іванівку (Херсонська область). Бої тривають біля Покровська та Торецька.",
    )
    village = found["Іванівку"]
    assert village.candidate.admin1 == "Kherson Oblast"
    assert "qualified by 'Херсонська область'" in village.evidence


def test_a_region_written_with_its_region_word_qualifies_and_stands(geoparser: Any) -> None:
    # Kharkiv Oblast has a Berezivka 80 km from Belgorod Oblast; Belgorod Oblast none the
    # offline gazetteer knows. The region is a place all the same: the text names it.
    found = geoparsed(
        geoparser, "Shelling damaged houses in Berezivka, Belgorod region, on Sunday."
    )
    assert withheld(found["Berezivka"]), found["Berezivka"].evidence
    assert found["Belgorod region"].candidate.name == "Belgorod Oblast"


def test_a_country_before_another_country_is_a_list_not_a_town_there(geoparser: Any) -> None:
    # Kagoshima Prefecture has a town called China: no qualifier, two countries.
    found = geoparsed(geoparser, "Countries such as China, Japan, and Brazil banned the imports.")
    assert found["China"].candidate.feature == "country"
    assert found["China"].candidate.country_code == "CN"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Tests confirmed BSE in Sweden last week.", "BSE"),
        ("said Anna Berg, the charity's Head of Mission in Chad.", "Mission"),
    ],
)
def test_a_qualifier_no_namesake_lies_in_makes_no_place_of_a_word(
    geoparser: Any, text: str, name: str
) -> None:
    # Only a qualifier a candidate lies in pins a name down; otherwise it must stand as a
    # place on its own (NER, "in", "near") to be listed, even off the map.
    assert name not in geoparsed(geoparser, text)
