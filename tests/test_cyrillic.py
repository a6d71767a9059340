"""Ukrainian and Russian texts: language, inflected names, Soviet-era names, qualifiers.

The sentences are written for these tests; the real gazetteer, dictionaries and (for Russian)
natasha's NER are used, as a user's geoparse would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from frontline.article import article_from_text
from frontline.errors import UnsupportedLanguageError
from frontline.language import detect_language

POKROVSK, MYRNOHRAD, BAKHMUT, RUBIZHNE = 704422, 710035, 713174, 695274


def places(geoparser: Any, text: str) -> dict[int | None, Any]:
    result = geoparser.geoparse(article_from_text(text, source="test"))
    return {
        place.candidate.geonameid if place.candidate else None: place for place in result.places
    }


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Shelling hit Kupyansk.", "en"),
        ("Бої тривають біля Покровська.", "uk"),
        ("Бои идут под Покровском, сообщили военные.", "ru"),
        # No ы, э, ъ or ё, and too short for CLD2: no і in 80 letters is Russian, not Ukrainian.
        ("Армия России продвигается в Константиновке. Восточнее Красноармейска идут бои.", "ru"),
        (
            "Russian forces advanced on Pokrovsk (Покровськ in Ukrainian) and Myrnohrad "
            "(Мирноград), the General Staff said on Tuesday, as fighting went on near Kupiansk.",
            "en",
        ),
    ],
)
def test_language_of_each_article(text: str, code: str) -> None:
    language = detect_language(text)
    assert language.code == code
    assert language.supported


def test_an_unsupported_language_is_said_plainly(geoparser: Any) -> None:
    text = (
        "Les forces russes ont avancé près de Pokrovsk, selon l'état-major ukrainien, qui "
        "signale de violents combats dans la région de Donetsk depuis plusieurs semaines."
    )
    with pytest.raises(UnsupportedLanguageError, match="French"):
        geoparser.geoparse(article_from_text(text, source="test"))
    belarusian = "Расійскія войскі прасунуліся каля Пакроўска, паведаміў генштаб."
    assert not detect_language(belarusian).supported


def test_ukrainian_case_forms_are_one_place(geoparser: Any) -> None:
    found = places(geoparser, "Бої тривають під Покровськом, біля Покровська і в Покровську.")
    assert set(found) == {POKROVSK}
    place = found[POKROVSK]
    assert place.name == "Pokrovsk"
    assert place.name_in_text in {"Покровськом", "Покровська", "Покровську"}
    assert [m.text for m in place.mentions] == ["Покровськом", "Покровська", "Покровську"]


def test_russian_case_form(geoparser: Any) -> None:
    found = places(geoparser, "Бои идут под Покровском, сообщили военные.")
    assert set(found) == {POKROVSK}
    assert found[POKROVSK].mentions[0].text == "Покровском"


def test_soviet_era_russian_names(geoparser: Any) -> None:
    found = places(
        geoparser, "Российские войска наступают под Красноармейском, Артёмовском и Димитровом."
    )
    assert {POKROVSK, BAKHMUT, MYRNOHRAD} <= set(found)
    assert found[MYRNOHRAD].name == "Myrnohrad"
    assert found[MYRNOHRAD].name_in_text == "Димитровом"


def test_every_name_of_a_ukrainian_report_without_ner(geoparser: Any) -> None:
    # No NER reads Ukrainian here (spaCy's English model calls such names people or
    # nothing): the gazetteer, the case forms and «біля», «під», lists carry recognition.
    found = places(
        geoparser,
        "Російські війська просунулися біля Покровська та Мирнограда, а також під "
        "Куп’янськом і Костянтинівкою. У Харкові та Одесі лунали вибухи.",
    )
    names = {place.name: place for place in found.values()}
    assert {"Pokrovsk", "Myrnohrad", "Kupiansk", "Kostiantynivka", "Kharkiv", "Odesa"} <= set(names)
    assert names["Kupiansk"].name_in_text == "Куп’янськом"
    assert names["Kupiansk"].candidate.admin1 == "Kharkiv Oblast"


def test_an_oblast_qualifier_decides_a_namesake(geoparser: Any) -> None:
    unqualified = places(geoparser, "Ворог обстріляв Новоселівку.")
    qualified = places(geoparser, "Ворог обстріляв Новоселівку Донецької області.")
    village = next(p for p in qualified.values() if p.name == "Novoselivka")
    assert village.candidate.admin1 == "Donetsk Oblast"
    assert village.candidate.geonameid not in unqualified
    assert any("Донецької області" in reason for reason in village.evidence)


def test_a_qualified_name_with_no_namesake_inside_stays_off_the_map(geoparser: Any) -> None:
    # GeoNames' cities500 has Otradnoye near Moscow and in Crimea, none in Kharkiv Oblast.
    found = places(geoparser, "Освобожден населенный пункт Отрадное Харьковской области.")
    village = found[None]
    assert village.mentions[0].text == "Отрадное"
    assert any(reason.kind == "withheld" for reason in village.evidence)


def test_regions_by_adjective_and_by_region_noun(geoparser: Any) -> None:
    found = places(geoparser, "Ворог атакував населені пункти на Харківщині та в Курській області.")
    names = {place.name for place in found.values()}
    assert {"Kharkiv Oblast", "Kursk Oblast"} <= names


def test_organisations_and_people_are_no_places(geoparser: Any) -> None:
    found = places(
        geoparser,
        "Сили оборони відбили атаки, повідомив речник Сергій Череватий. "
        "Про це заявив Володимир Путін.",
    )
    assert found == {}
    # «Сили» is also a village's name to the Ukrainian dictionary (Sil, in Donetsk Oblast),
    # but its common reading keeps it a common word beside a town the text names.
    found = places(geoparser, "За даними Сил оборони, ворог атакував Покровськ. Сили відбили.")
    assert set(found) == {POKROVSK}


def test_cli_keeps_the_surface_forms(cache_dir: Any) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "frontline", "geoparse", "-"],
        input="Бої тривають біля Покровська.",
        capture_output=True,
        text=True,
        check=True,
    )
    output = json.loads(completed.stdout)
    assert output["language"] == "uk"
    (place,) = output["places"]
    assert place["name"] == "Pokrovsk"
    assert place["name_in_text"] == "Покровська"
    assert place["mentions"][0]["text"] == "Покровська"


def test_cli_refuses_an_unsupported_language_in_one_line(cache_dir: Any) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "frontline", "geoparse", "-"],
        input=(
            "Russische Truppen sind nach Angaben des ukrainischen Generalstabs bei Pokrowsk "
            "vorgerückt, wo seit Wochen heftige Kämpfe andauern."
        ),
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 2
    assert completed.stderr.strip().count("\n") == 0
    assert "German" in completed.stderr


def test_two_guessed_villages_do_not_hold_each_other_in_another_oblast(geoparser: Any) -> None:
    # Svetlyy and Krasnoarmeysk both have small namesakes in Saratov Oblast; with no reliable
    # place near them there, the Donetsk town named beside Kostiantynivka wins.
    found = places(
        geoparser,
        "Штурмовые отряды продвигаются в Константиновке Донецкой Народной Республики. "
        "Под контроль армии России перешел Красноармейск, бои идут в Светлом.",
    )
    assert POKROVSK in found
    assert found[POKROVSK].name_in_text == "Красноармейск"


def test_a_word_of_a_rivers_name_is_no_town(geoparser: Any) -> None:
    from frontline.cyrillic.syntax import names_a_facility

    text = "Підрозділи утримують позиції на березі річки Сіверський Донець біля Серебрянки."
    assert names_a_facility(text, text.index("Донець"))
    assert not names_a_facility(text, text.index("Серебрянки"))
    assert {p.name for p in places(geoparser, text).values()} == {"Serebrianka"}


def test_a_cyrillic_name_that_the_main_name_romanises_counts_as_the_main_name(
    geoparser: Any,
) -> None:
    # GeoNames lists «Високе» as an alternate name of Vysoke; romanised, it is the main name.
    found = places(geoparser, "Ворог атакував позиції біля Високого Запорізької області.")
    (village,) = (p for p in found.values() if p.name == "Vysoke")
    assert "GeoNames main name 'Vysoke'" in village.evidence


def test_a_village_outside_the_named_oblast_vouches_for_no_neighbour(geoparser: Any) -> None:
    # Poniativka is one village in the offline data, in Odesa Oblast; placed there, it drew
    # the text's Shyroka Balka and Mykolaivka into Odesa Oblast beside it.
    found = places(
        geoparser,
        "Окупанти знову обстріляли Херсонщину. Під вогнем перебували Білозерка, Садове, "
        "Понятівка, Широка Балка, Кізомис, Олександрівка, Миколаївка та місто Херсон.",
    )
    assert {"Kherson", "Bilozerka"} <= {p.name for p in found.values()}
    in_odesa_oblast = [
        p.name for p in found.values() if p.candidate and p.candidate.admin1 == "Odesa Oblast"
    ]
    assert in_odesa_oblast == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # «херсон» is a common noun to the Ukrainian dictionary, and GeoNames gives the city
        # 66,000 people: a dictionary word that names a town of 50,000 is that town.
        ("Вночі вибухи лунали у Херсоні.", "Kherson"),
        # «по» places a name as «в» and «на» do: «удару по Миколаєву».
        ("Ворог завдав ракетного удару по Миколаєву.", "Mykolaiv"),
    ],
)
def test_a_city_after_a_plain_preposition_stands_alone(
    geoparser: Any, text: str, name: str
) -> None:
    assert {p.name for p in places(geoparser, text).values()} == {name}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # The Ukrainian dictionary lists «золочів» as a noun with no proper-name mark, in the
        # singular only: a place's name, not a common word (Zolochiv has 22,600 people).
        ("Ворожий дрон атакував автомобіль у Золочеві.", "Zolochiv"),
        # A common adjective opens the name; the name as a whole is no common word.
        ("Вибухи пролунали у Великій Новосілці.", "Velyka Novosilka"),
        # Neither word is in the dictionary's forms of the name: guessed by its endings,
        # -ці → -к (Бурлуці: the dictionary's predictor says «бурлука») and -ова → -ів.
        ("Вибухи пролунали у Великому Бурлуці.", "Velykyi Burluk"),
        ("Бої тривали біля Часова Яру.", "Chasiv Yar"),
    ],
)
def test_inflected_ukrainian_place_names(geoparser: Any, text: str, name: str) -> None:
    assert {p.name for p in places(geoparser, text).values()} == {name}


def test_a_village_before_its_district_is_the_village_the_district_holds(geoparser: Any) -> None:
    found = places(geoparser, "Вибухи пролунали в Олександрівці Краматорського району.")
    (village,) = found.values()
    assert village.name == "Oleksandrivka"
    assert village.candidate.admin1 == "Donetsk Oblast"
    assert "qualified by 'Краматорського району'" in village.evidence


@pytest.mark.parametrize(
    "text",
    [
        "Бої тривають на Покровському та Лиманському напрямках.",
        "Противник атаковал на Покровском и Лиманском направлениях.",
    ],
)
def test_adjectives_listed_before_one_sector_noun_are_sectors(geoparser: Any, text: str) -> None:
    # Not the villages named Pokrovske: a sector is a further mention of a town, no pin.
    assert places(geoparser, text) == {}


def test_a_ukrainian_sentence_whose_names_ner_calls_people(geoparser: Any) -> None:
    text = "Ворог атакував Покровськ, Мирноград і Харків."
    # spaCy's English model, which reads English texts here, calls every name a person.
    entities = geoparser.recognizer.nlp(text).ents
    assert {entity.label_ for entity in entities} == {"PERSON"}
    for name in ("Покровськ", "Мирноград", "Харків"):
        assert any(name in entity.text for entity in entities), name
    names = {place.name for place in places(geoparser, text).values()}
    assert names == {"Pokrovsk", "Myrnohrad", "Kharkiv"}


def test_an_english_report_quoting_ukrainian_names_is_geoparsed(geoparser: Any) -> None:
    found = places(
        geoparser,
        "Russian forces advanced on Pokrovsk (Покровськ in Ukrainian) and Myrnohrad "
        "(Мирноград), the General Staff said on Tuesday, as fighting went on near Kupiansk.",
    )
    assert [m.text for m in found[POKROVSK].mentions] == ["Pokrovsk", "Покровськ"]
    assert [m.text for m in found[MYRNOHRAD].mentions] == ["Myrnohrad", "Мирноград"]
    assert found[POKROVSK].name_in_text is None


def test_the_sidebar_finds_a_place_in_either_script(geoparser: Any, gazetteer: Any) -> None:
    from components.catalog import build_catalog, gazetteer_search
    from components.excerpts import excerpts_html

    text = "Бої тривають під Куп’янськом. Ворог обстріляв Покровськ."
    result = geoparser.geoparse(article_from_text(text, source="test"))
    catalog = build_catalog(result)
    assert set(catalog.names) == {"Kupiansk (Куп’янськом)", "Pokrovsk (Покровськ)"}
    search = gazetteer_search(catalog, gazetteer)  # the sidebar's own search
    for query in ("Kupiansk", "Kupyansk", "Куп'янськ", "Куп’янськом", "Купянск", "куп"):
        assert search(query) == ("Kupiansk (Куп’янськом)",), query
    assert search("Покровськ") == search("pokrovsk") == ("Pokrovsk (Покровськ)",)
    # The excerpt is the text's own sentence, the mention marked in Cyrillic.
    assert "<mark" in excerpts_html(result.article, catalog, ["Kupiansk (Куп’янськом)"])
    assert "Куп’янськом</mark>" in excerpts_html(
        result.article, catalog, ["Kupiansk (Куп’янськом)"]
    )


def test_the_library_keeps_the_texts_forms_and_language(geoparser: Any, tmp_path: Any) -> None:
    from frontline.store import ArticleStore

    article = article_from_text("Бої тривають під Куп’янськом і біля Покровська.", source="t")
    result = geoparser.geoparse(article)
    with ArticleStore(tmp_path / "library.sqlite") as store:
        stored = store.get(store.add(article, result))
    assert stored.result.language == "uk"
    assert {(p.name, p.name_in_text) for p in stored.result.places} == {
        ("Kupiansk", "Куп’янськом"),
        ("Pokrovsk", "Покровська"),
    }
    assert stored.article.text == article.text


def test_a_cyrillic_geoparse_keeps_to_the_mention_and_time_limits(geoparser: Any) -> None:
    from frontline.errors import GeoparseLimitError
    from frontline.limits import GeoparseLimits
    from frontline.pipeline import Geoparser

    capped = Geoparser(geoparser.nlp, geoparser.gazetteer, limits=GeoparseLimits(max_mentions=50))
    with pytest.raises(GeoparseLimitError, match="more than 50 place mentions"):
        capped.geoparse(article_from_text("Бої біля Покровська. " * 60, source="uk"))
    ticks = iter(range(0, 1000, 10))  # a clock that jumps 10 s each reading
    slow = Geoparser(
        geoparser.nlp,
        geoparser.gazetteer,
        limits=GeoparseLimits(time_limit_s=15),
        clock=lambda: float(next(ticks)),
    )
    with pytest.raises(GeoparseLimitError, match="longer than the time limit"):
        slow.geoparse(article_from_text("Бои идут под Покровском, сообщили военные.", "ru"))


def test_a_village_listed_on_a_front_sector_lies_near_the_sectors_town(geoparser: Any) -> None:
    # «Гуляйпільському» is Huliaipole's adjective (о becomes і). The gazetteer's only Solodke
    # and the Zelenyi Hai near Orestopil lie 94 and 54 km from Huliaipole: villages it lacks.
    text = (
        "Бої тривають біля Орестополя. На Гуляйпільському напрямку ворог атакував у районах "
        "населених пунктів Солодке, Зелений Гай та Мала Токмачка."
    )
    found = places(geoparser, text)
    assert {p.name for p in found.values()} == {"Orestopil", "Mala Tokmachka"}


@pytest.mark.parametrize(("word", "placed"), [("с.", False), ("м.", True)])
def test_a_name_the_text_calls_a_village_is_no_large_town(
    geoparser: Any, word: str, placed: bool
) -> None:
    # The gazetteer's only Rubizhne is a town of 55,000 people; a village of that name is
    # another place, off the map until the country's data holds it.
    found = places(geoparser, f"Уламки дрона пошкодили будинок у {word} Рубіжне.")
    assert (RUBIZHNE in found) == placed
