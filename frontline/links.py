"""What recognition links between neighbouring names: a name written whole with its state
("Washington, D.C."), a qualifier after a name ("Borova, in Kharkiv region"; "Oleksandrivka,
Tsyrkuny hromada" where a country export holds the hromada; "Ivanivka (Russia)"), and the
lists names stand in. Works on the recogniser's toponyms (frontline/recognize.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any, ClassVar, Protocol, TypeVar

from frontline.gazetteer import NameMatch
from frontline.geo import distance_km
from frontline.model import Candidate

_LIST_GAP = re.compile(r"^\s*(?:,\s*(?:and|or)?|and|or|&)\s*$")
_FULL_NAME_GAP = re.compile(r",[ \t]*")
_QUALIFIER_GAP = re.compile(r"^\s*(?:,\s*(?:in\s+(?:the\s+)?)?|\s+in\s+(?:the\s+)?|\s*\()\s*$")
# "Oleksandrivka, Tsyrkuny hromada": the community's own name, looked up with this word when
# a country export holds its division, qualifies the village before it.
_COMMUNITY_WORD = re.compile(r"[ \t]+(hromada|community)\b")
# "in Russia's Kursk region": the region of the country is the qualifier.
_POSSESSIVE_GAP = re.compile(r"['’]s[ \t]+")
# A region named with its region word ("Kursk region", "Kharkiv Oblast") says where the name
# before it lies as surely as a country does; a bare "Kharkiv" may open a list of towns.
_REGION_WORD = re.compile(r"\b(?:region|oblast|province|krai|governorate)$", re.IGNORECASE)
# What ends a qualifier that is not in brackets: the sentence or clause ends, or a comma
# goes on ("Ivanivka, Russia, on Tuesday"), but not a possessive or a verb ("Ivanivka,
# Russia said", "Kupiansk, Russia's defence ministry claimed").
_QUALIFIER_END = re.compile(r"\s*(?:[.,;:!?)—–]|$)")
_CLOSING_BRACKET = re.compile(r"\s*\)")
_IN = re.compile(r"\bin\b")
# A town of this many people is the town readers know: a qualifier none of its namesakes fits
# is likelier the writer's view of a border ("Sevastopol, Russia") than a village the
# offline gazetteer lacks.
KNOWN_TOWN_POPULATION = 100_000


class Linked(Protocol):
    """What linking reads of a toponym (frontline.recognize.Toponym)."""

    # Read-only and a dataclass, as frozen Toponyms are: the rules dataclasses.replace them.
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def mention(self) -> Any: ...

    @property
    def matches(self) -> tuple[NameMatch, ...]: ...

    @property
    def qualifier(self) -> tuple[NameMatch, ...]: ...

    @property
    def list_group(self) -> int | None: ...


T = TypeVar("T", bound=Linked)


# How far from its centre town a village of a district or community («Шестакове
# Старосалтівської громади») may lie: hromadas span 10-40 km, raions up to about 100.
DISTRICT_RADIUS_KM = 60.0


def _within_district(candidate: Candidate, centre: Candidate) -> bool:
    if None in (candidate.lat, candidate.lon, centre.lat, centre.lon):
        return False
    km = distance_km(candidate.lat, candidate.lon, centre.lat, centre.lon)  # type: ignore[arg-type]
    return km <= DISTRICT_RADIUS_KM and candidate.key != centre.key


def lies_within(candidate: Candidate, regions: Iterable[NameMatch]) -> bool:
    """The candidate lies in one of the regions or countries (a qualifier's matches)."""
    for match in regions:
        region = match.candidate
        if region.feature == "country" and candidate.country_code == region.country_code:
            return True
        if region.feature == "city" and _within_district(candidate, region):
            # A district or community named after its centre town («Старосалтівської
            # громади»): the gazetteer has the town, not the district's outline.
            return True
        if region.feature == "admin" and candidate.admin1_code == region.admin1_code:
            return True
        if (
            region.feature == "admin"
            and region.admin_path
            and candidate.admin_path
            and candidate.geonameid != region.geonameid
            and (candidate.admin_path + ".").startswith(region.admin_path + ".")
        ):
            # A village of a raion or hromada that a country export added ("X hromada").
            return True
    return False


def join_full_names(
    text: str, toponyms: list[T], lookup: Callable[[str], tuple[NameMatch, ...]]
) -> list[T]:
    """One mention for a name written with its state after a comma when the gazetteer knows
    the whole as that place's name ("Washington, D.C."), instead of a place and a second
    place that only qualifies it."""
    joined: list[T] = []
    index = 0
    while index < len(toponyms):
        current = toponyms[index]
        following = toponyms[index + 1] if index + 1 < len(toponyms) else None
        if following is not None and _FULL_NAME_GAP.fullmatch(
            text, current.mention.end, following.mention.start
        ):
            whole = text[current.mention.start : following.mention.end]
            own = {match.candidate.key for match in current.matches}
            matches = tuple(match for match in lookup(whole) if match.candidate.key in own)
            if matches:
                mention = replace(current.mention, text=whole, end=following.mention.end)
                joined.append(replace(current, mention=mention, matches=matches))
                index += 2
                continue
        joined.append(current)
        index += 1
    return joined


def link_context(
    text: str, toponyms: list[T], lookup: Callable[[str], tuple[NameMatch, ...]]
) -> tuple[T, ...]:
    """Attach qualifiers that follow a name ("Borova, in Kharkiv region") and list groups."""
    linked = list(toponyms)
    group = 0
    for index in range(len(linked) - 1):
        current, following = linked[index], linked[index + 1]
        gap = text[current.mention.end : following.mention.start]
        if not current.qualifier and _QUALIFIER_GAP.match(gap):
            qualifier_text = following.mention.text
            regional = tuple(
                m
                for m in following.matches
                if m.candidate.feature in {"admin", "country"} and m.kind != "demonym"
            )
            last = index + 1
            of_country = _region_of_country(text, regional, linked, last)
            if of_country:
                # "Ivanovka in Russia's Kursk region": in that region, not anywhere in Russia.
                last += 1
                regional = of_country
                qualifier_text = text[following.mention.start : linked[last].mention.end]
            community = _COMMUNITY_WORD.match(text, following.mention.end)
            if not regional and community is not None:
                named = f"{following.mention.text} {community.group(1)}"
                regional = tuple(m for m in lookup(named) if m.candidate.feature == "admin")
            own_regions = {
                m.candidate.admin1_code
                if following.matches and m.candidate.feature == "admin"
                else m.candidate.country_code
                for m in regional
            }
            consistent = any(
                m.candidate.admin1_code in own_regions
                or m.candidate.country_code in own_regions
                or lies_within(m.candidate, regional)
                for m in current.matches
            )
            explicit = (
                bool(of_country)
                or any(m.candidate.feature == "country" for m in regional)
                or bool(_REGION_WORD.search(qualifier_text))
            )
            says_where = (
                explicit
                and village_name(current.matches)
                and written_as_qualifier(text, linked, index, last)
            )
            if (
                regional
                and (consistent or says_where)
                and current.mention.text != following.mention.text
                and not _countries_listed(current.matches, regional)
            ):
                # Where no namesake lies in the country or region the text puts it in, the
                # qualifier is kept all the same: the resolver leaves the name off the map
                # rather than pin a namesake elsewhere ("Ivanivka (Russia)").
                linked[index] = current = replace(
                    current, qualifier_text=qualifier_text, qualifier=regional
                )
        if (
            _LIST_GAP.match(gap)
            and current.mention.sentence_index == following.mention.sentence_index
        ):
            if current.list_group is None:
                group += 1
                linked[index] = current = replace(current, list_group=group)
            linked[index + 1] = replace(following, list_group=current.list_group)
    return tuple(linked)


def _region_of_country(
    text: str, regional: tuple[NameMatch, ...], linked: list[T], index: int
) -> tuple[NameMatch, ...]:
    """The regions of the country ``linked[index]`` names whose name follows it in the
    possessive ("Russia's Kursk region"); () when it is not so written."""
    countries = {m.candidate.country_code for m in regional if m.candidate.feature == "country"}
    if not countries or index + 1 >= len(linked):
        return ()
    country, region = linked[index], linked[index + 1]
    if not _POSSESSIVE_GAP.fullmatch(text, country.mention.end, region.mention.start):
        return ()
    return tuple(
        m
        for m in region.matches
        if m.candidate.feature == "admin" and m.candidate.country_code in countries
    )


def _countries_listed(matches: Iterable[NameMatch], regional: tuple[NameMatch, ...]) -> bool:
    """A country's name before another country's is a list of countries ("China, Japan, and
    the United Kingdom"), not the town of China in Japan; a region of the name in the
    country is qualified by it ("Georgia, USA")."""
    matches = tuple(matches)
    return (
        any(m.candidate.feature == "country" for m in matches)
        and any(m.candidate.feature == "country" for m in regional)
        and not any(
            m.candidate.feature == "admin" and lies_within(m.candidate, regional) for m in matches
        )
    )


def village_name(matches: Iterable[NameMatch]) -> bool:
    """Every place of the name is a settlement, and none a town readers know by its name."""
    matches = tuple(matches)
    return bool(matches) and all(
        m.candidate.feature == "city"
        and (m.kind != "name" or m.candidate.population < KNOWN_TOWN_POPULATION)
        for m in matches
    )


def written_as_qualifier(
    text: str,
    linked: Sequence[Any],
    index: int,
    last: int,
    list_gap: re.Pattern[str] = _LIST_GAP,
    preposition: re.Pattern[str] = _IN,
) -> bool:
    """``linked[index + 1 : last + 1]`` is written as where ``linked[index]`` lies: in
    brackets ("Ivanivka (Russia)"), after "in" ("Ivanivka in Russia's Kursk region"), or
    after a comma with the clause ending or going on after it ("Ivanivka, Russia, on
    Tuesday"); not before a verb or in a list ("Ivanivka, Russia said"; "Ivanivka, Russia,
    Belarus and Ukraine")."""
    name, qualifier = linked[index], linked[last]
    gap = text[name.mention.end : linked[index + 1].mention.start]
    if gap.strip().endswith("("):
        return _CLOSING_BRACKET.match(text, qualifier.mention.end) is not None
    if preposition.search(gap):
        if _POSSESSIVE_GAP.match(text, qualifier.mention.end):
            return False
    elif _QUALIFIER_END.match(text, qualifier.mention.end) is None:
        return False
    if last + 1 < len(linked):
        beyond = linked[last + 1]
        if list_gap.match(text[qualifier.mention.end : beyond.mention.start]):
            return False
    return True
