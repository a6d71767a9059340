"""Lists in war reports: what a list's first name is after and its last name is before holds
for every name of it ("near A, B and C"; "in Kyiv, Kharkiv and Odesa regions"), and the one
oblast a list's sentence names is where its villages lie ("In Kharkiv Oblast, troops
liberated A, B and C"). Works on the recogniser's toponyms (frontline/recognize.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, ClassVar, Protocol, TypeVar

from frontline import war_syntax
from frontline.gazetteer import NameMatch
from frontline.names import normalize_name


class Listed(Protocol):
    """What these rules read of a toponym (frontline.recognize.Toponym)."""

    # Read-only and a dataclass, as frozen Toponyms are: the rules dataclasses.replace them.
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def mention(self) -> Any: ...

    @property
    def matches(self) -> tuple[NameMatch, ...]: ...

    @property
    def list_group(self) -> int | None: ...

    @property
    def after_war_locative(self) -> bool: ...


T = TypeVar("T", bound=Listed)


def war_lists(
    text: str,
    toponyms: Sequence[T],
    namesake_regions: Callable[[Sequence[NameMatch]], tuple[NameMatch, ...]],
) -> list[T]:
    """A list shares what its first name is after ("near A, B, and C": all three are spots
    on the ground) and what its last name is before ("in Kyiv, Kharkiv and Odesa regions":
    all three are regions, told apart from the cities of those names)."""
    groups: dict[int, list[int]] = {}
    for index, toponym in enumerate(toponyms):
        if toponym.list_group is not None:
            groups.setdefault(toponym.list_group, []).append(index)
    updated = list(toponyms)
    for members in groups.values():
        first, last = updated[members[0]], updated[members[-1]]
        plural_region = war_syntax.before_plural_region(text, last.mention.end)
        region = (
            the_sentence_region(toponyms, members)
            if first.after_war_locative and not plural_region
            else None
        )
        for index in members:
            toponym = updated[index]
            if first.after_war_locative:
                toponym = replace(toponym, after_war_locative=True)
            if region is not None:
                toponym = replace(
                    toponym,
                    sentence_region=region.matches,
                    sentence_region_text=region.mention.text,
                )
            if plural_region:
                regions = regions_around_towns(toponym.matches)
                if not regions:
                    regions = namesake_regions(toponym.matches)
                if regions:
                    toponym = replace(toponym, matches=regions, names_region=True)
            updated[index] = toponym
    return updated


def the_sentence_region(toponyms: Sequence[T], members: Sequence[int]) -> T | None:
    """The one first-level region named outright ("Kharkiv Oblast", "Kursk region") in the
    sentence of a list, outside the list; None if there is none or more than one."""
    sentence = toponyms[members[0]].mention.sentence_index
    regions = [
        toponym
        for index, toponym in enumerate(toponyms)
        if index not in members
        and toponym.mention.sentence_index == sentence
        and toponym.matches
        and all(m.candidate.feature == "admin" for m in toponym.matches)
        and len({m.candidate.admin1_code for m in toponym.matches}) == 1
    ]
    codes = {region.matches[0].candidate.admin1_code for region in regions}
    return regions[0] if len(codes) == 1 else None


def regions_around_towns(matches: Sequence[NameMatch]) -> tuple[NameMatch, ...]:
    """The regions among ``matches``, without a city that is a region of its own (Kyiv the
    city is also a first-level division; "Kyiv and Odesa regions" means Kyiv Oblast)."""
    cities = {
        (m.candidate.admin1_code, normalize_name(m.candidate.name))
        for m in matches
        if m.candidate.feature == "city"
    }
    regions = tuple(m for m in matches if m.candidate.feature == "admin")
    around = tuple(
        m
        for m in regions
        if (m.candidate.admin1_code, normalize_name(m.candidate.name)) not in cities
    )
    return around or regions
