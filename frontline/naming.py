"""The name a place is shown by: a town in Ukraine by its official romanisation (the national
system, which the index holds as the town's name: Kyiv, Kupiansk, Kostiantynivka), with the
article's own spelling beside it (Kiev, Kupyansk, Kostyantynivka); any other place by the
spelling the article uses most."""

from __future__ import annotations

from frontline.model import Place
from frontline.names import normalize_name

# Countries whose towns are shown by the index's (official) name rather than the article's.
OFFICIAL_NAME_COUNTRIES = frozenset({"UA"})


def shown_name(place: Place) -> str:
    candidate = place.candidate
    if (
        candidate is not None
        and candidate.feature == "city"
        and candidate.country_code in OFFICIAL_NAME_COUNTRIES
    ):
        return candidate.name
    return place.name


def as_written(place: Place) -> str | None:
    """The article's spelling where it differs from the name shown (None where it does not):
    in a Ukrainian or Russian text, the text's own form («Покровська» for Pokrovsk)."""
    if place.name_in_text:
        return place.name_in_text
    shown = shown_name(place)
    return None if normalize_name(shown) == normalize_name(place.name) else place.name
