"""What Ukrainian and Russian recognition links between neighbouring names: a region or
district after a place («Новопавлівка Донецької області», «Іванівку (Курська область)»), a
country written as where a place lies («Іванівку (Росія)»), and lists («Покровськ та
Мирноград»)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from frontline.cyrillic import syntax
from frontline.links import village_name, written_as_qualifier
from frontline.recognize import Toponym


def _country_qualifies(text: str, linked: Sequence[Toponym], index: int) -> bool:
    """«Іванівку (Росія)», «Тьоткіно в Росії,»: the country after a place says where it
    lies; where no namesake lies there, only a village's name is kept off the map by it (as
    for English, ``frontline.links``)."""
    current, following = linked[index], linked[index + 1]
    countries = {
        m.candidate.country_code for m in following.matches if m.candidate.feature == "country"
    }
    if (
        not countries
        or current.qualifier
        or not any(m.candidate.feature == "city" for m in current.matches)
        or not syntax.COUNTRY_QUALIFIER_GAP.match(
            text[current.mention.end : following.mention.start]
        )
        or not written_as_qualifier(
            text, linked, index, index + 1, syntax.LIST_GAP, syntax.PREPOSITION_OF_PLACE
        )
    ):
        return False
    return village_name(current.matches) or any(
        m.candidate.country_code in countries for m in current.matches
    )


def link(text: str, toponyms: list[Toponym], roles: Sequence[str]) -> list[Toponym]:
    """Qualifiers and lists, as ``frontline.links.link_context`` does for English; ``roles``
    are the names' ("place", "region", "district", "sector")."""
    linked = list(toponyms)
    group = 0
    for index in range(len(linked) - 1):
        current, following = linked[index], linked[index + 1]
        gap = text[current.mention.end : following.mention.start]
        role = roles[index + 1]
        if (
            role in {"region", "district"}
            and roles[index] == "place"
            and (
                syntax.QUALIFIER_GAP.match(gap)
                or (gap.strip() == "(" and written_as_qualifier(text, linked, index, index + 1))
            )
            and any(m.candidate.feature == "city" for m in current.matches)
        ):
            linked[index] = current = replace(
                current, qualifier_text=following.mention.text, qualifier=following.matches
            )
        elif role == roles[index] == "place" and _country_qualifies(text, linked, index):
            countries = tuple(m for m in following.matches if m.candidate.feature == "country")
            linked[index] = current = replace(
                current, qualifier_text=following.mention.text, qualifier=countries
            )
        if (
            syntax.LIST_GAP.match(gap)
            and current.mention.sentence_index == following.mention.sentence_index
            and roles[index] == roles[index + 1]
        ):
            if current.list_group is None:
                group += 1
                linked[index] = current = replace(current, list_group=group)
            linked[index + 1] = replace(
                following,
                list_group=current.list_group,
                after_war_locative=following.after_war_locative or current.after_war_locative,
            )
    return linked
