"""Every village on demand, as a use case: what GeoNames' full data for a country adds and
costs (the dashboard's button), adding it (download or file, checks, keep, rebuild the index),
and which names of an article need it. The file work is ``frontline.countries``; the index
is ``frontline.gazetteer``."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from frontline.countries import (
    CountryFile,
    check_country_file,
    download_country_file,
    keep_country_file,
    kept_country_files,
)
from frontline.gazetteer import ensure_index
from frontline.model import GeoparseResult

if TYPE_CHECKING:
    import requests

    from frontline.settings import Settings


@dataclass(frozen=True, slots=True)
class CountryOffer:
    """What the full export of a country adds, for the dashboard's button and the CLI."""

    code: str
    download_mb: float
    places: str
    installed: bool


# Sizes of GeoNames' exports as published (zip, MB) and the order of places each adds;
# shown before a download, so a reader knows what the button costs.
OFFERS = {
    "UA": (4.0, "about 30,000 villages, raions and hromadas of Ukraine"),
    "RU": (45.0, "about 150,000 villages and districts of Russia"),
}


def offers(gazetteer_dir: Path) -> tuple[CountryOffer, ...]:
    kept = {path.stem for path in kept_country_files(gazetteer_dir)}
    return tuple(
        CountryOffer(code, size, places, code in kept) for code, (size, places) in OFFERS.items()
    )


def add_countries(
    settings: Settings,
    *,
    codes: tuple[str, ...] = (),
    files: tuple[Path, ...] = (),
    session: requests.Session | None = None,
) -> tuple[CountryFile, ...]:
    """Download (``codes``) or take (``files``) GeoNames country exports, check and keep
    them, then rebuild the index with them. Nothing is kept unless every file checks out."""
    gazetteer_dir = settings.gazetteer_dir
    checked: list[tuple[Path, str | None]] = [(Path(file), None) for file in files]
    with tempfile.TemporaryDirectory(prefix="frontline-countries-") as folder:
        if codes:
            own_session = session is None
            if session is None:
                import requests

                session = requests.Session()
                session.headers["User-Agent"] = settings.user_agent
            try:
                for code in codes:
                    path = download_country_file(code, settings, session, Path(folder))
                    checked.append((path, code.upper()))
            finally:
                if own_session:
                    session.close()
        for path, expected in checked:
            check_country_file(path, expected)
        kept = tuple(keep_country_file(path, gazetteer_dir, expected) for path, expected in checked)
    ensure_index(gazetteer_dir, rebuild=True)
    return kept


@dataclass(frozen=True, slots=True)
class CountryDataHint:
    """Names a text uses that the index could not place, and the country exports that
    would add the villages among them."""

    names: tuple[str, ...]
    codes: tuple[str, ...]

    def message(self, *, command: bool = True) -> str:
        return f"not found offline: {', '.join(self.names)}; {self.remedy(command=command)}"

    def remedy(self, *, command: bool = True) -> str:
        """What the reader can do: add the countries' full data (the command, or the
        dashboard's button)."""
        countries = " and ".join(self.codes)
        how = (
            " ("
            + " ".join(["python -m frontline index", *(f"--country {c}" for c in self.codes)])
            + ")"
            if command
            else " (sidebar: Every village)"
        )
        return f"GeoNames' full data for {countries} would add every village{how}"

    def without(self, names: Iterable[str]) -> CountryDataHint | None:
        """The hint for the names left once ``names`` are said elsewhere; none if none."""
        left_out = set(names)
        kept = tuple(name for name in self.names if name not in left_out)
        return replace(self, names=kept) if kept else None


def country_data_hint(result: GeoparseResult, merged: Iterable[str]) -> CountryDataHint | None:
    """Which names need a country's full data: the places left without a point, in a text
    whose placed settlements lie in a country the index holds only the larger towns of."""
    merged_codes = set(merged)
    codes = sorted(
        {
            place.candidate.country_code
            for place in result.places
            if place.candidate is not None
            and place.candidate.feature in {"city", "admin"}
            and place.candidate.country_code in OFFERS
            and place.candidate.country_code not in merged_codes
        }
    )
    names = tuple(
        dict.fromkeys(
            place.name
            for place in result.places
            if not place.has_point
            and place.name[:1].isupper()
            and place.feature == "other"
            # What NER calls LOC without a point is a sea or a wide region (the
            # Mediterranean, the Middle East), not a village.
            and any(mention.ner_label != "LOC" for mention in place.mentions)
        )
    )
    if not codes or not names:
        return None
    return CountryDataHint(names, tuple(str(code) for code in codes))
