"""Names and points read from the gazetteer's source packages, for its builders: the English
names of first-level regions ("Donetska oblast" -> Donetsk Oblast, "Kurskaya oblast'" -> Kursk
Oblast) and countryinfo's per-country records."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

from frontline.names import APOSTROPHES, normalize_name

logger = logging.getLogger(__name__)


def english_admin_name(name: str, aliases: Sequence[str]) -> str:
    """'Donetska oblast' reads better as its English alias 'Donetsk Oblast', 'Avtonomna
    Respublika Krym' as 'Autonomous Republic of Crimea'."""
    words = name.split()
    if any(word.lower().startswith("respublik") for word in words):
        republic = next((a for a in aliases if a.isascii() and "Republic" in a.split()), None)
        if republic:
            return republic
    if len(words) > 1 and words[-1][:1].islower():
        for alias in aliases:
            alias_words = alias.split()
            if (
                len(alias_words) > 1
                and alias.isascii()
                and alias_words[-1][:1].isupper()
                and alias_words[-1].lower().rstrip("'") == words[-1].lower().rstrip("'")
            ):
                return alias
    return name


# Russian regions' GeoNames names are transliterated adjectives ("Kurskaya oblast'",
# "Krasnodarskiy kray"); English news names them after their town: Kursk Oblast.
REGION_TYPES = {"oblast'": "Oblast", "oblast": "Oblast", "kray": "Krai", "krai": "Krai"}


def namesake_town(word: str, towns: Sequence[tuple[str, int]]) -> str | None:
    """The region's largest town whose name ``word`` is, or is made from ("Kurskaya" ->
    Kursk, "Tul'skaya" -> Tula, "Rostovskaya" -> Rostov-na-Donu's "Rostov"), or None
    where no town fits ("Kaluzhskaya", from Kaluga)."""
    adjective = normalize_name(word).replace(" ", "")
    best: tuple[int, str] | None = None
    for town, population in towns:
        town = APOSTROPHES.sub("", town.split("-")[0])
        key = normalize_name(town).replace(" ", "")
        shared = next(
            (i for i, (a, b) in enumerate(zip(adjective, key, strict=False)) if a != b),
            min(len(adjective), len(key)),
        )
        if len(key) >= 4 and shared >= len(key) - 1 and (best is None or population > best[0]):
            best = (population, town)
    return best[1] if best else None


def english_name_after_namesake(
    name: str, towns: Sequence[tuple[str, int]]
) -> tuple[str, str | None]:
    """("Kurskaya oblast'", towns) -> ("Kursk Oblast", "Kursk"); ("Bryansk Oblast", towns)
    -> ("Bryansk Oblast", "Bryansk"): a region named after a town, in English, and that
    town's name; other names come back unchanged, with None."""
    words = name.split()
    english_type = REGION_TYPES.get(words[-1].lower()) if len(words) == 2 else None
    if english_type is None:
        return name, None
    if words[-1][0].isupper():
        # Already English: the town's own name, if a town of the region bears it.
        own = normalize_name(words[0])
        return name, words[0] if any(normalize_name(t) == own for t, _ in towns) else None
    namesake = namesake_town(words[0], towns)
    if namesake is None:
        return name, None
    return f"{namesake} {english_type}", namesake


def country_info_rows() -> dict[str, dict[str, object]]:
    """countryinfo's per-country JSON files, keyed by ISO alpha-2."""
    import countryinfo

    folder = Path(countryinfo.__file__).parent / "data"
    rows: dict[str, dict[str, object]] = {}
    for path in folder.glob("*.json"):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            logger.warning("skipping unreadable countryinfo file %s", path.name)
            continue
        iso = record.get("ISO") or {}
        alpha2 = iso.get("alpha2") if isinstance(iso, dict) else None
        if alpha2:
            rows[str(alpha2).upper()] = record
    return rows


# ----------------------------------------------------------------------------------------
# One builder per source. Each reads ``Sources`` and adds to ``IndexContent``; a builder
# may rely on what the builders before it in ``BUILDERS`` added.
