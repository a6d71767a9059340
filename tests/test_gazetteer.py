"""The offline GeoNames index: built once, opened fast, looked up by any spelling."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from frontline.errors import GazetteerError
from frontline.gazetteer import INDEX_FILE, Gazetteer, ensure_index, fold_name, normalize_name
from frontline.geo import distance_km


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Kup'yansk", "Kupyansk"),
        ("Kup’yans’k", "Kupyansk"),
        ("Zaporizhzhia", "ZAPORIZHZHIA"),
        ("Mar-a-Lago", "mar a lago"),
        ("Élysée", "Elysee"),
        ("D.C.", "DC"),
    ],
)
def test_normalize_folds_case_accents_apostrophes_and_punctuation(left: str, right: str) -> None:
    assert normalize_name(left) == normalize_name(right)


def test_fold_unifies_romanisations() -> None:
    assert fold_name(normalize_name("Kupiansk")) == fold_name(normalize_name("Kupyansk"))
    assert fold_name(normalize_name("Kostiantynivka")) == fold_name(
        normalize_name("Kostyantynivka")
    )
    assert fold_name("pokrovsk") != fold_name("pokrova")


def _ids(gazetteer: Gazetteer, name: str) -> set[int]:
    return {match.candidate.geonameid for match in gazetteer.candidates(name)}


@pytest.mark.parametrize(
    ("name", "geonameid"),
    [
        ("Kupiansk", 703656),
        ("Kupyansk", 703656),
        ("Kup'yansk", 703656),
        ("Kiev", 703448),
        ("Kyiv", 703448),
        ("Kharkov", 706483),
        ("Artemivsk", 713174),
        ("Bakhmut", 713174),
        ("Budapest", 3054643),
    ],
)
def test_alternate_and_old_names(gazetteer: Gazetteer, name: str, geonameid: int) -> None:
    assert geonameid in _ids(gazetteer, name)


def test_pokrovsk_has_its_homonyms_and_the_old_name_of_engels(gazetteer: Gazetteer) -> None:
    matches = {m.candidate.geonameid: m for m in gazetteer.candidates("Pokrovsk")}
    assert {704422, 2017824} <= set(matches)
    assert matches[704422].kind == "name"
    engels = [m for m in matches.values() if m.candidate.name == "Engels"]
    assert engels and engels[0].kind == "alternate"


def test_regions_show_their_english_names_and_admin_codes(gazetteer: Gazetteer) -> None:
    pokrovsk = gazetteer.get(704422)
    assert pokrovsk is not None
    assert pokrovsk.admin1 == "Donetsk Oblast"
    assert pokrovsk.admin1_code == "UA.05"
    regions = [m.candidate for m in gazetteer.candidates("Donetsk Oblast")]
    assert any(r.feature == "admin" and r.admin1_code == "UA.05" for r in regions)
    assert all(r.lat is not None for r in regions if r.feature == "admin")


def test_a_region_point_lies_in_the_region_despite_a_town_coded_there_by_mistake(
    gazetteer: Gazetteer,
) -> None:
    # GeoNames codes a Sofiyivka 250 km west of Donetsk Oblast as lying in it; the box of
    # the oblast's towns must not stretch to reach it.
    (oblast,) = [m.candidate for m in gazetteer.candidates("Donetsk Oblast")]
    donetsk = next(
        m.candidate for m in gazetteer.candidates("Donetsk") if m.candidate.admin1_code == "UA.05"
    )
    assert oblast.lat is not None and oblast.lon is not None
    assert donetsk.lat is not None and donetsk.lon is not None
    assert distance_km(oblast.lat, oblast.lon, donetsk.lat, donetsk.lon) < 60


def test_russian_regions_have_their_english_names_after_their_towns(gazetteer: Gazetteer) -> None:
    # GeoNames calls it "Kurskaya oblast'"; news says Kursk Oblast or the Kursk region.
    (oblast,) = [m.candidate for m in gazetteer.candidates("Kursk Oblast")]
    assert oblast.feature == "admin" and oblast.admin1_code == "RU.41"
    kursk = next(
        m.candidate for m in gazetteer.candidates("Kursk") if m.candidate.feature == "city"
    )
    assert kursk.admin1 == "Kursk Oblast"
    assert {m.candidate.admin1_code for m in gazetteer.candidates("Kursk")} >= {"RU.41"}
    assert [m.candidate.name for m in gazetteer.candidates("Tula Oblast")] == ["Tula Oblast"]
    # Kaluga's adjective "Kaluzhskaya" fits no town: the name stays as GeoNames has it, and
    # "Kaluga Oblast" finds it through the romanisation of its Cyrillic names.
    (kaluga,) = [m.candidate for m in gazetteer.candidates("Kaluga Oblast")]
    assert (kaluga.name, kaluga.admin1_code) == ("Kaluzhskaya oblast'", "RU.25")


def test_a_county_stands_beside_foreign_towns_of_its_name_but_not_its_own_town(
    gazetteer: Gazetteer,
) -> None:
    kent = {m.candidate.country_code: m.candidate for m in gazetteer.candidates("Kent")}
    assert kent["GB"].feature == "admin" and "US" in kent
    # Italian provinces share their capital's name: the town alone answers to it.
    assert {m.candidate.feature for m in gazetteer.candidates("Bergamo")} == {"city"}


def test_abbreviations_match_only_in_capitals(gazetteer: Gazetteer) -> None:
    assert {m.candidate.feature for m in gazetteer.candidates("US")} == {"country"}
    assert all(m.candidate.feature != "country" for m in gazetteer.candidates("Us"))
    assert gazetteer.candidates("AP") == ()
    assert gazetteer.candidates("NATO") == ()


def test_countries_and_continents_have_representative_points(gazetteer: Gazetteer) -> None:
    russia = gazetteer.country("RU")
    assert russia is not None and russia.geonameid == 2017370
    assert russia.lat is not None and russia.lon is not None and russia.lon > 60
    europe = [m.candidate for m in gazetteer.candidates("Europe")]
    assert europe[0].feature == "continent" and europe[0].geonameid == 6255148


def test_demonyms_are_found_only_when_asked(gazetteer: Gazetteer) -> None:
    assert gazetteer.candidates("Ukrainian") == ()
    demonyms = gazetteer.candidates("Ukrainian", kinds=("demonym",))
    assert [m.candidate.country_code for m in demonyms] == ["UA"]


def test_search_finds_prefixes_most_populous_first(gazetteer: Gazetteer) -> None:
    found = gazetteer.search("Kramat")
    assert found and found[0].name == "Kramatorsk"


def test_known_keys_answers_in_one_batch(gazetteer: Gazetteer) -> None:
    keys = [normalize_name(name) for name in ("Pokrovsk", "Kupiansk", "Xyzzyqq", "Budapest")]
    assert gazetteer.known_keys(keys) == {keys[0], keys[1], keys[3]}


def test_index_is_built_once_and_reused(settings: Any, gazetteer: Gazetteer) -> None:
    path = ensure_index(settings.gazetteer_dir)
    stamp = path.stat().st_mtime_ns
    again = ensure_index(settings.gazetteer_dir)
    assert again == path and again.stat().st_mtime_ns == stamp
    info = gazetteer.info()
    assert info.entries > 200_000 and info.names > info.entries
    assert info.size_bytes > 10_000_000


def test_a_file_that_is_not_an_index_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / INDEX_FILE
    bogus.write_text("not a database")
    with pytest.raises(GazetteerError, match="not a gazetteer index"):
        Gazetteer(bogus)


@pytest.mark.slow
def test_a_stale_index_is_rebuilt(tmp_path: Path, settings: Any) -> None:
    """An index from another schema version is replaced, not trusted."""
    source = settings.gazetteer_dir / INDEX_FILE
    stale = tmp_path / INDEX_FILE
    stale.write_bytes(source.read_bytes())
    with sqlite3.connect(stale) as connection:
        connection.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")
    rebuilt = ensure_index(tmp_path)
    with sqlite3.connect(rebuilt) as connection:
        schema = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
    assert schema != "0"
    assert 704422 in {m.candidate.geonameid for m in Gazetteer(rebuilt).candidates("Pokrovsk")}


def test_a_source_is_one_builder_and_a_later_entry_replaces_an_earlier(tmp_path: Path) -> None:
    """What a new source (a GeoNames country dump) takes: a function that adds entries and
    their names, run by ``build_index`` in the index's own format."""
    from frontline.gazetteer_build import Entry, IndexContent, Sources, build_index

    def villages(sources: Sources, content: IndexContent) -> None:
        for population in (100, 250):  # the second row of geonameid 1 is the one kept
            content.add(
                Entry(
                    1, "Testivka", 48.1, 37.2, "city", "UA", "UA.05", "Donetsk Oblast", population
                ),
                ("Testivka", "name"),
                ("Testowka", "alternate"),
            )

    path = tmp_path / INDEX_FILE
    build_index(path, builders=(villages,))
    built = Gazetteer(path)
    (match,) = built.candidates("Testowka")
    assert (match.candidate.name, match.kind, match.candidate.population) == (
        "Testivka",
        "alternate",
        250,
    )
    assert built.info().entries == 1
    assert built.info().names == 2
