"""A reader's corrections to a geoparse, stored with the article and applied after every geoparse.

A correction names what it changes by the place's name (and, for an added mention, by its
character span), not by a position in the result: the result is recomputed on every
geoparse, and the correction must find its place again. One that cannot (the place is gone,
the candidate is no longer offered, the text changed under a span) is reported as skipped,
never raised: the rest of the corrections still apply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from frontline import evidence
from frontline.errors import CorrectionNotApplicable
from frontline.evidence import ADDED_BY_READER, Reason
from frontline.model import Candidate, GeoparseResult, Mention, Place, TerritoryStatus

logger = logging.getLogger(__name__)

# The pipeline passes its territory look-up so a moved pin gets the status of its new spot;
# without one the status of a moved place is unknown (None), never the old spot's.
TerritoryLookup = Callable[[Candidate], TerritoryStatus | None]


@dataclass(frozen=True, slots=True)
class ChooseCandidate:
    """Resolve ``place_name`` to another of its candidates (one of ``Place.alternatives``)."""

    place_name: str
    geonameid: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class MovePin:
    """Resolve ``place_name`` to a gazetteer entry the reader found by search."""

    place_name: str
    candidate: Candidate
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RemovePlace:
    """``place_name`` is not a place in this article (a false positive)."""

    place_name: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AddMention:
    """The text at ``start:end`` names ``candidate``; the geoparse missed it."""

    start: int
    end: int
    text: str
    candidate: Candidate
    reason: str = ""


Correction = ChooseCandidate | MovePin | RemovePlace | AddMention


@dataclass(frozen=True, slots=True)
class SkippedCorrection:
    correction: Correction
    why: str


@dataclass(frozen=True, slots=True)
class CorrectionReport:
    result: GeoparseResult
    applied: tuple[Correction, ...]
    skipped: tuple[SkippedCorrection, ...]


def describe(correction: Correction) -> str:
    """One line saying what the correction does, for the list of an article's corrections."""
    match correction:
        case ChooseCandidate(place_name=name, geonameid=geonameid):
            what = f"{name}: chose candidate geonames:{geonameid}"
        case MovePin(place_name=name, candidate=candidate):
            what = f"{name}: pin moved to {_label(candidate)}"
        case RemovePlace(place_name=name):
            what = f"{name}: removed"
        case AddMention(start=start, end=end, text=text, candidate=candidate):
            what = f"“{text}” at {start}–{end}: added as {_label(candidate)}"
        case _:
            raise TypeError(f"not a correction: {correction!r}")
    return what + (f" ({correction.reason})" if correction.reason else "")


def _label(candidate: Candidate) -> str:
    parts = (candidate.admin1, candidate.country_code)
    where = ", ".join(part for part in parts if part and part != candidate.name)
    return f"{candidate.name}{f', {where}' if where else ''} ({candidate.key})"


def _because(reason: str) -> str:
    return f" ({reason})" if reason else ""


def _find_place(places: list[Place], name: str) -> int:
    """Index of the place ``name`` refers to: exact name, then any case, then a mention's text."""
    folded = name.casefold()
    for matches in (
        lambda place: place.name == name,
        lambda place: place.name.casefold() == folded,
        lambda place: any(mention.text.casefold() == folded for mention in place.mentions),
    ):
        for index, place in enumerate(places):
            if matches(place):
                return index
    raise CorrectionNotApplicable(f"no place named {name!r} in this geoparse")


def _resolve_to(
    place: Place,
    candidate: Candidate,
    note: Reason,
    territory_of: TerritoryLookup | None,
) -> Place:
    others = tuple(c for c in (place.candidate, *place.alternatives) if c is not None)
    alternatives = tuple(c for c in others if c.key != candidate.key)
    return replace(
        place,
        candidate=candidate,
        score=1.0,
        evidence=(*place.evidence, note),
        alternatives=alternatives,
        territory=territory_of(candidate) if territory_of is not None else None,
    )


def _choose(
    places: list[Place], correction: ChooseCandidate, territory_of: TerritoryLookup | None
) -> None:
    index = _find_place(places, correction.place_name)
    place = places[index]
    offered = [c for c in (place.candidate, *place.alternatives) if c is not None]
    chosen = next((c for c in offered if c.geonameid == correction.geonameid), None)
    if chosen is None:
        raise CorrectionNotApplicable(
            f"geonames:{correction.geonameid} is no longer a candidate for {place.name!r}"
        )
    if place.candidate is not None and place.candidate.key == chosen.key:
        note = evidence.correction(
            f"reader confirmed {_label(chosen)}{_because(correction.reason)}"
        )
    else:
        note = evidence.correction(f"reader chose {_label(chosen)}{_because(correction.reason)}")
    places[index] = _resolve_to(place, chosen, note, territory_of)


def _move(places: list[Place], correction: MovePin, territory_of: TerritoryLookup | None) -> None:
    index = _find_place(places, correction.place_name)
    note = evidence.correction(
        f"pin moved to {_label(correction.candidate)}{_because(correction.reason)}"
    )
    places[index] = _resolve_to(places[index], correction.candidate, note, territory_of)


def _remove(places: list[Place], correction: RemovePlace) -> None:
    del places[_find_place(places, correction.place_name)]


def _overlaps(mention: Mention, start: int, end: int) -> bool:
    return mention.start < end and start < mention.end


def _add_mention(
    places: list[Place],
    result: GeoparseResult,
    correction: AddMention,
    territory_of: TerritoryLookup | None,
) -> None:
    text = result.article.text
    start, end = correction.start, correction.end
    if not (0 <= start < end <= len(text)) or text[start:end] != correction.text:
        raise CorrectionNotApplicable(
            f"the article no longer has “{correction.text}” at {start}–{end} (the text changed)"
        )
    note = evidence.correction(
        f"mention “{correction.text}” at {start}–{end} added by reader{_because(correction.reason)}"
    )
    key = correction.candidate.key
    # The reader's selection says what this span is: a mention of another place there goes.
    emptied: set[int] = set()
    for index, place in enumerate(places):
        if place.candidate is not None and place.candidate.key == key:
            continue
        kept = tuple(m for m in place.mentions if not _overlaps(m, start, end))
        if len(kept) != len(place.mentions):
            moved = evidence.correction(
                f"mention at {start}–{end} reassigned to {_label(correction.candidate)}"
            )
            places[index] = replace(place, mentions=kept, evidence=(*place.evidence, moved))
            if not kept:
                emptied.add(index)
    places[:] = [place for index, place in enumerate(places) if index not in emptied]

    mention = Mention(
        text=correction.text,
        start=start,
        end=end,
        sentence_index=result.article.sentence_index_at(start) if result.article.sentences else 0,
        evidence=(ADDED_BY_READER,),
    )
    for index, place in enumerate(places):
        if place.candidate is not None and place.candidate.key == key:
            if any(_overlaps(m, start, end) for m in place.mentions):
                return  # the geoparse found it this time: nothing to add
            mentions = tuple(sorted((*place.mentions, mention), key=lambda m: (m.start, m.end)))
            places[index] = replace(place, mentions=mentions, evidence=(*place.evidence, note))
            return
    places.append(
        Place(
            name=correction.text,
            candidate=correction.candidate,
            score=1.0,
            evidence=(evidence.ADDED_BY_READER_REASON, note),
            alternatives=(),
            mentions=(mention,),
            territory=territory_of(correction.candidate) if territory_of is not None else None,
        )
    )


def _merge_same_candidate(places: list[Place]) -> list[Place]:
    """One entry per distinct place: a correction can make two places the same one."""
    merged: list[Place] = []
    index_of_key: dict[str, int] = {}
    for place in places:
        key = place.candidate.key if place.candidate is not None else None
        if key is None or key not in index_of_key:
            if key is not None:
                index_of_key[key] = len(merged)
            merged.append(place)
            continue
        first = merged[index_of_key[key]]
        mentions = {(m.start, m.end): m for m in (*first.mentions, *place.mentions)}
        merged[index_of_key[key]] = replace(
            first,
            score=max(first.score, place.score),
            evidence=(
                *first.evidence,
                *(e for e in place.evidence if e not in first.evidence),
                evidence.correction(f"merged with {place.name!r}, now the same place"),
            ),
            mentions=tuple(sorted(mentions.values(), key=lambda m: (m.start, m.end))),
        )
    return merged


def apply_corrections_with_report(
    result: GeoparseResult,
    corrections: Iterable[Correction],
    *,
    territory_of: TerritoryLookup | None = None,
) -> CorrectionReport:
    """Apply ``corrections`` in order; those that no longer apply are skipped and reported."""
    places = list(result.places)
    applied: list[Correction] = []
    skipped: list[SkippedCorrection] = []
    for correction in corrections:
        try:
            match correction:
                case ChooseCandidate():
                    _choose(places, correction, territory_of)
                case MovePin():
                    _move(places, correction, territory_of)
                case RemovePlace():
                    _remove(places, correction)
                case AddMention():
                    _add_mention(places, result, correction, territory_of)
                case _:
                    raise CorrectionNotApplicable(f"unknown correction {correction!r}")
        except CorrectionNotApplicable as why:
            logger.info("correction skipped: %s: %s", describe(correction), why)
            skipped.append(SkippedCorrection(correction, str(why)))
        else:
            applied.append(correction)
    corrected = replace(result, places=tuple(_merge_same_candidate(places)))
    return CorrectionReport(corrected, tuple(applied), tuple(skipped))


def apply_corrections(
    result: GeoparseResult,
    corrections: Iterable[Correction],
    *,
    territory_of: TerritoryLookup | None = None,
) -> GeoparseResult:
    """``result`` with ``corrections`` applied (skipped ones are logged)."""
    return apply_corrections_with_report(result, corrections, territory_of=territory_of).result
