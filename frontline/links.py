"""What recognition links between neighbouring names: a name written whole with its state
("Washington, D.C."), a qualifier after a name ("Borova, in Kharkiv region"; "Oleksandrivka,
Tsyrkuny hromada" where a country export holds the hromada), and the lists names stand in.
Works on the recogniser's toponyms (frontline/recognize.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
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
            regional = tuple(
                m
                for m in following.matches
                if m.candidate.feature in {"admin", "country"} and m.kind != "demonym"
            )
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
            if regional and consistent and current.mention.text != following.mention.text:
                linked[index] = current = replace(
                    current, qualifier_text=following.mention.text, qualifier=regional
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
