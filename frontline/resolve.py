"""Toponym resolution: one candidate (or none) per toponym, chosen from context.

"Highest population wins" sends Pokrovsk to Engels and Paris to France in a Texas story.
Here population is one signal among several, each recorded as evidence:

- how the name matched (a GeoNames main name beats an alternate or an old name);
- the feature (a country name means the country; a landmark list entry means the landmark);
- countries and regions the text names elsewhere, and a qualifier next to the name
  ("Paris, Texas", "Borova, in Kharkiv region", "Washington DC");
- distance to the other places of the text (front-line towns cluster);
- national capitals.

All mentions of one surface in a text are one place (one sense per discourse). Spans that
NER did not call a place (Kupiansk as ORG, Kiev as PERSON) become places only with support
from the rest of the text, which keeps Tomahawk (missiles) and Jackson (said) off the map.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from frontline import theatre
from frontline.gazetteer import NameMatch, feature_label, normalize_name
from frontline.geo import distance_km
from frontline.model import AREA_FEATURES, POINT_FEATURES, Candidate, Mention, Place
from frontline.recognize import PLACE_LABELS, Toponym, lies_within

MAX_CANDIDATES = 40
NEARBY_KM = 300.0
MAJOR_CITY_POPULATION = 500_000
PROXIMITY_SCALE_KM = 150.0
# A name NER calls a region or sea (LOC) is not put on a town smaller than this.
LOC_TOWN_POPULATION = 50_000
# A name NER mostly calls a person needs another place this close to stand as a place.
PERSON_NEARBY_KM = 50.0
# A name whose candidates all lie this close together points at one spot whichever is meant.
UNAMBIGUOUS_KM = 50.0
# A town at least this large stands as a place when a word such as "in" or "near" puts it
# in a place, whatever NER called it ("in Kharkiv and Odesa", tagged ORG).
LOCATIVE_TOWN_POPULATION = 100_000
# A name right before "said" whose every candidate is smaller than this is a speaker ("a
# spokesman, Zaporozhets, said"), unless a locative puts it in a place ("officials in X said").
SPEAKER_TOWN_POPULATION = 100_000
_LEADING_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the resolver's signals (chosen on the sample article and GeoWebNews)."""

    population: float = 2.0
    main_name: float = 0.5
    abbreviation: float = 0.4
    folded: float = -0.5
    country_feature: float = 3.0
    continent_feature: float = 3.0
    landmark_feature: float = 1.5
    water_or_region_feature: float = 3.0
    place_feature: float = 0.3
    region_sharing_city_name: float = -0.5
    capital: float = 0.5
    country_in_text: float = 0.8
    region_in_text: float = 1.2
    qualifier_match: float = 3.0
    qualifier_mismatch: float = -2.0
    proximity: float = 1.5
    # Lying close to a place named in the same or the next sentence (frontline/theatre.py).
    local_proximity: float = 1.0
    softmax_temperature: float = 0.5


def _region_label(candidate: Candidate) -> str:
    parts = [part for part in (candidate.admin1, candidate.country_code) if part]
    return f"{candidate.name} ({', '.join(parts)})" if parts else candidate.name


@dataclass(slots=True)
class _Group:
    """All mentions of one surface, and the candidates they share."""

    key: str
    toponyms: list[Toponym]
    matches: list[NameMatch] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)
    chosen: NameMatch | None = None
    withheld: str = ""
    accepted: bool = False
    support: str = ""

    @property
    def labels(self) -> Counter[str]:
        return Counter(t.ner_label or "none" for t in self.toponyms)

    @property
    def strong(self) -> bool:
        """NER called it a place at least as often as a person or organisation, or a
        landmark list or qualifier pins it down ("Chen" once GPE and six times PERSON is a
        person; India's "the Centre", eight times ORG, is its government). A name that is
        not strong may still be kept with support from the rest of the text."""
        if any(t.from_landmarks or t.qualifier for t in self.toponyms):
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
    def sentences(self) -> set[int]:
        return {t.mention.sentence_index for t in self.toponyms}

    @property
    def people(self) -> int:
        return sum(t.ner_label == "PERSON" for t in self.toponyms)

    @property
    def qualifier(self) -> tuple[NameMatch, ...]:
        return tuple(match for t in self.toponyms for match in t.qualifier)

    @property
    def qualifier_text(self) -> str | None:
        return next((t.qualifier_text for t in self.toponyms if t.qualifier_text), None)


def _unambiguous(group: _Group) -> bool:
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


def _group_key(toponym: Toponym) -> str:
    if toponym.names_region:
        # "Kyiv" in "Kyiv and Odesa regions" is the region, whatever "Kyiv" is elsewhere.
        return f"{toponym.key}|region"
    if toponym.qualifier_text:
        return f"{toponym.key}|{normalize_name(toponym.qualifier_text)}"
    return toponym.key


class Resolver:
    def __init__(self, weights: Weights | None = None, *, capitals: frozenset[int] = frozenset()):
        self.weights = weights or Weights()
        self.capitals = capitals

    # -- scoring --------------------------------------------------------------------------

    def _score(
        self,
        group: _Group,
        match: NameMatch,
        countries: dict[str, str],
        regions: dict[str, str],
        anchors: Sequence[theatre.Anchor],
        same_name_city_regions: set[str],
    ) -> tuple[float, list[str]]:
        w = self.weights
        candidate = match.candidate
        reasons: list[str] = []
        score = w.population * math.log10(candidate.population + 1) / 7
        if candidate.population:
            reasons.append(f"population {candidate.population:,}")
        if match.kind == "name":
            score += w.main_name
            reasons.append(f"GeoNames main name {candidate.name!r}")
        elif match.kind == "abbreviation":
            score += w.abbreviation
            reasons.append("standard abbreviation")
        else:
            reasons.append(f"alternate or former name of {candidate.name}")
        if match.folded:
            score += w.folded
            reasons.append("spelling matched only after folding romanisation variants")
        # A country's two-letter code is rarely how English text names it ("SC" is South
        # Carolina, not the Seychelles): the strong prior of a country name is for names only.
        feature_bonus = {
            "country": w.country_feature,
            "continent": w.continent_feature,
            "landmark": w.landmark_feature,
            "water": w.water_or_region_feature,
            "region": w.water_or_region_feature,
        }.get(candidate.feature, w.place_feature)
        if match.kind == "abbreviation" and candidate.feature in AREA_FEATURES:
            feature_bonus = w.place_feature
        score += feature_bonus
        if candidate.feature == "admin" and candidate.admin1_code in same_name_city_regions:
            score += w.region_sharing_city_name
        if candidate.geonameid in self.capitals:
            score += w.capital
            reasons.append("national capital")
        region_bonus = proximity_bonus = 0.0
        if candidate.feature not in AREA_FEATURES:
            if candidate.country_code in countries:
                score += w.country_in_text
                reasons.append(f"in a country the text names: {countries[candidate.country_code]}")
            if candidate.admin1_code in regions and candidate.feature != "admin":
                region_bonus = w.region_in_text
                reasons.append(f"in a region the text names: {regions[candidate.admin1_code]}")
        qualifier = group.qualifier
        if qualifier:
            if lies_within(candidate, qualifier):
                score += w.qualifier_match
                reasons.append(f"qualified by {group.qualifier_text!r}")
            else:
                score += w.qualifier_mismatch
        nearest = theatre.nearest(candidate, anchors, own_key=group.key)
        if nearest is not None:
            km, anchor = nearest
            proximity_bonus = w.proximity * math.exp(-km / PROXIMITY_SCALE_KM)
            if km <= NEARBY_KM:
                reasons.append(f"{km:.0f} km from {anchor.name}")
        if candidate.feature not in AREA_FEATURES:
            local, local_reason = theatre.local_bonus(
                candidate, anchors, group.key, group.sentences, w.local_proximity
            )
            score += local
            if local_reason:
                reasons.append(local_reason)
        # Lying in a region the text names and lying near that region's point are one piece
        # of evidence, not two: counted twice they let a village in the named state
        # outweigh a state or city of that name ("California" -> Spencer, West Virginia).
        score += max(region_bonus, proximity_bonus)
        return score, reasons

    # -- context --------------------------------------------------------------------------

    @staticmethod
    def _named_regions(groups: Sequence[_Group]) -> tuple[dict[str, str], dict[str, str]]:
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

    @staticmethod
    def _anchors(groups: Sequence[_Group]) -> list[theatre.Anchor]:
        anchors = []
        for group in groups:
            if group.chosen is None:
                continue
            if not (group.strong or group.accepted) and not _unambiguous(group):
                continue
            candidate = group.chosen.candidate
            if candidate.feature in POINT_FEATURES and candidate.lat is not None:
                anchors.append(
                    theatre.Anchor(
                        group.key,
                        candidate.lat,
                        candidate.lon or 0.0,
                        group.toponyms[0].mention.text,
                        frozenset(group.sentences),
                        candidate.key,
                        candidate.feature == "city"
                        and candidate.population < theatre.SMALL_SETTLEMENT,
                    )
                )
        return anchors

    def _choose(self, groups: Sequence[_Group]) -> None:
        countries, regions = self._named_regions(groups)
        anchors = self._anchors(groups)
        for group in groups:
            if not group.matches:
                continue
            city_regions = {
                m.candidate.admin1_code
                for m in group.matches
                if m.candidate.feature == "city" and m.candidate.admin1_code
            }
            group.scores.clear()
            group.reasons.clear()
            for match in group.matches:
                score, reasons = self._score(
                    group, match, countries, regions, anchors, city_regions
                )
                group.scores[match.candidate.key] = score
                group.reasons[match.candidate.key] = reasons
            group.chosen = max(group.matches, key=lambda m: group.scores[m.candidate.key])
            group.withheld = self._withheld(group) or self._far_from_theatre(
                group, anchors, regions
            )
            if group.withheld:
                group.chosen = None

    @staticmethod
    def _far_from_theatre(
        group: _Group, anchors: Sequence[theatre.Anchor], regions: dict[str, str]
    ) -> str:
        chosen = group.chosen
        if chosen is None or (group.qualifier and lies_within(chosen.candidate, group.qualifier)):
            return ""
        settlements = sum(m.candidate.feature == "city" for m in group.matches)
        return theatre.far_from_theatre(
            chosen.candidate,
            anchors,
            group.key,
            regions,
            namesakes=settlements,
            main_name=chosen.kind == "name" and not chosen.folded,
        )

    @staticmethod
    def _withheld(group: _Group) -> str:
        """Why the best candidate is not put on the map ('' when it is).

        NER's LOC is a region, sea or mountain range; when the gazetteer (towns, regions,
        countries) offers only a small town of that name, the text almost always means the
        region ("Middle East", "Atlantic", "Gulf") and a pin on the town would mislead.
        """
        chosen = group.chosen
        if chosen is None or chosen.candidate.feature != "city" or group.qualifier:
            return ""
        if any(t.names_front_sector or t.after_war_locative for t in group.toponyms):
            # "The Kupyansk direction" is the front near that town, not a region of its own.
            return ""
        if chosen.candidate.population >= LOC_TOWN_POPULATION:
            return ""
        if {label for label in group.labels if label != "none"} != {"LOC"}:
            return ""
        return (
            f"NER calls it a region or sea (LOC); the offline gazetteer has only towns of "
            f"that name (best: {_region_label(chosen.candidate)})"
        )

    # -- acceptance -----------------------------------------------------------------------

    def _support(self, group: _Group, groups: Sequence[_Group]) -> str:
        """Why a span NER did not call a place is one all the same ('' if it is not)."""
        if group.chosen is None:
            return ""
        candidate = group.chosen.candidate
        if all(t.after_title for t in group.toponyms):
            return ""
        if all(t.ner_label == "PERSON" and t.before_speech_verb for t in group.toponyms):
            return ""
        if group.speaker:
            return ""
        if group.qualifier and lies_within(candidate, group.qualifier):
            return f"qualified by {group.qualifier_text!r}"
        if any(t.names_region for t in group.toponyms) and candidate.feature == "admin":
            return "named in a list of regions"
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
            return (
                f'named as a place ("in", "near", "port of" ...); {candidate.population:,} people'
            )
        if (
            candidate.feature == "city"
            and group.chosen.kind != "abbreviation"
            and any(t.after_war_locative and not t.after_title for t in group.toponyms)
            and not (group.people >= 2 and group.people * 2 > len(group.toponyms))
        ):
            return 'named as a spot on the ground ("near", "west of", "the village of" ...)'
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
        countries, _ = self._named_regions(others)
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
            if candidate.geonameid in self.capitals or big_enough:
                return (
                    f"a {'capital' if candidate.geonameid in self.capitals else 'large place'} "
                    f"in {countries[candidate.country_code]}, which the text names"
                )
        return ""

    # -- entry point ----------------------------------------------------------------------

    def resolve(self, toponyms: Sequence[Toponym]) -> tuple[Place, ...]:
        embedded = [toponym for toponym in toponyms if toponym.embedded]
        toponyms = [toponym for toponym in toponyms if not toponym.embedded]
        # One sense per discourse, except where qualifiers tell mentions apart
        # ("Paris, Texas, is not Paris, France"): unqualified mentions join the one
        # qualified sense of their name when there is exactly one.
        qualified_keys: dict[str, set[str]] = defaultdict(set)
        for toponym in toponyms:
            if toponym.qualifier_text:
                qualified_keys[toponym.key].add(_group_key(toponym))
        by_key: dict[str, _Group] = {}
        for toponym in toponyms:
            key = _group_key(toponym)
            if not toponym.qualifier_text and len(qualified_keys.get(toponym.key, ())) == 1:
                key = next(iter(qualified_keys[toponym.key]))
            group = by_key.setdefault(key, _Group(key, []))
            group.toponyms.append(toponym)
        groups = list(by_key.values())
        regional_keys = {key.removesuffix("|region") for key in by_key if key.endswith("|region")}
        for group in groups:
            seen: dict[str, NameMatch] = {}
            for toponym in group.toponyms:
                for match in toponym.matches:
                    seen.setdefault(match.candidate.key, match)
            ranked = sorted(seen.values(), key=lambda m: -m.candidate.population)
            keep = ranked[:MAX_CANDIDATES] + [
                m for m in ranked[MAX_CANDIDATES:] if lies_within(m.candidate, group.qualifier)
            ]
            if group.key in regional_keys:
                # "Zaporizhzhia and Dnipropetrovsk oblasts ... explosions rocked Zaporizhzhia":
                # where the text names the region as a region, the bare name is the town.
                keep = [m for m in keep if m.candidate.feature != "admin"] or keep
            group.matches = keep

        # Strong names first set the scene; then every name is rescored against it.
        for _ in range(3):
            self._choose(groups)
        for _ in range(3):
            changed = False
            for group in groups:
                if group.strong or group.accepted:
                    continue
                support = self._support(group, groups)
                if support:
                    group.accepted, group.support, changed = True, support, True
            if not changed:
                break
            self._choose(groups)
        return self._places(groups, embedded)

    def _places(
        self, groups: Sequence[_Group], embedded: Sequence[Toponym] = ()
    ) -> tuple[Place, ...]:
        merged: dict[str, list[_Group]] = defaultdict(list)
        by_surface: dict[str, str] = {}
        for group in groups:
            if not (group.strong or group.accepted):
                continue
            key = group.chosen.candidate.key if group.chosen else f"unresolved:{group.key}"
            merged[key].append(group)
            by_surface.setdefault(group.key, key)
        extra = self._embedded_mentions(embedded, merged, by_surface)

        places: list[Place] = []
        for key, members in merged.items():
            mentions = sorted(
                [*(t.mention for g in members for t in g.toponyms), *extra.get(key, ())],
                key=lambda m: m.start,
            )
            places.append(self._place(members, tuple(mentions)))
        places.sort(key=lambda place: place.mentions[0].start)
        return tuple(places)

    @staticmethod
    def _embedded_mentions(
        embedded: Sequence[Toponym],
        merged: dict[str, list[_Group]],
        by_surface: dict[str, str],
    ) -> dict[str, list[Mention]]:
        """Names inside organisations' names, as further mentions of places the text names
        on their own ("the US State Department" counts for the US of "US troops"); they
        never put a place on the map by themselves (no pin for "The Washington Post")."""
        extra: dict[str, list[Mention]] = defaultdict(list)
        for toponym in embedded:
            key = by_surface.get(toponym.key)
            if key is None:
                keys = {m.candidate.key for m in toponym.matches} & merged.keys()
                key = next(iter(keys)) if len(keys) == 1 else None
            if key is not None and not key.startswith("unresolved:"):
                extra[key].append(toponym.mention)
        return extra

    @staticmethod
    def _display_name(members: Sequence[_Group], mentions: tuple[Mention, ...]) -> str:
        """The spelling the text uses most; a place named only by its people ("Ukrainian
        drones") is called by its own name, so no pin reads "Ukrainian"."""
        named = [g for g in members if g.chosen is None or g.chosen.kind != "demonym"]
        if not named:
            chosen = members[0].chosen
            assert chosen is not None
            return chosen.candidate.name
        spans = {(t.mention.start, t.mention.end) for g in named for t in g.toponyms}
        surfaces = Counter(
            _LEADING_ARTICLE.sub("", mention.text)
            for mention in mentions
            if (mention.start, mention.end) in spans
        )
        main_names = {
            normalize_name(g.chosen.candidate.name) for g in named if g.chosen is not None
        }
        first_seen = {surface: index for index, surface in enumerate(surfaces)}  # text order
        # Most used; on a tie, the place's own name ("Bakhmut (Artemovsk)" is Bakhmut),
        # then the spelling the text used first.
        return max(
            surfaces,
            key=lambda surface: (
                surfaces[surface],
                normalize_name(surface) in main_names,
                -first_seen[surface],
            ),
        )

    def _place(self, members: Sequence[_Group], mentions: tuple[Mention, ...]) -> Place:
        name = self._display_name(members, mentions)
        labels: Counter[str] = Counter()
        for group in members:
            labels.update(group.labels)
        evidence = [
            "recognised by "
            + ", ".join(
                f"{'NER ' + label if label != 'none' else 'gazetteer/landmark match'}"
                f"{f' ×{count}' if count > 1 else ''}"
                for label, count in labels.most_common()
            )
        ]
        lead = max(members, key=lambda g: len(g.toponyms))
        if lead.support:
            evidence.append(f"kept as a place: {lead.support}")
        if lead.chosen is None and lead.withheld:
            evidence.append(lead.withheld)
            towns = sorted(lead.matches, key=lambda m: -lead.scores.get(m.candidate.key, 0.0))
            return Place(
                name, None, 0.0, tuple(evidence), tuple(m.candidate for m in towns[:5]), mentions
            )
        if lead.chosen is None:
            evidence.append("not in the offline gazetteer")
            return Place(name, None, 0.0, tuple(evidence), (), mentions)

        chosen_key = lead.chosen.candidate.key
        evidence.extend(lead.reasons.get(chosen_key, []))
        scores = lead.scores
        exponent = {
            key: math.exp((value - scores[chosen_key]) / self.weights.softmax_temperature)
            for key, value in scores.items()
        }
        probability = 1.0 / sum(exponent.values())
        strength = 1.0 if lead.strong else 0.8
        alternatives = sorted(
            (m for m in lead.matches if m.candidate.key != chosen_key),
            key=lambda m: -scores[m.candidate.key],
        )[:5]
        if alternatives:
            runner_up = alternatives[0]
            evidence.append(
                f"runner-up: {_region_label(runner_up.candidate)}, score "
                f"{scores[runner_up.candidate.key]:.2f} against {scores[chosen_key]:.2f}"
            )
        return Place(
            name=name,
            candidate=lead.chosen.candidate,
            score=round(probability * strength, 3),
            evidence=tuple(evidence),
            alternatives=tuple(m.candidate for m in alternatives),
            mentions=mentions,
        )
