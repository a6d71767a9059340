"""The article's theatre: where its places lie together, as evidence for a namesake.

A front-line report names villages that lie within tens of kilometres of one another, many
of them with namesakes hundreds of kilometres away (Ukraine has dozens of Hryhorivkas). The
offline gazetteer holds only the larger namesakes, so "the one we have" is often the wrong
one. Two signals, both weighed by the resolver and recorded as evidence:

- places named in the same or the next sentence lie together: a candidate close to one of
  them scores higher (a list of villages is one neighbourhood);
- a small settlement far from every other place the text names, outside every region the
  text names, is left off the map rather than pinned on a namesake: with the full country
  data (``frontline index --country UA``) the right village is usually there.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from frontline import evidence
from frontline.evidence import Reason
from frontline.gazetteer import NameMatch
from frontline.geo import distance_km
from frontline.model import Candidate
from frontline.recognize import Toponym

# Settlements smaller than this have namesakes all over Ukraine and Russia.
SMALL_SETTLEMENT = 20_000
# Farther than this from every other place of the text is outside its theatre: a village
# named in war-report syntax ("near A, B and C") lies within tens of kilometres of the
# others; any other mention is given more room, as news names places farther apart.
THEATRE_KM = 150.0
WAR_SYNTAX_THEATRE_KM = 100.0
# ...and a village of a name several villages bear, so named, lies closer still.
WAR_SYNTAX_NAMESAKE_KM = 60.0
# A name the gazetteer gives to this many settlements is one many more villages bear
# (Hryhorivka, Vodiane, Stepove); a name two towns share is likelier one of them, except
# where war-report syntax names it as a village.
MANY_NAMESAKES = 3
WAR_SYNTAX_NAMESAKES = 2
# Countries where a village's name is borne by dozens of villages of which the offline
# gazetteer holds a few (Hryhorivka, Svetlyy): there a village placed by guess vouches for no
# neighbour, and a village of war-report syntax far from the text's places is likelier one the
# gazetteer lacks. Applied everywhere, both rules cost ordinary news right answers
# (GeoWebNews' Charleston and Dundalk, GeoVirus' Orneta), where namesakes are fewer.
NAMESAKE_COUNTRIES = frozenset({"UA", "RU"})
# A front sector is named after a town, and the villages a report lists under it lie around
# that town (the Orikhiv sector's Prymorske is 38 km from Orikhiv); a namesake farther away
# is a village the gazetteer lacks.
SECTOR_KM = 50.0
# A sector's name that could be more towns than this says nothing of where its villages lie.
SECTOR_TOWNS = 3
# Places of one sentence (a list of villages) lie within tens of kilometres.
LOCAL_SCALE_KM = 30.0
# Sentences apart that still count as "together" (a list split over two sentences).
LOCAL_SENTENCES = 1


# The box around the article's places is widened by this much (about 30 km) on every side,
# and none is drawn around places farther apart than AREA_MAX_DEGREES.
AREA_MARGIN_DEGREES = 0.3
AREA_MAX_DEGREES = 8.0


@dataclass(frozen=True, slots=True)
class Area:
    """A box in degrees (south, west, north, east): where an article's places lie."""

    south: float
    west: float
    north: float
    east: float


def area_of(
    candidates: Iterable[Candidate | None], margin: float = AREA_MARGIN_DEGREES
) -> Area | None:
    """The box around these places' points, widened by ``margin``; None for fewer than two
    points or points too far apart to make one area."""
    points = [
        (candidate.lat, candidate.lon)
        for candidate in candidates
        if candidate is not None and candidate.lat is not None and candidate.lon is not None
    ]
    if len(points) < 2:
        return None
    lats = [lat for lat, _ in points]
    lons = [lon for _, lon in points]
    if max(lats) - min(lats) > AREA_MAX_DEGREES or max(lons) - min(lons) > AREA_MAX_DEGREES:
        return None
    return Area(min(lats) - margin, min(lons) - margin, max(lats) + margin, max(lons) + margin)


@dataclass(frozen=True, slots=True)
class Anchor:
    """A place the text names, where the resolver currently puts it."""

    key: str
    lat: float
    lon: float
    name: str
    sentences: frozenset[int]
    candidate_key: str = ""
    # A settlement smaller than SMALL_SETTLEMENT...
    small: bool = False
    # ...whose name the gazetteer also gives to other settlements far away: where it lies is
    # itself a guess, so it is no evidence for its neighbours' namesakes (small towns named
    # Washington, California and Paris lie together in Pennsylvania and Ohio).
    uncertain: bool = False
    paragraphs: frozenset[int] = frozenset()
    country_code: str = ""
    # A town or village, not a region's or landmark's point.
    settlement: bool = False
    # For an uncertain anchor: the reliable anchors within THEATRE_KM of it, and NAMED_REGION
    # when it lies in a region the text names, which vouch that the guess lies where the
    # text's places are.
    vouchers: frozenset[str] = frozenset()


NAMED_REGION = "a region the text names"


def with_vouchers(anchors: Sequence[Anchor]) -> list[Anchor]:
    """The anchors, each uncertain one with the reliable anchors that lie near it."""
    reliable = [anchor for anchor in anchors if not anchor.uncertain]
    return [
        replace(
            anchor,
            vouchers=anchor.vouchers
            | frozenset(
                other.key
                for other in reliable
                if other.key != anchor.key
                and distance_km(anchor.lat, anchor.lon, other.lat, other.lon) <= THEATRE_KM
            ),
        )
        if anchor.uncertain
        else anchor
        for anchor in anchors
    ]


def vouched_for(anchors: Sequence[Anchor], own_key: str) -> list[Anchor]:
    """The anchors that may support the name ``own_key``: the reliable ones, and in
    NAMESAKE_COUNTRIES the guesses that a reliable place other than that name vouches for. A
    village placed in Saratov Oblast only because the name beside it has a namesake there is no
    evidence for that namesake (Svetlyy and Krasnoarmeysk would hold each other there)."""
    return [
        anchor
        for anchor in anchors
        if not anchor.uncertain
        or anchor.country_code not in NAMESAKE_COUNTRIES
        or (anchor.vouchers - {own_key})
    ]


def nearest(
    candidate: Candidate,
    anchors: Iterable[Anchor],
    *,
    own_key: str,
    near_sentences: set[int] | None = None,
    other_places_only: bool = False,
    paragraphs: frozenset[int] | None = None,
) -> tuple[float, Anchor] | None:
    """The closest anchor other than the group itself (in the given sentences, if any;
    with ``other_places_only``, never the candidate itself named another way)."""
    if candidate.lat is None or candidate.lon is None:
        return None
    best: tuple[float, Anchor] | None = None
    for anchor in anchors:
        if anchor.key == own_key or (other_places_only and anchor.candidate_key == candidate.key):
            continue
        if near_sentences is not None and not (anchor.sentences & near_sentences):
            continue
        if paragraphs is not None and anchor.paragraphs and not (anchor.paragraphs & paragraphs):
            continue
        km = distance_km(candidate.lat, candidate.lon, anchor.lat, anchor.lon)
        if best is None or km < best[0]:
            best = (km, anchor)
    return best


def sentences_around(sentences: Iterable[int]) -> set[int]:
    return {
        index + offset
        for index in sentences
        for offset in range(-LOCAL_SENTENCES, LOCAL_SENTENCES + 1)
    }


def local_bonus(
    candidate: Candidate,
    anchors: Sequence[Anchor],
    own_key: str,
    sentences: Iterable[int],
    weight: float,
    paragraphs: frozenset[int] | None = None,
) -> tuple[float, Reason | None]:
    """A bonus for lying close to a place of the same (or the next) sentence."""
    found = nearest(
        candidate,
        [anchor for anchor in anchors if not anchor.uncertain],
        own_key=own_key,
        near_sentences=sentences_around(sentences),
        other_places_only=True,
        paragraphs=paragraphs,
    )
    if found is None:
        return 0.0, None
    km, anchor = found
    bonus = weight * math.exp(-km / LOCAL_SCALE_KM)
    return bonus, (evidence.km_from_beside(km, anchor.name) if km <= 2 * LOCAL_SCALE_KM else None)


# Per sentence, the towns its front sectors may be named after.
SectorTowns = dict[int, tuple[Candidate, ...]]


def sector_towns(named: Iterable[tuple[int, Iterable[NameMatch]]]) -> SectorTowns:
    """Per sentence, the towns of Ukraine or Russia its front sectors may be named after,
    from each sector's (sentence, matches). None for a sentence with a sector whose name
    could be any of many towns («на Олександрівському напрямку»: dozens of Oleksandrivkas,
    and Zaporizhzhia, once Oleksandrivsk)."""
    towns: dict[int, dict[str, Candidate]] = {}
    unclear: set[int] = set()
    for sentence, matches in named:
        found = {m.candidate.key: m.candidate for m in matches if m.candidate.feature == "city"}
        if not found or len(found) > SECTOR_TOWNS:
            unclear.add(sentence)
        towns.setdefault(sentence, {}).update(found)
    return {
        sentence: tuple(found.values())
        for sentence, found in towns.items()
        if sentence not in unclear
        and all(town.country_code in NAMESAKE_COUNTRIES for town in found.values())
    }


def sector_of(toponyms: Iterable[Toponym], sectors: SectorTowns) -> tuple[Candidate, ...]:
    """The towns of the front sector a name is listed on as a spot on the ground in its
    sentence (none if it is not)."""
    return next(
        (
            sectors[toponym.mention.sentence_index]
            for toponym in toponyms
            if toponym.after_war_locative
            and not toponym.names_front_sector
            and toponym.mention.sentence_index in sectors
        ),
        (),
    )


def far_from_sector(candidate: Candidate, towns: Sequence[Candidate]) -> Reason | None:
    """Why a small settlement listed on a front sector is off the map: it lies farther than
    SECTOR_KM from every town the sector may be named after (None if not)."""
    if candidate.feature != "city" or candidate.population >= SMALL_SETTLEMENT:
        return None
    if candidate.lat is None or candidate.lon is None:
        return None
    measured = [
        (distance_km(candidate.lat, candidate.lon, town.lat, town.lon), town)
        for town in towns
        if town.lat is not None and town.lon is not None
    ]
    if not measured:
        return None
    km, town = min(measured, key=lambda pair: pair[0])
    if km <= SECTOR_KM:
        return None
    best = f"{candidate.name}, {candidate.admin1 or candidate.country_code}"
    return evidence.far_from_sector(best, km, town.name)


def outside_named_regions(candidate: Candidate, regions: Mapping[str, str]) -> bool:
    """The text names first-level regions of the candidate's country, and none holds it."""
    return candidate.admin1_code not in regions and any(
        code.split(".")[0] == candidate.country_code for code in regions if code
    )


def far_from_theatre(
    candidate: Candidate,
    anchors: Sequence[Anchor],
    own_key: str,
    regions: Mapping[str, str],
    *,
    namesakes: int,
    main_name: bool,
    war_syntax: bool = False,
    namesake_countries: frozenset[str] = NAMESAKE_COUNTRIES,
) -> Reason | None:
    """Why a small settlement is off the map: far from the text's other places ('' if not).

    Only for a name the gazetteer gives to MANY_NAMESAKES settlements or more, or knows only
    as another place's alternate or former name: a village of a rarer name is likelier right.
    """
    if candidate.feature != "city" or candidate.population >= SMALL_SETTLEMENT:
        return None
    # A village named in war-report syntax in a text that names its country's regions, none
    # of them its own, or in ``namesake_countries`` (NAMESAKE_COUNTRIES but those whose every
    # village the gazetteer holds), is no likelier the gazetteer's one village of that name.
    regions_of_its_country = any(
        code.split(".")[0] == candidate.country_code for code in regions if code
    )
    needed = WAR_SYNTAX_NAMESAKES if war_syntax else MANY_NAMESAKES
    if war_syntax and (regions_of_its_country or candidate.country_code in namesake_countries):
        needed = 1
    if namesakes < needed and main_name:
        return None
    if candidate.admin1_code and candidate.admin1_code in regions:
        return None
    reliable = [anchor for anchor in anchors if not anchor.uncertain] or list(anchors)
    found = nearest(candidate, reliable, own_key=own_key, other_places_only=True)
    if found is None:
        return None
    km, anchor = found
    limit = THEATRE_KM
    if war_syntax:
        # Measured from a town or village; a region's point lies farther from its villages
        # («shelled Hirnyk, the Lviv Oblast governor said»: 73 km from the oblast's point).
        close = namesakes >= WAR_SYNTAX_NAMESAKES and anchor.settlement
        limit = WAR_SYNTAX_NAMESAKE_KM if close else WAR_SYNTAX_THEATRE_KM
    if km <= limit:
        return None
    best = f"{candidate.name}, {candidate.admin1 or candidate.country_code}"
    return evidence.far_from_theatre(best, km, anchor.name)
