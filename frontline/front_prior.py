"""The front line of the article's date as context for namesakes.

In a sentence about fighting ("shelled", "advanced near", "the Pokrovsk direction"), a
village is far likelier within tens of kilometres of the front line than 500 km behind it.
Where a snapshot of the article's date is at hand, the resolver is given its front line (a
``FrontLinePrior``: ``frontline.territory.front_line.FrontLine`` is one) and weighs it:

- only for names in sentences about fighting or in war-report syntax, and not for a name
  its own qualifier places ("Kamianske, Zaporizhzhia Oblast");
- only among a name's settlements (two at least, one of them within THEATRE_KM of the
  line): regions, countries and seas are never weighed, and a town of TOWN_READERS_KNOW
  people or more is the town whatever its distance;
- as a penalty relative to the namesake nearest the line, so that the nearest keeps its
  score against the name's other senses (a region, a country) and a name whose
  settlements all lie far from any front is left to the usual rules;
- never against a region the text names: a village in the oblast the text names is not
  pushed towards a namesake at the front (``regions_written``), though its evidence still
  says how far from the line it lies (its rivals were weighed against that line).

The distances come in one batch per article; each weighed candidate's evidence names the
snapshot ("12 km from the front line of 2025-10-17"). Without a prior (the offline
default, the benchmarks of ordinary news) nothing here runs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Protocol

from frontline import evidence
from frontline.model import Candidate
from frontline.name_groups import NameGroup

# Within this many km of the line a village is as likely as anywhere near it: shelling,
# drones and assaults reach tens of kilometres.
NEAR_FRONT_KM = 30.0
# Beyond it, its likelihood falls by a factor e every so many km (0.37 at 90 km, 0.002 at
# 400 km).
FRONT_DECAY_KM = 60.0
# The prior weighs a name only if one of its settlements lies this close to the line: the
# name has a namesake in the theatre of war.
THEATRE_KM = 300.0
# A city this large is the city readers know, near the front or not (Dnipro, Zaporizhzhia,
# Kharkiv); a smaller town far behind the line is weighed like a village (Kamianske, the
# city of 227,000 in Dnipropetrovsk Oblast, is not the Kamianske at the Zaporizhzhia front).
TOWN_READERS_KNOW = 500_000


class FrontLinePrior(Protocol):
    """The front line of one date: how far points lie from it."""

    @property
    def snapshot_date(self) -> dt.date: ...

    def distances_km(self, points: Sequence[tuple[float, float]]) -> Sequence[float | None]:
        """Km from each (lat, lon) to the line; None where the point is far from any front."""
        ...


def near_front_likelihood(km: float | None) -> float:
    """1 within NEAR_FRONT_KM of the line, falling off beyond; 0 where far from any front."""
    if km is None:
        return 0.0
    return math.exp(-max(0.0, km - NEAR_FRONT_KM) / FRONT_DECAY_KM)


def about_fighting(group: NameGroup) -> bool:
    """A mention of the name is in war-report syntax or in a sentence about fighting."""
    return any(
        t.about_fighting or t.after_war_locative or t.names_front_sector for t in group.toponyms
    )


def _settlements(group: NameGroup) -> list[Candidate]:
    return [
        m.candidate
        for m in group.matches
        if m.candidate.feature == "city"
        and m.candidate.lat is not None
        and m.candidate.lon is not None
    ]


def regions_written(groups: Sequence[NameGroup]) -> set[str]:
    """The first-level regions the text writes as regions ("Lviv Oblast", "in Kursk
    region"), whether or not they stand as places yet: no namesake in them is pushed
    towards the front line (the text says where it looks)."""
    codes: set[str] = set()
    for group in groups:
        if group.matches and all(m.candidate.feature == "admin" for m in group.matches):
            codes.update(m.candidate.admin1_code for m in group.matches if m.candidate.admin1_code)
        for toponym in group.toponyms:
            codes.update(
                m.candidate.admin1_code for m in toponym.sentence_region if m.candidate.admin1_code
            )
    return codes


def weigh_front_line(groups: Sequence[NameGroup], prior: FrontLinePrior, weight: float) -> None:
    """Fill each weighed group's ``front_line``: per candidate key, the penalty against the
    namesake nearest the line and the evidence naming the snapshot."""
    weighed = [
        (group, settlements)
        for group in groups
        if group.matches and not group.qualifier and about_fighting(group)
        for settlements in [_settlements(group)]
        if len(settlements) >= 2
    ]
    if not weighed:
        return
    written = regions_written(groups)
    unique: dict[str, Candidate] = {
        candidate.key: candidate for _, settlements in weighed for candidate in settlements
    }
    points = [(candidate.lat or 0.0, candidate.lon or 0.0) for candidate in unique.values()]
    km_by_key = dict(zip(unique, prior.distances_km(points), strict=True))
    for group, settlements in weighed:
        group.front_line.clear()
        distances = [km_by_key[candidate.key] for candidate in settlements]
        known = [km for km in distances if km is not None]
        if not known or min(known) > THEATRE_KM:
            continue
        nearest = max(near_front_likelihood(km) for km in distances)
        for candidate, km in zip(settlements, distances, strict=True):
            if candidate.population >= TOWN_READERS_KNOW:
                continue
            penalty = weight * (near_front_likelihood(km) - nearest)
            if candidate.admin1_code in written:
                # Its distance is evidence all the same (its rivals' penalties are measured
                # against the same line), but no penalty takes it out of the text's region.
                penalty = 0.0
            group.front_line[candidate.key] = (
                penalty,
                evidence.km_from_front_line(km, prior.snapshot_date),
            )
