"""Garbled spellings of villages, matched only where the article's other places lie.

Reports copied through translation spell villages in ways no romanisation gives: "Stavka"
for Stavky, "Svesy" for Svesa, "Shandrigolov" for Shandryholove, "Staromayorsk" for
Staromaiorske. A name the resolver kept as a place but could not place (a village in
war-report syntax, or one NER is sure of) is compared with the settlements of the
gazetteer that lie in the box around the article's placed towns (``theatre.area_of``):
one whose name is within an edit or two of it (on the folded keys, rapidfuzz's
Levenshtein distance) is taken, at a lower score and with evidence saying so. Nothing
outside the article's area is ever matched this way, so a garbled name cannot jump to a
namesake across the country.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from rapidfuzz.distance import Levenshtein

from frontline import evidence
from frontline.evidence import Reason
from frontline.gazetteer import Gazetteer
from frontline.geo import distance_km
from frontline.model import Candidate, Place
from frontline.names import fold_name, normalize_name
from frontline.theatre import Area, area_of

# Edits allowed between folded keys: one for short names, two from this length on.
LONG_NAME = 8
SHORT_NAME_EDITS = 1
LONG_NAME_EDITS = 2
# A near spelling is a guess: its score stays under any gazetteer match's.
NEAR_SPELLING_SCORE = 0.5


_VOWELS = frozenset("aeiouy")
# Letters romanisations of one Cyrillic letter swap (г: g in Russian, h in Ukrainian).
_SWAPPED = ({"g", "h"},)
# The last letters of a name are its ending, which translations decline or drop.
_ENDING = 2


def _edits_allowed(key: str) -> int:
    return LONG_NAME_EDITS if len(key) >= LONG_NAME else SHORT_NAME_EDITS


def _is_slight(key: str, other: str, allowed: int) -> bool:
    """At most ``allowed`` edits, each of a vowel, a g/h swap or in the ending: "Stavka" /
    Stavky, "Shandrigolov" / Shandryholove; not "Nikanorivka" / Nykyforivka (an n for an f)."""
    if Levenshtein.distance(key, other, score_cutoff=allowed) > allowed:
        return False
    for operation in Levenshtein.editops(key, other):
        a = key[operation.src_pos] if operation.src_pos < len(key) else ""
        b = other[operation.dest_pos] if operation.dest_pos < len(other) else ""
        if operation.tag == "insert":
            letters = {b}
        elif operation.tag == "delete":
            letters = {a}
        else:
            letters = {a, b}
        in_ending = (
            operation.src_pos >= len(key) - _ENDING or operation.dest_pos >= len(other) - _ENDING
        )
        if not (letters <= _VOWELS or letters in _SWAPPED or in_ending):
            return False
    return True


def _wants_a_point(place: Place) -> bool:
    """A place the resolver kept (support or NER) but left without a point, whose own name
    no settlement of the gazetteer bears (where one does, the village meant is that name's,
    just not in the data)."""
    if place.candidate is not None:
        return False
    kinds = {reason.kind for reason in place.evidence}
    if not kinds & {"support", "not_in_gazetteer", "withheld"}:
        return False
    key = fold_name(normalize_name(place.name))
    return not any(
        fold_name(normalize_name(other.name)) == key
        for other in place.alternatives
        if other.feature == "city"
    )


def nearest_spelling(
    name: str, settlements: Sequence[Candidate], anchors: Sequence[Candidate]
) -> tuple[Candidate, int] | None:
    """The settlement whose name is fewest edits from ``name`` (within the allowance), the
    one nearest the article's places among equals; None if none or a tie stays."""
    key = fold_name(normalize_name(name))
    if len(key) < 5:
        return None
    allowed = _edits_allowed(key)
    scored: list[tuple[int, float, Candidate]] = []
    for settlement in settlements:
        other = fold_name(normalize_name(settlement.name))
        if other[:1] != key[:1] or abs(len(other) - len(key)) > allowed:
            continue
        if other == key or not _is_slight(key, other, allowed):
            continue
        edits = Levenshtein.distance(key, other)
        km = min(
            (
                distance_km(
                    settlement.lat or 0.0, settlement.lon or 0.0, a.lat or 0.0, a.lon or 0.0
                )
                for a in anchors
            ),
            default=0.0,
        )
        scored.append((edits, km, settlement))
    if not scored:
        return None
    scored.sort(key=lambda item: (item[0], item[1]))
    best = scored[0]
    if len(scored) > 1 and scored[1][0] == best[0] and abs(scored[1][1] - best[1]) < 1.0:
        return None
    return best[2], best[0]


def place_near_spellings(places: Sequence[Place], gazetteer: Gazetteer) -> tuple[Place, ...]:
    """``places`` with the article's garbled village names placed where a near spelling lies
    in the article's area (see the module doc)."""
    targets = [index for index, place in enumerate(places) if _wants_a_point(place)]
    if not targets:
        return tuple(places)
    anchors = [
        place.candidate
        for place in places
        if place.candidate is not None and place.candidate.feature in {"city", "admin"}
    ]
    area: Area | None = area_of(anchors)
    if area is None:
        return tuple(places)
    settlements = gazetteer.settlements_within(area.south, area.west, area.north, area.east)
    updated = list(places)
    for index in targets:
        place = places[index]
        found = nearest_spelling(place.name, settlements, anchors)
        if found is None:
            continue
        settlement, edits = found
        kept = tuple(r for r in place.evidence if r.kind not in {"not_in_gazetteer", "withheld"})
        reason: Reason = evidence.near_spelling(settlement.name, edits)
        updated[index] = replace(
            place,
            candidate=settlement,
            score=NEAR_SPELLING_SCORE,
            evidence=(*kept, reason),
        )
    return tuple(updated)
