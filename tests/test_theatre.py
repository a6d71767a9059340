"""The theatre's rules on their own: which places vouch for a namesake, which stay off the map.

Points are made up; distances are along a meridian (1 degree of latitude is about 111 km).
"""

from __future__ import annotations

from frontline import theatre
from frontline.evidence import Reason
from frontline.model import Candidate

ANCHOR_LAT, ANCHOR_LON = 48.0, 37.0


def village(country: str, km_north: float, *, admin1_code: str | None = None) -> Candidate:
    return Candidate(
        geonameid=None,
        name="Solodke",
        lat=ANCHOR_LAT + km_north / 111.2,
        lon=ANCHOR_LON,
        feature="city",
        country_code=country,
        admin1=None,
        population=800,
        admin1_code=admin1_code,
    )


def anchor(
    key: str,
    km_north: float = 0.0,
    *,
    uncertain: bool = False,
    country: str = "UA",
    settlement: bool = True,
) -> theatre.Anchor:
    return theatre.Anchor(
        key,
        ANCHOR_LAT + km_north / 111.2,
        ANCHOR_LON,
        key.title(),
        frozenset({0}),
        f"geonames:{key}",
        small=uncertain,
        uncertain=uncertain,
        country_code=country,
        settlement=settlement,
    )


def test_a_guess_vouches_for_a_namesake_only_where_a_reliable_place_lies_near_it() -> None:
    def vouching(anchors: list[theatre.Anchor]) -> set[str]:
        usable = theatre.vouched_for(theatre.with_vouchers(anchors), own_key="kurakhove")
        return {a.key for a in usable} - {"kurakhove"}

    # Two guesses in Ukraine would hold each other up; a reliable town near one vouches for it.
    guess, other_guess = (
        anchor("svetle", 0, uncertain=True),
        anchor("kurakhove", 10, uncertain=True),
    )
    assert vouching([guess, other_guess]) == set()
    assert vouching([guess, other_guess, anchor("pokrovsk", 40)]) == {"svetle", "pokrovsk"}
    assert vouching([guess, other_guess, anchor("kharkiv", 200)]) == {"kharkiv"}
    # The name being scored vouches for no one: a guess beside it is still a guess.
    assert vouching([guess, anchor("kurakhove", 30)]) == set()


def test_guesses_outside_the_wars_countries_still_count() -> None:
    # Small American towns of one name are few: their guesses stay evidence (GeoWebNews).
    guesses = theatre.with_vouchers(
        [
            anchor("charleston", 0, uncertain=True, country="US"),
            anchor("summerville", 30, uncertain=True, country="US"),
        ]
    )
    assert {a.key for a in theatre.vouched_for(guesses, own_key="summerville")} == {
        "charleston",
        "summerville",
    }


def far(
    candidate: Candidate,
    namesakes: int,
    regions: dict[str, str] | None = None,
    *,
    from_settlement: bool = True,
) -> Reason | None:
    return theatre.far_from_theatre(
        candidate,
        [anchor("huliaipole", settlement=from_settlement)],
        "solodke",
        regions or {},
        namesakes=namesakes,
        main_name=True,
        war_syntax=True,
    )


def test_a_war_report_village_of_one_namesake_far_away_stays_off_the_map_in_ukraine() -> None:
    assert far(village("UA", 120), namesakes=1) is not None
    assert far(village("UA", 80), namesakes=1) is None
    # Elsewhere a village the gazetteer knows by its only name is likelier right (Orneta),
    # and so it is where the gazetteer holds the country's every village (an export merged).
    assert far(village("PL", 120), namesakes=1) is None
    complete = theatre.far_from_theatre(
        village("UA", 120),
        [anchor("huliaipole")],
        "solodke",
        {},
        namesakes=1,
        main_name=True,
        war_syntax=True,
        namesake_countries=theatre.NAMESAKE_COUNTRIES - {"UA"},
    )
    assert complete is None


def test_a_village_of_a_name_villages_share_must_lie_closer_in_war_syntax() -> None:
    # 80 km is inside the theatre for a rare name, too far for one of several namesakes.
    assert far(village("UA", 80), namesakes=2) is not None
    assert far(village("UA", 50), namesakes=2) is None
    # A region's point lies farther from its villages: from it, the rarer name's 100 km hold.
    assert far(village("UA", 80), namesakes=2, from_settlement=False) is None
    # In a region the text names it stays, however far.
    in_region = village("UA", 80, admin1_code="UA.26")
    assert far(in_region, namesakes=2, regions={"UA.26": "Запорізька область"}) is None


def test_a_village_outside_the_regions_the_text_names_is_a_guess() -> None:
    regions = {"UA.26": "Запорізька область"}
    assert theatre.outside_named_regions(village("UA", 0, admin1_code="UA.05"), regions)
    assert not theatre.outside_named_regions(village("UA", 0, admin1_code="UA.26"), regions)
    # Regions of another country say nothing about this one's villages.
    assert not theatre.outside_named_regions(village("RU", 0, admin1_code="RU.28"), regions)
