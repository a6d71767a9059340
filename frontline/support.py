"""Support: why a name NER did not call a place stands as one all the same.

Spans NER did not call places (Kupiansk as ORG, Kiev as PERSON) become places only with
support from the rest of the text, which keeps Tomahawk (missiles) and Jackson (said) off
the map. Each rule below looks at one such name and either has no opinion (None) or
decides: it stands, with the reason a reader sees ("kept as a place: …"), or it does not.
The first rule with an opinion decides, so a rule that vetoes comes before the rules it
overrides. A new rule is a function here and a place in ``SUPPORT_RULES``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from frontline.geo import distance_km
from frontline.model import AREA_FEATURES, FEATURE_LABELS, POINT_FEATURES, Candidate
from frontline.name_groups import NameGroup, named_regions
from frontline.recognize import lies_within

# Two places this close are near each other: a weak name this close to a place the text
# names stands ("Kupiansk", tagged ORG, 80 km from Kharkiv).
NEARBY_KM = 300.0
# A capitalised word NER said nothing about is the weakest evidence there is: it needs a
# place half as far away.
GAZETTEER_ONLY_NEARBY_KM = NEARBY_KM / 2
# A name NER mostly calls a person needs another place this close to stand as a place
# (Thomas, Nelson, Barry stood at 300 km; 300/75/30 km tried on GeoWebNews: F1
# 0.773/0.778/0.779).
PERSON_NEARBY_KM = 50.0
# A town at least this large stands as a place when a word such as "in" or "near" puts it
# in a place, whatever NER called it ("in Kharkiv and Odesa", tagged ORG).
LOCATIVE_TOWN_POPULATION = 100_000
# A city this large stands on its own, whatever NER called it ("Russian drones struck
# Kharkiv", tagged PERSON).
MAJOR_CITY_POPULATION = 500_000
# Tagged a person this many times (and in most of its mentions), a name is a person even
# when a city of a million bears it ("Chen": six times PERSON, once GPE; Chenzhou).
REPEATED_PERSON_TAGS = 2
# In a country the text names, a place this large stands ("Kramatorsk" in a story that
# names Ukraine)...
LARGE_PLACE_POPULATION = 100_000
# ...and one NER calls a person in half its mentions must be this large.
LARGE_PLACE_POPULATION_IF_PERSON = 1_000_000


@dataclass(frozen=True, slots=True)
class Verdict:
    """A rule's decision: the name stands as a place (and why, in a reader's words), or not."""

    stands: bool
    reason: str = ""


NOT_A_PLACE = Verdict(False)


def stands(reason: str) -> Verdict:
    return Verdict(True, reason)


@dataclass
class Case:
    """One weak name, its best candidate, and the text's other names, for the rules."""

    group: NameGroup
    candidate: Candidate
    groups: Sequence[NameGroup]
    capitals: frozenset[int]

    @cached_property
    def others(self) -> list[NameGroup]:
        """The other names that stand as places, each with its chosen candidate."""
        return [
            g
            for g in self.groups
            if g is not self.group and (g.strong or g.accepted) and g.chosen is not None
        ]

    @cached_property
    def named_countries(self) -> dict[str, str]:
        """Countries the other standing names name (code -> the words that name it)."""
        countries, _ = named_regions(self.others)
        return countries


SupportRule = Callable[[Case], Verdict | None]


def every_mention_after_a_title(case: Case) -> Verdict | None:
    """ "President Lincoln", "Mr Jackson": a title before every mention makes a person."""
    if all(t.after_title for t in case.group.toponyms):
        return NOT_A_PLACE
    return None


def a_person_speaking(case: Case) -> Verdict | None:
    """ "Jackson said …": NER's person before a speech verb, in every mention, is one."""
    if all(t.ner_label == "PERSON" and t.before_speech_verb for t in case.group.toponyms):
        return NOT_A_PLACE
    return None


def a_speaker(case: Case) -> Verdict | None:
    """ "Zaporozhets said" (GPE): a name before a speech verb in every mention, whose every
    candidate is a small town, is a person (name_groups.SPEAKER_TOWN_POPULATION)."""
    return NOT_A_PLACE if case.group.speaker else None


def named_in_a_list_of_regions(case: Case) -> Verdict | None:
    """ "in Kyiv, Kharkiv and Odesa regions": each name of the list is a region."""
    if case.candidate.feature == "admin" and any(t.names_region for t in case.group.toponyms):
        return stands("named in a list of regions")
    return None


def a_spot_on_the_ground(case: Case) -> Verdict | None:
    """ "near Krynky" (PERSON), "captured Avdiivka", "west of Myrnohrad", "the village of
    Lokot", and every name of a list after them ("near A, B, and C"): war reports put
    settlements there, whatever NER called them; not after a title, and not a name NER
    calls a person again and again."""
    group, chosen = case.group, case.group.chosen
    if (
        case.candidate.feature == "city"
        and chosen is not None
        and chosen.kind != "abbreviation"
        and any(t.after_war_locative and not t.after_title for t in group.toponyms)
        and not (group.people >= REPEATED_PERSON_TAGS and group.mostly_person)
    ):
        return stands('named as a spot on the ground ("near", "west of", "the village of" ...)')
    return None


def qualified_by_its_region(case: Case) -> Verdict | None:
    """ "Paris, Texas", "Borova, in Kharkiv region": a region or country next to the name
    that the candidate lies in."""
    group = case.group
    if group.qualifier and lies_within(case.candidate, group.qualifier):
        return stands(f"qualified by {group.qualifier_text!r}")
    return None


def written_as_a_qualifier(case: Case) -> Verdict | None:
    """ "Berezivka, Belgorod region", "Ivanovka in Russia's Kursk region": the region the
    text writes as where another name lies is named as a place, whether or not the gazetteer
    has that name there."""
    key = case.candidate.key
    for other in case.groups:
        for toponym in other.toponyms:
            if other is not case.group and any(m.candidate.key == key for m in toponym.qualifier):
                return stands(f"named as where {toponym.mention.text} lies")
    return None


def a_city_by_its_abbreviation(case: Case) -> Verdict | None:
    """Letters NER did not call a place are rarely a city: GeoNames lists airport codes (NGO,
    CMB, HRB) among a city's names, and texts seldom name a city by them. Regions and
    countries (BC, NSW, UAE) go on to the other rules."""
    chosen = case.group.chosen
    if chosen is not None and chosen.kind == "abbreviation" and case.candidate.feature == "city":
        return NOT_A_PLACE
    return None


def after_a_locative_word(case: Case) -> Verdict | None:
    """ "Shelling in Kharkiv and Odesa" (ORG), "drones over Crimea" (ORG): a word that puts
    what follows in a place supports a town or region of LOCATIVE_TOWN_POPULATION or more,
    whatever label NER gave it, if it gave one and not a people's (NORP: "towards Western
    partners" is no region of Zambia)."""
    candidate, chosen = case.candidate, case.group.chosen
    if (
        candidate.feature in {"city", "admin"}
        and chosen is not None
        and chosen.kind != "abbreviation"
        and candidate.population >= LOCATIVE_TOWN_POPULATION
        and any(t.after_locative and t.ner_label not in {None, "NORP"} for t in case.group.toponyms)
    ):
        return stands(
            f'named as a place ("in", "near", "port of" ...); {candidate.population:,} people'
        )
    return None


def _nearby_km(group: NameGroup) -> float:
    """How close another place must be to support this name."""
    # A capitalised word that NER ignored is the weakest evidence there is; at the start
    # of a sentence ("Orange juice ...") being near another place is not enough.
    gazetteer_only = all(t.ner_label is None for t in group.toponyms)
    nearby_km = GAZETTEER_ONLY_NEARBY_KM if gazetteer_only else NEARBY_KM
    if gazetteer_only and all(t.sentence_initial for t in group.toponyms):
        nearby_km = 0.0
    if group.mostly_person:
        # Mostly a person to NER (Thomas, Nelson, Barry): being in the same part of the
        # world as the story's places is not enough; being in the same town's area is.
        nearby_km = min(nearby_km, PERSON_NEARBY_KM)
    return nearby_km


def near_a_named_place(case: Case) -> Verdict | None:
    """ "Kupiansk" (ORG) 80 km from Kharkiv, which the text names: front-line towns
    cluster, and a town next to the story's places is one of them."""
    candidate = case.candidate
    if candidate.lat is None or candidate.feature not in POINT_FEATURES:
        return None
    nearby_km = _nearby_km(case.group)
    for other in case.others:
        other_candidate = other.chosen.candidate  # type: ignore[union-attr]
        if other_candidate.lat is None or other_candidate.feature not in POINT_FEATURES:
            continue
        km = distance_km(
            candidate.lat,
            candidate.lon or 0.0,
            other_candidate.lat,
            other_candidate.lon or 0.0,
        )
        if km <= nearby_km:
            named = other.toponyms[0].mention.text
            if other_candidate.key == candidate.key:
                # "Artemivsk" is Bakhmut itself: no distance from itself.
                return stands(f"also named {named} in the text, as a place")
            return stands(f"{km:.0f} km from {named}, named as a place")
    return None


def listed_with_a_named_place(case: Case) -> Verdict | None:
    """ "Kupiansk, Lyman and Kostyantynivka": a name in one list with a place of the same
    country."""
    list_groups = {t.list_group for t in case.group.toponyms if t.list_group is not None}
    for other in case.others:
        if list_groups & {t.list_group for t in other.toponyms}:
            other_candidate = other.chosen.candidate  # type: ignore[union-attr]
            if other_candidate.country_code == case.candidate.country_code:
                return stands(f"listed with {other.toponyms[0].mention.text}")
    return None


def a_major_city(case: Case) -> Verdict | None:
    """ "Russian drones struck Kharkiv" (PERSON): spaCy's small model calls unfamiliar
    cities people, and a city of MAJOR_CITY_POPULATION stands on its own; not a region of
    millions ("Western": Zambia's Western Province), not a name called a person again and
    again ("Chen"), and not where a title before or a speech verb after marks a person."""
    candidate, group = case.candidate, case.group
    if (
        candidate.population >= MAJOR_CITY_POPULATION
        and candidate.feature == "city"
        and not (group.people >= REPEATED_PERSON_TAGS and group.mostly_person)
        and not any(t.after_title or t.before_speech_verb for t in group.toponyms)
    ):
        return stands(f"a major city ({candidate.population:,} people)")
    return None


def a_wide_area(case: Case) -> Verdict | None:
    """A country, continent, sea or region is named for what it is. Georgia and Jordan are
    also people's names, so a country or continent NER calls a person does not stand; the
    Bosphorus and the Balkans, from the curated list of waters and regions, do (spaCy's
    small model tags "sailed towards the Bosphorus" PERSON)."""
    feature = case.candidate.feature
    if feature not in AREA_FEATURES:
        return None
    if case.group.labels.get("PERSON") and feature in {"country", "continent"}:
        return NOT_A_PLACE
    return stands(f"the name of a {FEATURE_LABELS[feature].noun}")


def a_large_place_in_a_named_country(case: Case) -> Verdict | None:
    """ "Kramatorsk" in a story that names Ukraine: a capital, or a place of
    LARGE_PLACE_POPULATION (LARGE_PLACE_POPULATION_IF_PERSON when NER calls it a person in
    at least half its mentions), in a country the text names."""
    candidate, labels = case.candidate, case.group.labels
    country = case.named_countries.get(candidate.country_code) if candidate.country_code else None
    if country is None:
        return None
    at_least_half_person = labels.get("PERSON", 0) >= max(1, sum(labels.values()) // 2)
    large = LARGE_PLACE_POPULATION_IF_PERSON if at_least_half_person else LARGE_PLACE_POPULATION
    capital = candidate.geonameid in case.capitals
    if capital or candidate.population >= large:
        return stands(
            f"a {'capital' if capital else 'large place'} in {country}, which the text names"
        )
    return None


SUPPORT_RULES: tuple[SupportRule, ...] = (
    every_mention_after_a_title,
    a_person_speaking,
    a_speaker,
    qualified_by_its_region,
    named_in_a_list_of_regions,
    a_city_by_its_abbreviation,
    after_a_locative_word,
    a_spot_on_the_ground,
    near_a_named_place,
    listed_with_a_named_place,
    a_major_city,
    a_wide_area,
    a_large_place_in_a_named_country,
    written_as_a_qualifier,
)


def support_for(group: NameGroup, groups: Sequence[NameGroup], capitals: frozenset[int]) -> str:
    """Why a span NER did not call a place is one all the same ('' if it is not)."""
    if group.chosen is None:
        return ""
    case = Case(group, group.chosen.candidate, groups, capitals)
    for rule in SUPPORT_RULES:
        verdict = rule(case)
        if verdict is not None:
            return verdict.reason if verdict.stands else ""
    return ""
