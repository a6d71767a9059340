"""Evidence as data: what each piece of evidence says, in words and in kind, worded here only.

A place's evidence is a tuple of ``Reason``: the words a reader sees ("population 70,000",
"kept as a place: a major city (1,421,125 people)") with the kind of signal they report
(``reason.kind == "population"``), so that code asks the kind and never reads the words.
A mention records how it was found (``mention_evidence``) and its NER label as a field
(``Mention.ner_label``).

A ``Reason`` is a ``str``: the CLI's JSON, the exports and the library file hold the
words alone, as they always have. Reading a stored result back, ``reason_from_words`` and
``ner_label_from_words`` recover the kind and the label from those words, with the same
phrases that word them below (and only here), so the two directions cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import ClassVar, Literal, get_args

ReasonKind = Literal[
    "recognition",  # which NER labels (or lists) found the name
    "support",  # why a name NER did not call a place stands as one
    "withheld",  # why the best candidate is not put on the map
    "not_in_gazetteer",  # the offline gazetteer has no entry of that name
    "population",
    "name",  # how the name matched: main name, abbreviation, alternate or former name
    "spelling",  # matched only after folding romanisation variants
    "capital",
    "named_in_text",  # lies in a country or region the text names
    "qualifier",  # "Paris, Texas"
    "nearby",  # near another place of the text
    "front_line",  # how far from the front line of the article's date (frontline/front_prior.py)
    "runner_up",
    "correction",  # a reader's correction
    "geocoder",  # the online geocoder's answer (or its lack)
    "other",  # words this version does not word (a library written by another version)
]


class Reason(str):
    """One line of a place's evidence: the words, and ``kind``, what they report.

    Equal words are equal reasons: the kind follows from the words (``reason_from_words``).
    ``Reason(kind, words)`` makes one; each kind is a subclass with ``kind`` on the class,
    so a reason costs what its string does (the resolver words thousands per article).
    """

    __slots__ = ()
    kind: ClassVar[ReasonKind] = "other"

    def __new__(cls, kind: ReasonKind, words: str) -> Reason:
        return str.__new__(_REASON_CLASSES[kind], words)

    def __reduce__(self) -> tuple[type[Reason], tuple[str, str]]:
        # Pickled (and copied) as Reason(kind, words): the subclasses have no importable name.
        return (Reason, (self.kind, str(self)))


_REASON_CLASSES: dict[str, type[Reason]] = {
    kind: type(f"Reason[{kind}]", (Reason,), {"__slots__": (), "kind": kind})
    for kind in get_args(ReasonKind)
}


# -- mentions ---------------------------------------------------------------------------

_NER_LABEL = "NER label "
LANDMARK_LIST = "landmark list"
GAZETTEER_NAME = "gazetteer name (NER silent)"
ADDED_BY_READER = "correction: added by reader"


def mention_evidence(ner_label: str | None, *, from_landmarks: bool = False) -> str:
    """How a mention was found: NER's label, else the landmark list, else the gazetteer."""
    if ner_label:
        return f"{_NER_LABEL}{ner_label}"
    return LANDMARK_LIST if from_landmarks else GAZETTEER_NAME


def ner_label_from_words(evidence: Iterable[str]) -> str | None:
    """The NER label a stored mention's evidence records (None: NER did not label it)."""
    for words in evidence:
        if words.startswith(_NER_LABEL):
            return words.removeprefix(_NER_LABEL)
    return None


# -- places -------------------------------------------------------------------------------

_RECOGNISED = "recognised by "
_KEPT = "kept as a place: "
_WITHHELD = "NER calls it a region or sea (LOC); "
_POPULATION = "population "
_MAIN_NAME = "GeoNames main name "
_ABBREVIATION = "standard abbreviation"
_ALTERNATE = "alternate or former name of "
_FOLDED = "spelling matched only after folding romanisation variants"
_CAPITAL = "national capital"
_IN_COUNTRY = "in a country the text names: "
_IN_REGION = "in a region the text names: "
_QUALIFIED = "qualified by "
_KM_FROM = re.compile(r"\d+ km from ")
_FAR_FROM_THEATRE = "off the map: "
_FROM_FRONT_LINE = re.compile(r"(?:\d[\d,]* km|far) from the front line of \d{4}-\d{2}-\d{2}$")
_RUNNER_UP = "runner-up: "
_CORRECTION = "correction: "
_GEOCODER = "geocoder: "

NOT_IN_GAZETTEER = Reason("not_in_gazetteer", "not in the offline gazetteer")


def recognised_by(labels: Iterable[tuple[str, int]]) -> Reason:
    """``labels``: (NER label or "none", how many mentions), most common first."""
    return Reason(
        "recognition",
        _RECOGNISED
        + ", ".join(
            f"{'NER ' + label if label != 'none' else 'gazetteer/landmark match'}"
            f"{f' ×{count}' if count > 1 else ''}"
            for label, count in labels
        ),
    )


def kept_as_a_place(support: str) -> Reason:
    return Reason("support", f"{_KEPT}{support}")


def withheld_for_towns(best_town: str) -> Reason:
    return Reason(
        "withheld",
        f"{_WITHHELD}the offline gazetteer has only towns of that name (best: {best_town})",
    )


def none_within_qualifier(words: str | None) -> Reason:
    return Reason(
        "withheld",
        f"{_FAR_FROM_THEATRE}the offline gazetteer has no place of this name in {words!r}, "
        "which the text names beside it",
    )


def population(people: int) -> Reason:
    return Reason("population", f"{_POPULATION}{people:,}")


def main_name(name: str) -> Reason:
    return Reason("name", f"{_MAIN_NAME}{name!r}")


STANDARD_ABBREVIATION = Reason("name", _ABBREVIATION)


def alternate_name_of(name: str) -> Reason:
    return Reason("name", f"{_ALTERNATE}{name}")


FOLDED_SPELLING = Reason("spelling", _FOLDED)
NATIONAL_CAPITAL = Reason("capital", _CAPITAL)


def in_named_country(words: str) -> Reason:
    return Reason("named_in_text", f"{_IN_COUNTRY}{words}")


def in_named_region(words: str) -> Reason:
    return Reason("named_in_text", f"{_IN_REGION}{words}")


def qualified_by(words: str | None) -> Reason:
    return Reason("qualifier", f"{_QUALIFIED}{words!r}")


def km_from(km: float, name: str) -> Reason:
    return Reason("nearby", f"{km:.0f} km from {name}")


def km_from_beside(km: float, name: str) -> Reason:
    """Near a place named in the same or the next sentence (frontline/theatre.py)."""
    return Reason("nearby", f"{km:.0f} km from {name}, named beside it")


def km_from_front_line(km: float | None, snapshot_date: dt.date) -> Reason:
    """How far a namesake lies from the front line of the snapshot weighed (None: outside
    the area any front line is measured in)."""
    where = "far" if km is None else f"{km:,.0f} km"
    return Reason("front_line", f"{where} from the front line of {snapshot_date.isoformat()}")


def far_from_theatre(best_town: str, km: float, nearest: str) -> Reason:
    return Reason(
        "withheld",
        f"{_FAR_FROM_THEATRE}the gazetteer's best settlement of this name ({best_town}) lies "
        f"{km:.0f} km from {nearest}, the nearest other place the text names",
    )


def far_from_sector(best_town: str, km: float, town: str) -> Reason:
    return Reason(
        "withheld",
        f"{_FAR_FROM_THEATRE}the text lists it on the front sector of {town}; the gazetteer's "
        f"best settlement of this name ({best_town}) lies {km:.0f} km from {town}",
    )


def not_in_named_region(best_town: str, region: str) -> Reason:
    return Reason(
        "withheld",
        f"{_FAR_FROM_THEATRE}the text names it among places of {region}; the gazetteer's "
        f"settlements of this name lie elsewhere (best: {best_town})",
    )


_NEAR_SPELLING = "spelled nearly like "


def near_spelling(name: str, edits: int) -> Reason:
    """A garbled spelling matched within the article's area (frontline/near_spellings.py)."""
    return Reason(
        "spelling",
        f"{_NEAR_SPELLING}{name!r} ({edits} letter{'s' if edits > 1 else ''} apart), a "
        "settlement among the article's places",
    )


def runner_up(label: str, score: float, chosen_score: float) -> Reason:
    return Reason("runner_up", f"{_RUNNER_UP}{label}, score {score:.2f} against {chosen_score:.2f}")


def correction(words: str) -> Reason:
    """A reader's correction: ``words`` after "correction: "."""
    return Reason("correction", f"{_CORRECTION}{words}")


ADDED_BY_READER_REASON = Reason("correction", ADDED_BY_READER)


def geocoder(service: str) -> Reason:
    return Reason("geocoder", f"{_GEOCODER}{service}")


def geocoder_matched(service: str, description: str) -> Reason:
    return Reason("geocoder", f"{_GEOCODER}{service} matched {description!r}")


def no_match(geocoder_reason: str) -> Reason:
    """The geocoder (named by its reason, ``geocoder(service)``) found nothing."""
    return Reason("geocoder", f"{geocoder_reason}: no match")


_KIND_BY_OPENING: tuple[tuple[str, ReasonKind], ...] = (
    (_RECOGNISED, "recognition"),
    (_KEPT, "support"),
    (_WITHHELD, "withheld"),
    (_FAR_FROM_THEATRE, "withheld"),
    (_POPULATION, "population"),
    (_MAIN_NAME, "name"),
    (_ABBREVIATION, "name"),
    (_ALTERNATE, "name"),
    (_FOLDED, "spelling"),
    (_NEAR_SPELLING, "spelling"),
    (_CAPITAL, "capital"),
    (_IN_COUNTRY, "named_in_text"),
    (_IN_REGION, "named_in_text"),
    (_QUALIFIED, "qualifier"),
    (_RUNNER_UP, "runner_up"),
    (_CORRECTION, "correction"),
    (_GEOCODER, "geocoder"),
)


def reason_from_words(words: str) -> Reason:
    """A stored reason's words with their kind again ("other" for words not worded here)."""
    if isinstance(words, Reason):
        return words
    if words == NOT_IN_GAZETTEER:
        return NOT_IN_GAZETTEER
    if _FROM_FRONT_LINE.match(words):
        return Reason("front_line", words)
    if _KM_FROM.match(words):
        return Reason("nearby", words)
    for opening, kind in _KIND_BY_OPENING:
        if words.startswith(opening):
            return Reason(kind, words)
    return Reason("other", words)
