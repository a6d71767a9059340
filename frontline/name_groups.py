"""All mentions of one name in a text, grouped, and what the resolver reads off a group.

One sense per discourse: every mention of a surface is one ``NameGroup`` (qualified
mentions, "Paris, Texas", form their own), and the group's candidates are scored and
chosen together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from frontline.evidence import Reason
from frontline.gazetteer import NameMatch, normalize_name
from frontline.geo import distance_km
from frontline.links import lies_within
from frontline.model import Candidate
from frontline.recognize import PLACE_LABELS, Toponym

# A name whose candidates all lie this close together points at one spot whichever is meant.
UNAMBIGUOUS_KM = 50.0
# A name right before "said" whose every candidate is a town smaller than this is a speaker
# ("a spokesman, Zaporozhets, said"), unless a locative puts it in a place ("officials in
# Kherson said", recognize.py).
SPEAKER_TOWN_POPULATION = 100_000


def _pinned_by_qualifier(toponym: Toponym) -> bool:
    """A qualifier a candidate lies in pins the name down ("Paris, Texas"); one none lies in
    ("Ivanivka (Russia)", "BSE in Sweden") says only that the name is no place the offline
    gazetteer has, unless the words before it make it one ("near Ivanivka (Russia)")."""
    if not toponym.qualifier:
        return False
    return (
        toponym.after_locative
        or toponym.after_war_locative
        or any(lies_within(m.candidate, toponym.qualifier) for m in toponym.matches)
    )


def region_label(candidate: Candidate) -> str:
    parts = [part for part in (candidate.admin1, candidate.country_code) if part]
    return f"{candidate.name} ({', '.join(parts)})" if parts else candidate.name


@dataclass(slots=True)
class NameGroup:
    """All mentions of one surface, and the candidates they share."""

    key: str
    toponyms: list[Toponym]
    matches: list[NameMatch] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, list[Reason]] = field(default_factory=dict)
    chosen: NameMatch | None = None
    withheld: Reason | None = None
    accepted: bool = False
    support: str = ""
    # Where the front line of the article's date is weighed (frontline/front_prior.py): per
    # candidate key, its penalty against the namesake nearest the line, and the evidence.
    front_line: dict[str, tuple[float, Reason]] = field(default_factory=dict)

    @property
    def labels(self) -> Counter[str]:
        return Counter(t.ner_label or "none" for t in self.toponyms)

    @property
    def strong(self) -> bool:
        """NER called it a place at least as often as a person or organisation, or a
        landmark list or qualifier pins it down ("Chen" once GPE and six times PERSON is a
        person; India's "the Centre", eight times ORG, is its government). A name that is
        not strong may still be kept with support from the rest of the text."""
        if any(t.from_landmarks or _pinned_by_qualifier(t) for t in self.toponyms):
            return True
        if self.speaker:
            return False
        places = sum(t.ner_label in PLACE_LABELS and not t.after_title for t in self.toponyms)
        organisations = sum(t.ner_label == "ORG" for t in self.toponyms)
        return places > 0 and places >= self.people + organisations

    @property
    def speaker(self) -> bool:
        """Named only right before a speech verb, and no town of the name is large: a person."""
        return (
            bool(self.matches)
            and all(t.before_speech_verb for t in self.toponyms)
            and all(
                m.candidate.feature == "city" and m.candidate.population < SPEAKER_TOWN_POPULATION
                for m in self.matches
            )
        )

    @property
    def war_spot(self) -> bool:
        """War-report syntax puts it on the ground ("near A"), and no title makes a person."""
        return any(t.after_war_locative and not t.after_title for t in self.toponyms)

    @property
    def paragraphs(self) -> frozenset[int]:
        return frozenset(t.paragraph for t in self.toponyms)

    @property
    def sentences(self) -> set[int]:
        return {t.mention.sentence_index for t in self.toponyms}

    @property
    def people(self) -> int:
        return sum(t.ner_label == "PERSON" for t in self.toponyms)

    @property
    def mostly_person(self) -> bool:
        """NER calls it a person in more than half its mentions."""
        return self.people * 2 > len(self.toponyms)

    @property
    def qualifier(self) -> tuple[NameMatch, ...]:
        return tuple(match for t in self.toponyms for match in t.qualifier)

    @property
    def qualifier_text(self) -> str | None:
        return next((t.qualifier_text for t in self.toponyms if t.qualifier_text), None)


def unambiguous(group: NameGroup) -> bool:
    """All the name's candidates are one spot on the map (a single town, or a town and its
    region around it): where it is does not depend on which of them is meant."""
    points = [
        (m.candidate.lat, m.candidate.lon)
        for m in group.matches
        if m.candidate.lat is not None and m.candidate.lon is not None
    ]
    if not points or len(points) != len(group.matches):
        return False
    lat0, lon0 = points[0]
    return all(distance_km(lat0, lon0, lat, lon) <= UNAMBIGUOUS_KM for lat, lon in points)


def group_key(toponym: Toponym) -> str:
    if toponym.names_region:
        # "Kyiv" in "Kyiv and Odesa regions" is the region, whatever "Kyiv" is elsewhere.
        return f"{toponym.key}|region"
    if toponym.qualifier_text:
        return f"{toponym.key}|{normalize_name(toponym.qualifier_text)}"
    return toponym.key


def countries_named_by_demonym_only(groups: Sequence[NameGroup]) -> set[str]:
    """Countries the text names only by their people ("Russian forces", never "Russia")."""
    by_name: set[str] = set()
    by_demonym: set[str] = set()
    for group in groups:
        if not (group.strong or group.accepted) or group.chosen is None:
            continue
        candidate = group.chosen.candidate
        if candidate.feature != "country" or not candidate.country_code:
            if candidate.feature == "admin" and candidate.country_code:
                by_name.add(candidate.country_code)
            continue
        (by_demonym if group.chosen.kind == "demonym" else by_name).add(candidate.country_code)
    return by_demonym - by_name


def named_regions(groups: Sequence[NameGroup]) -> tuple[dict[str, str], dict[str, str]]:
    """Countries and first-level regions that the text itself names as places."""
    countries: dict[str, str] = {}
    regions: dict[str, str] = {}
    for group in groups:
        if not (group.strong or group.accepted) or group.chosen is None:
            continue
        candidate = group.chosen.candidate
        surface = group.toponyms[0].mention.text
        if group.chosen.kind == "demonym":
            # "Ukrainian forces" names Ukraine; the evidence says so in those words.
            surface = f"{candidate.name} (as {surface!r})"
        if candidate.feature == "country" and candidate.country_code:
            countries.setdefault(candidate.country_code, surface)
        elif candidate.feature == "admin" and candidate.admin1_code:
            regions.setdefault(candidate.admin1_code, surface)
            if candidate.country_code:
                countries.setdefault(candidate.country_code, surface)
    return countries, regions
