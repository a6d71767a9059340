"""Support: why a name NER did not call a place stands as one all the same.

Spans NER did not call places (Kupiansk as ORG, Kiev as PERSON) become places only with
support from the rest of the text, which keeps Tomahawk (missiles) and Jackson (said) off
the map.
"""

from __future__ import annotations

from collections.abc import Sequence

from frontline.gazetteer import feature_label
from frontline.geo import distance_km
from frontline.model import AREA_FEATURES, POINT_FEATURES
from frontline.name_groups import NameGroup, named_regions
from frontline.recognize import lies_within

NEARBY_KM = 300.0
MAJOR_CITY_POPULATION = 500_000
# A name NER mostly calls a person needs another place this close to stand as a place.
PERSON_NEARBY_KM = 50.0
# A town at least this large stands as a place when a word such as "in" or "near" puts it
# in a place, whatever NER called it ("in Kharkiv and Odesa", tagged ORG).
LOCATIVE_TOWN_POPULATION = 100_000


def support_for(group: NameGroup, groups: Sequence[NameGroup], capitals: frozenset[int]) -> str:
    """Why a span NER did not call a place is one all the same ('' if it is not)."""
    if group.chosen is None:
        return ""
    candidate = group.chosen.candidate
    if all(t.after_title for t in group.toponyms):
        return ""
    if all(t.ner_label == "PERSON" and t.before_speech_verb for t in group.toponyms):
        return ""
    if group.qualifier and lies_within(candidate, group.qualifier):
        return f"qualified by {group.qualifier_text!r}"
    if group.chosen.kind == "abbreviation" and candidate.feature == "city":
        # Letters NER did not call a place are rarely a city: GeoNames lists airport
        # codes (NGO, CMB) among a city's names, and texts seldom name a city by them.
        return ""
    if (
        candidate.feature in {"city", "admin"}
        and group.chosen.kind != "abbreviation"
        and candidate.population >= LOCATIVE_TOWN_POPULATION
        and any(t.after_locative and t.ner_label not in {None, "NORP"} for t in group.toponyms)
    ):
        return f'named as a place ("in", "near", "port of" ...); {candidate.population:,} people'
    others = [g for g in groups if g is not group and (g.strong or g.accepted) and g.chosen]
    # A capitalised word that NER ignored is the weakest evidence there is; at the start
    # of a sentence ("Orange juice ...") being near another place is not enough.
    gazetteer_only = all(t.ner_label is None for t in group.toponyms)
    nearby_km = NEARBY_KM / 2 if gazetteer_only else NEARBY_KM
    if gazetteer_only and all(t.sentence_initial for t in group.toponyms):
        nearby_km = 0.0
    if group.people * 2 > len(group.toponyms):
        # Mostly a person to NER (Thomas, Nelson, Barry): being in the same part of the
        # world as the story's places is not enough; being in the same town's area is.
        nearby_km = min(nearby_km, PERSON_NEARBY_KM)
    for other in others:
        other_candidate = other.chosen.candidate  # type: ignore[union-attr]
        if (
            candidate.lat is not None
            and other_candidate.lat is not None
            and other_candidate.feature in POINT_FEATURES
            and candidate.feature in POINT_FEATURES
        ):
            km = distance_km(
                candidate.lat,
                candidate.lon or 0.0,
                other_candidate.lat,
                other_candidate.lon or 0.0,
            )
            if km <= nearby_km:
                return f"{km:.0f} km from {other.toponyms[0].mention.text}, named as a place"
    list_groups = {t.list_group for t in group.toponyms if t.list_group is not None}
    for other in others:
        if list_groups & {t.list_group for t in other.toponyms}:
            other_candidate = other.chosen.candidate  # type: ignore[union-attr]
            if other_candidate.country_code == candidate.country_code:
                return f"listed with {other.toponyms[0].mention.text}"
    countries, _ = named_regions(others)
    labels = group.labels
    if (
        candidate.population >= MAJOR_CITY_POPULATION
        and candidate.feature == "city"
        # Called a person again and again ("Chen" six times PERSON, once GPE), it is one.
        and not (group.people >= 2 and group.people * 2 > len(group.toponyms))
        # spaCy's small model calls unfamiliar cities people ("struck Kharkiv", PERSON);
        # a title before or a speech verb after still marks a person.
        and not any(t.after_title or t.before_speech_verb for t in group.toponyms)
    ):
        return f"a major city ({candidate.population:,} people)"
    if candidate.feature in AREA_FEATURES:
        # Georgia and Jordan are also people's names; the Bosphorus and the Balkans,
        # from the curated list of waters and regions, are not (spaCy may say so).
        if group.labels.get("PERSON") and candidate.feature in {"country", "continent"}:
            return ""
        return f"the name of a {feature_label(candidate.feature)}"
    if candidate.country_code in countries:
        labels = group.labels
        is_person = labels.get("PERSON", 0) >= max(1, sum(labels.values()) // 2)
        big_enough = candidate.population >= (1_000_000 if is_person else 100_000)
        if candidate.geonameid in capitals or big_enough:
            return (
                f"a {'capital' if candidate.geonameid in capitals else 'large place'} "
                f"in {countries[candidate.country_code]}, which the text names"
            )
    return ""


# -- entry point ----------------------------------------------------------------------
