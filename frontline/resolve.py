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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from frontline import evidence, theatre
from frontline.evidence import Reason
from frontline.front_prior import FrontLinePrior, weigh_front_line
from frontline.gazetteer import NameMatch, normalize_name
from frontline.model import AREA_FEATURES, POINT_FEATURES, Mention, Place, unresolved_key
from frontline.name_groups import (
    NameGroup,
    countries_named_by_demonym_only,
    group_key,
    named_regions,
    region_label,
    unambiguous,
)
from frontline.recognize import Toponym, lies_within
from frontline.support import LOCATIVE_TOWN_POPULATION, NEARBY_KM, support_for

# A name's candidates beyond the most populous 40 are dropped (unless a qualifier names
# their region): "Ivanivka" names hundreds of villages.
MAX_CANDIDATES = 40
# The population signal is log10(population + 1) / POPULATION_LOG10_SCALE of its weight:
# a town of ten million people gets the whole weight, a village of a thousand three
# sevenths of it, so a big namesake beats a small one without drowning the context.
POPULATION_LOG10_SCALE = 7
# The proximity signal decays as exp(-km / PROXIMITY_SCALE_KM): half its weight at 104 km.
PROXIMITY_SCALE_KM = 150.0
# A name NER calls a region or sea (LOC) is not put on a town smaller than this.
LOC_TOWN_POPULATION = 50_000
# The score of a place that stands only with support (NER did not call it a place) is its
# choice's probability times this: on the map, such a pin is less sure than one NER named.
SUPPORTED_PLACE_SCORE_FACTOR = 0.8
# Runner-up candidates kept with a place (for the evidence and a reader's correction).
MAX_ALTERNATIVES = 5
# Rounds of choosing: each choice moves the scene (countries, regions, anchors) the next
# round scores against; three rounds settle the sample and GeoWebNews.
CHOICE_ROUNDS = 3
# Rounds of accepting weak names with support, each followed by choosing again.
SUPPORT_ROUNDS = 3
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
    # The same, when the text names the country only by its people ("Russian forces"): a
    # war report says "Russian" of an army in every line, wherever the fighting is.
    country_in_text_by_demonym: float = 0.3
    region_in_text: float = 1.2
    qualifier_match: float = 3.0
    qualifier_mismatch: float = -2.0
    proximity: float = 1.5
    # Lying close to a place named in the same or the next sentence (frontline/theatre.py).
    local_proximity: float = 1.0
    # Lying far from the front line, in a sentence about fighting, against the namesake
    # nearest it (frontline/front_prior.py; only where a snapshot is passed in).
    front_line: float = 1.0
    softmax_temperature: float = 0.5


WAR_SPOT_SUPPORT = 'named as a spot on the ground ("near", "west of", "the village of" ...)'


def _village_namesakes(toponym: Toponym) -> bool:
    """Several settlements bear the name and none is a town of SMALL_SETTLEMENT people."""
    settlements = [m.candidate for m in toponym.matches if m.candidate.feature == "city"]
    return (
        len(settlements) >= 2
        and len(settlements) == len(toponym.matches)
        and all(c.population < theatre.SMALL_SETTLEMENT for c in settlements)
    )


def _names_a_city(toponym: Toponym) -> bool:
    """The name is also a city readers know ("Zaporizhzhia and Dnipropetrovsk oblasts ...
    explosions rocked Zaporizhzhia"): then the bare name is the city, not the region."""
    return any(
        m.candidate.feature == "city" and m.candidate.population >= LOCATIVE_TOWN_POPULATION
        for m in toponym.matches
    )


class Resolver:
    def __init__(
        self,
        weights: Weights | None = None,
        *,
        capitals: frozenset[int] = frozenset(),
        complete_countries: Iterable[str] = (),
    ):
        """``complete_countries``: those whose every village the gazetteer holds (a country
        export merged in), where a name's one namesake is the one (theatre.far_from_theatre)."""
        self.weights = weights or Weights()
        self.capitals = capitals
        self.namesake_countries = theatre.NAMESAKE_COUNTRIES - frozenset(complete_countries)

    # -- scoring --------------------------------------------------------------------------

    def _score(
        self,
        group: NameGroup,
        match: NameMatch,
        countries: dict[str, str],
        regions: dict[str, str],
        anchors: Sequence[theatre.Anchor],
        same_name_city_regions: set[str],
        demonym_countries: frozenset[str] = frozenset(),
        vouched: Sequence[theatre.Anchor] | None = None,
    ) -> tuple[float, list[Reason]]:
        """``vouched``: the anchors that may support this name (theatre.vouched_for), given
        once a group; all ``anchors`` where not given."""
        w = self.weights
        candidate = match.candidate
        reasons: list[Reason] = []
        score = w.population * math.log10(candidate.population + 1) / POPULATION_LOG10_SCALE
        if candidate.population:
            reasons.append(evidence.population(candidate.population))
        if match.kind == "name":
            score += w.main_name
            reasons.append(evidence.main_name(candidate.name))
        elif match.kind == "abbreviation":
            score += w.abbreviation
            reasons.append(evidence.STANDARD_ABBREVIATION)
        else:
            reasons.append(evidence.alternate_name_of(candidate.name))
        if match.folded:
            score += w.folded
            reasons.append(evidence.FOLDED_SPELLING)
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
            reasons.append(evidence.NATIONAL_CAPITAL)
        region_bonus = proximity_bonus = 0.0
        if candidate.feature not in AREA_FEATURES:
            if candidate.country_code in countries:
                score += (
                    w.country_in_text_by_demonym
                    if candidate.country_code in demonym_countries
                    else w.country_in_text
                )
                reasons.append(evidence.in_named_country(countries[candidate.country_code]))
            if candidate.admin1_code in regions and candidate.feature != "admin":
                region_bonus = w.region_in_text
                reasons.append(evidence.in_named_region(regions[candidate.admin1_code]))
        qualifier = group.qualifier
        if qualifier:
            if lies_within(candidate, qualifier):
                score += w.qualifier_match
                reasons.append(evidence.qualified_by(group.qualifier_text))
            else:
                score += w.qualifier_mismatch
        nearby: Reason | None = None
        nearest = theatre.nearest(
            candidate, anchors if vouched is None else vouched, own_key=group.key
        )
        if nearest is not None:
            km, anchor = nearest
            proximity_bonus = w.proximity * math.exp(-km / PROXIMITY_SCALE_KM)
            # The evidence names another place: "0 km from Artemivsk" for Bakhmut is itself.
            if anchor.candidate_key == candidate.key:
                nearest = theatre.nearest(
                    candidate, anchors, own_key=group.key, other_places_only=True
                )
            if nearest is not None and nearest[0] <= NEARBY_KM:
                nearby = evidence.km_from(nearest[0], nearest[1].name)
        if candidate.feature not in AREA_FEATURES and match.kind == "name":
            # By its own name only: a town once called Washington (South River, New Jersey)
            # is no village of a list just because a New Brunswick lies next to it.
            local, local_reason = theatre.local_bonus(
                candidate,
                anchors,
                group.key,
                group.sentences,
                w.local_proximity,
                paragraphs=group.paragraphs,
            )
            score += local
            if local_reason is not None and (nearby is None or local_reason.startswith(nearby)):
                # The same neighbour named beside it: one line of evidence, in its words.
                nearby = local_reason
            elif local_reason is not None:
                reasons.append(local_reason)
        if nearby is not None:
            reasons.append(nearby)
        front = group.front_line.get(candidate.key)
        if front is not None:
            score += front[0]
            reasons.append(front[1])
        # Lying in a region the text names and lying near that region's point are one piece
        # of evidence, not two: counted twice they let a village in the named state
        # outweigh a state or city of that name ("California" -> Spencer, West Virginia).
        score += max(region_bonus, proximity_bonus)
        return score, reasons

    # -- context --------------------------------------------------------------------------

    @staticmethod
    def _anchors(groups: Sequence[NameGroup], regions: dict[str, str]) -> list[theatre.Anchor]:
        anchors = []
        for group in groups:
            if group.chosen is None:
                continue
            if not (group.strong or group.accepted) and not unambiguous(group):
                continue
            candidate = group.chosen.candidate
            small = candidate.feature == "city" and candidate.population < theatre.SMALL_SETTLEMENT
            if candidate.feature in POINT_FEATURES and candidate.lat is not None:
                anchors.append(
                    theatre.Anchor(
                        group.key,
                        candidate.lat,
                        candidate.lon or 0.0,
                        group.toponyms[0].mention.text,
                        frozenset(group.sentences),
                        candidate.key,
                        small=small,
                        # A village outside every region the text names of its country is
                        # a guess even where the gazetteer knows one village of its name.
                        uncertain=small
                        and (
                            not unambiguous(group)
                            or theatre.outside_named_regions(candidate, regions)
                        ),
                        paragraphs=group.paragraphs,
                        country_code=candidate.country_code or "",
                        settlement=candidate.feature == "city",
                        vouchers=frozenset({theatre.NAMED_REGION})
                        if candidate.admin1_code in regions
                        else frozenset(),
                    )
                )
        return theatre.with_vouchers(anchors)

    def _choose(self, groups: Sequence[NameGroup], sectors: theatre.SectorTowns) -> None:
        countries, regions = named_regions(groups)
        demonym_countries = frozenset(countries_named_by_demonym_only(groups))
        anchors = self._anchors(groups, regions)
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
            vouched = theatre.vouched_for(anchors, group.key)
            for match in group.matches:
                score, reasons = self._score(
                    group,
                    match,
                    countries,
                    regions,
                    anchors,
                    city_regions,
                    demonym_countries,
                    vouched,
                )
                group.scores[match.candidate.key] = score
                group.reasons[match.candidate.key] = reasons
            group.chosen = max(group.matches, key=lambda m: group.scores[m.candidate.key])
            group.withheld = self._withheld(group) or self._far_from_theatre(
                group, anchors, regions, sectors
            )
            if group.withheld:
                group.chosen = None

    def _far_from_theatre(
        self,
        group: NameGroup,
        anchors: Sequence[theatre.Anchor],
        regions: dict[str, str],
        sectors: theatre.SectorTowns,
    ) -> Reason | None:
        chosen = group.chosen
        # A region pins a village down; a whole country does not: "Ivanovka (Russia)" beside
        # Sumy is no likelier the gazetteer's Ivanovka 270 km away than any far namesake.
        narrower = [m for m in group.qualifier if m.candidate.feature != "country"]
        if chosen is None or lies_within(chosen.candidate, narrower):
            return None
        candidate = chosen.candidate
        placed_in = next((t for t in group.toponyms if t.sentence_region), None)
        if (
            placed_in is not None
            and candidate.feature == "city"
            and candidate.population < theatre.SMALL_SETTLEMENT
            and not any(lies_within(m.candidate, placed_in.sentence_region) for m in group.matches)
        ):
            # "In Kharkiv Oblast, troops liberated A, B and C": a village of the list that the
            # gazetteer has only elsewhere is one it lacks (the country's full data has it).
            return evidence.not_in_named_region(
                region_label(candidate), placed_in.sentence_region_text or ""
            )
        # "On the Huliaipole sector, attacks near A, B and C": the villages lie near that town.
        towns = theatre.sector_of(group.toponyms, sectors)
        if towns and (far := theatre.far_from_sector(candidate, towns)):
            return far
        return theatre.far_from_theatre(
            chosen.candidate,
            anchors,
            group.key,
            regions,
            namesakes=sum(m.candidate.feature == "city" for m in group.matches),
            main_name=chosen.kind == "name" and not chosen.folded,
            war_syntax=any(t.after_war_locative for t in group.toponyms),
            namesake_countries=self.namesake_countries,
        )

    @staticmethod
    def _withheld(group: NameGroup) -> Reason | None:
        """Why the best candidate is not put on the map (None when it is).

        NER's LOC is a region, sea or mountain range; when the gazetteer (towns, regions,
        countries) offers only a small town of that name, the text almost always means the
        region ("Middle East", "Atlantic", "Gulf") and a pin on the town would mislead.
        """
        chosen = group.chosen
        if group.qualifier and not any(
            lies_within(m.candidate, group.qualifier) for m in group.matches
        ):
            # "Отрадное Харьковской области" where the gazetteer has Otradnoye only near
            # Moscow and in Crimea: a namesake elsewhere would be a wrong pin.
            return evidence.none_within_qualifier(group.qualifier_text)
        if chosen is None or chosen.candidate.feature != "city" or group.qualifier:
            return None
        if any(t.names_front_sector or t.after_war_locative for t in group.toponyms):
            # "The Kupyansk direction" is the front near that town, not a region of its own.
            return None
        if chosen.candidate.population >= LOC_TOWN_POPULATION:
            return None
        if {label for label in group.labels if label != "none"} != {"LOC"}:
            return None
        return evidence.withheld_for_towns(region_label(chosen.candidate))

    # -- acceptance -----------------------------------------------------------------------

    def resolve(
        self, toponyms: Sequence[Toponym], front_line: FrontLinePrior | None = None
    ) -> tuple[Place, ...]:
        """One place per name the text uses as one; ``front_line``, the front line of the
        article's date, weighs namesakes in sentences about fighting (none: not weighed)."""
        # Sectors recognised as such («на Гуляйпільському напрямку»), not a town's name before
        # "direction", whose transliteration may name other towns ("Pokrovsky direction").
        sectors = theatre.sector_towns(
            (t.mention.sentence_index, t.matches)
            for t in toponyms
            if t.names_front_sector and t.embedded
        )
        embedded = [toponym for toponym in toponyms if toponym.embedded]
        toponyms = [toponym for toponym in toponyms if not toponym.embedded]
        # One sense per discourse, except where qualifiers tell mentions apart
        # ("Paris, Texas, is not Paris, France"): unqualified mentions join the one
        # qualified sense of their name when there is exactly one.
        qualified_keys: dict[str, set[str]] = defaultdict(set)
        for toponym in toponyms:
            if toponym.qualifier_text:
                qualified_keys[toponym.key].add(group_key(toponym))
        listed_regions = {t.key for t in toponyms if t.names_region}
        by_key: dict[str, NameGroup] = {}
        for toponym in toponyms:
            key = group_key(toponym)
            if not toponym.qualifier_text and len(qualified_keys.get(toponym.key, ())) == 1:
                key = next(iter(qualified_keys[toponym.key]))
            elif toponym.key in listed_regions and not _names_a_city(toponym):
                # "Hunan and Hubei provinces ... the Hunan city of Yueyang": one region.
                key = f"{toponym.key}|region"
            elif _village_namesakes(toponym):
                # Two Pokrovskes in one report, each in its paragraph's district: a village
                # name with namesakes is resolved per paragraph; the paragraphs that choose
                # the same village are one place again (``_places`` merges by candidate).
                key = f"{key}|paragraph {toponym.paragraph}"
            group = by_key.setdefault(key, NameGroup(key, []))
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
        if front_line is not None:
            weigh_front_line(groups, front_line, self.weights.front_line)

        # Strong names first set the scene; then every name is rescored against it.
        for _ in range(CHOICE_ROUNDS):
            self._choose(groups, sectors)
        for _ in range(SUPPORT_ROUNDS):
            changed = False
            for group in groups:
                if group.strong or group.accepted:
                    continue
                support = support_for(group, groups, self.capitals)
                if support:
                    group.accepted, group.support, changed = True, support, True
            if not changed:
                break
            self._choose(groups, sectors)
        for group in groups:
            if not group.matches and not group.strong and group.war_spot:
                # "near Robotyne": a village the offline data lacks, kept without a point.
                group.accepted, group.support = True, WAR_SPOT_SUPPORT
        return self._places(groups, embedded)

    def _places(
        self, groups: Sequence[NameGroup], embedded: Sequence[Toponym] = ()
    ) -> tuple[Place, ...]:
        merged: dict[str, list[NameGroup]] = defaultdict(list)
        by_surface: dict[str, str] = {}
        for group in groups:
            if not (group.strong or group.accepted):
                continue
            key = group.chosen.candidate.key if group.chosen else unresolved_key(group.key)
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
        merged: dict[str, list[NameGroup]],
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
            if key is not None and merged[key][0].chosen is not None:
                extra[key].append(toponym.mention)
        return extra

    @staticmethod
    def _display_name(members: Sequence[NameGroup], mentions: tuple[Mention, ...]) -> str:
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

    def _place(self, members: Sequence[NameGroup], mentions: tuple[Mention, ...]) -> Place:
        name = self._display_name(members, mentions)
        labels: Counter[str] = Counter()
        for group in members:
            labels.update(group.labels)
        reasons = [evidence.recognised_by(labels.most_common())]
        lead = max(members, key=lambda g: len(g.toponyms))
        if lead.support:
            reasons.append(evidence.kept_as_a_place(lead.support))
        if lead.chosen is None and lead.withheld:
            reasons.append(lead.withheld)
            towns = sorted(lead.matches, key=lambda m: -lead.scores.get(m.candidate.key, 0.0))
            return Place(
                name,
                None,
                0.0,
                tuple(reasons),
                tuple(m.candidate for m in towns[:MAX_ALTERNATIVES]),
                mentions,
            )
        if lead.chosen is None:
            reasons.append(evidence.NOT_IN_GAZETTEER)
            return Place(name, None, 0.0, tuple(reasons), (), mentions)

        chosen_key = lead.chosen.candidate.key
        reasons.extend(lead.reasons.get(chosen_key, []))
        scores = lead.scores
        exponent = {
            key: math.exp((value - scores[chosen_key]) / self.weights.softmax_temperature)
            for key, value in scores.items()
        }
        probability = 1.0 / sum(exponent.values())
        strength = 1.0 if lead.strong else SUPPORTED_PLACE_SCORE_FACTOR
        alternatives = sorted(
            (m for m in lead.matches if m.candidate.key != chosen_key),
            key=lambda m: -scores[m.candidate.key],
        )[:MAX_ALTERNATIVES]
        score = probability * strength
        if alternatives:
            runner_up = alternatives[0]
            # On the reader's scale, the one the place's own score is on.
            reasons.append(
                evidence.runner_up(
                    region_label(runner_up.candidate),
                    exponent[runner_up.candidate.key] * score,
                    score,
                )
            )
        return Place(
            name=name,
            candidate=lead.chosen.candidate,
            score=round(score, 3),
            evidence=tuple(reasons),
            alternatives=tuple(m.candidate for m in alternatives),
            mentions=mentions,
        )
