"""Cyrillic place names and the Latin spellings readers meet for them.

Front-line reports spell one village several ways: Ukraine's national romanisation
(Avdiivka, Klishchiivka, Kostiantynivka), BGN/PCGN and other romanisations of the Russian
name (Avdeyevka, Konstantinovka), and Soviet-era names (Krasnoarmeysk, Artemovsk), which
GeoNames keeps among a place's alternate names, often in Cyrillic only. Rather than type
spellings in one by one, they are derived from the Cyrillic names in the gazetteer:

- Ukrainian names with ``uklatn``'s KMU 55 table: the national system of Ukraine's Cabinet
  of Ministers (Resolution 55 of 2010), which is also the official English spelling;
- Russian names with ``iuliia``'s schemas that English news follows (BGN/PCGN, Wikipedia,
  Yandex.Maps, ICAO). iuliia covers Russian only: it leaves і, ї, є and ґ untranslated.

A Cyrillic name is taken as Ukrainian when it has a letter only Ukrainian writes (і ї є ґ),
as Russian when it has one only Russian writes (ы э ъ ё), and as either otherwise.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CYRILLIC_NAME = re.compile(r"^[\u0400-\u04ff\u0300-\u036f\s'’ʼ`\-.]+$")
_UKRAINIAN_ONLY = frozenset("іїєґІЇЄҐ")
_RUSSIAN_ONLY = frozenset("ыэъёЫЭЪЁ")
# Letters of other Cyrillic alphabets (Belarusian ў, Serbian ј љ њ ћ ђ џ, Macedonian ѓ ќ ѕ,
# Kazakh, Bulgarian-only forms aside): names in those languages are not romanised here.
_OTHER_CYRILLIC = frozenset("ўЎјЈљЉњЊћЋђЂџЏѓЃќЌѕЅәӘғҒқҚңҢөӨұҰүҮһҺ")
_STRESS = "\u0301"
# How close (difflib's ratio) a Ukrainian name's romanisation must be to GeoNames' main name
# to be taken as that name in the national system, and how much a name with a letter only
# Ukrainian writes is preferred over one without.
SAME_NAME_RATIO = 0.75
UKRAINIAN_LETTER_PREFERENCE = 0.1


def has_cyrillic(text: str) -> bool:
    return _CYRILLIC.search(text) is not None


def is_cyrillic_name(name: str) -> bool:
    return _CYRILLIC_NAME.match(name) is not None and has_cyrillic(name)


def languages(name: str) -> frozenset[str]:
    """{"uk"}, {"ru"}, {"uk", "ru"} (either) or {} for a Cyrillic name of another language."""
    letters = set(name)
    if letters & _OTHER_CYRILLIC:
        return frozenset()
    ukrainian, russian = bool(letters & _UKRAINIAN_ONLY), bool(letters & _RUSSIAN_ONLY)
    if ukrainian and russian:
        return frozenset()
    if ukrainian:
        return frozenset({"uk"})
    if russian:
        return frozenset({"ru"})
    return frozenset({"uk", "ru"})


@lru_cache(maxsize=1)
def _russian_schemas() -> tuple[object, ...]:
    import iuliia

    return (iuliia.BGN_PCGN, iuliia.WIKIPEDIA, iuliia.YANDEX_MAPS, iuliia.ICAO_DOC_9303)


def ukrainian_national(name: str) -> str:
    """Ukraine's national romanisation (KMU 55, 2010): Авдіївка -> Avdiivka."""
    import uklatn

    return str(uklatn.encode(name.replace(_STRESS, ""), table=uklatn.KMU_55))


def russian_spellings(name: str) -> Iterator[str]:
    """Romanisations of a Russian name: Артёмовск -> Artemovsk, Artyomovsk; Авдеевка ->
    Avdeyevka, Avdeevka."""
    clean = name.replace(_STRESS, "")
    for schema in _russian_schemas():
        yield str(schema.translate(clean))  # type: ignore[attr-defined]


def latin_spellings(name: str) -> tuple[str, ...]:
    """Every romanisation of a Cyrillic place name, by the languages it may be in."""
    if not is_cyrillic_name(name):
        return ()
    return _latin_spellings(name)


@lru_cache(maxsize=200_000)
def _latin_spellings(name: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    langs = languages(name)
    if "uk" in langs:
        found[ukrainian_national(name)] = None
    if "ru" in langs:
        for spelling in russian_spellings(name):
            found[spelling] = None
    return tuple(spelling for spelling in found if spelling and not has_cyrillic(spelling))


def official_ukrainian_name(main_name: str, names: Iterable[str]) -> str | None:
    """The national romanisation of the place's Ukrainian name, chosen among its Cyrillic
    names as the one whose romanisation is closest to GeoNames' main name (which follows
    the Ukrainian name in older spellings: Avdiyivka -> Avdiivka, Zaporizhzhya ->
    Zaporizhzhia); None when no Ukrainian name is close enough to be the same name."""
    best: tuple[float, float, str] | None = None
    target = main_name.lower().replace("'", "").replace("’", "")
    for name in names:
        langs = languages(name)
        if not is_cyrillic_name(name) or "uk" not in langs:
            continue
        spelling = ukrainian_national(name)
        ratio = difflib.SequenceMatcher(None, target, spelling.lower()).ratio()
        # A name with a letter only Ukrainian writes (Феодосія) is surely the Ukrainian one;
        # one without (Феодосия) may be Russian read as Ukrainian ("Feodosyia").
        rank = ratio + (UKRAINIAN_LETTER_PREFERENCE if langs == {"uk"} else 0.0)
        if best is None or rank > best[0]:
            best = (rank, ratio, spelling)
    if best is None or best[1] < SAME_NAME_RATIO:
        return None
    return best[2]
