"""Name keys: how a place name is folded for look-up, and the kinds of name a gazetteer holds.

Shared by the index's builder (``gazetteer_build``) and its reader (``gazetteer``), so that
both fold a name the same way.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from unidecode import unidecode

from frontline import romanise

NameKind = Literal["name", "alternate", "abbreviation", "demonym"]
KIND_CODES: dict[NameKind, int] = {"name": 0, "alternate": 1, "abbreviation": 2, "demonym": 3}
KIND_NAMES: dict[int, NameKind] = {code: kind for kind, code in KIND_CODES.items()}

APOSTROPHES = re.compile(r"['’ʼ‘`´ʹ]")
# Periods inside initialisms vanish ("D.C." is "DC", "U.S." is "US").
_INITIALISM_PERIODS = re.compile(r"(?<=\b\w)\.(?=\w\b)|(?<=\b\w)\.$")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_/.,]+")
# Romanisations of Ukrainian and Russian names disagree on these letters
# (Kupiansk/Kupyansk, Kostiantynivka/Kostyantynivka, Kharkiv/Charkiw): folding them lets
# a spelling that GeoNames does not list still find its place, at a lower score.
_FOLDS = (
    ("kh", "h"),
    ("ch", "c"),
    ("zh", "z"),
    ("sh", "s"),
    ("ts", "c"),
    ("tz", "c"),
    ("ya", "ia"),
    ("yu", "iu"),
    ("ye", "ie"),
    ("yi", "i"),
    ("iy", "i"),
    ("ij", "i"),
    ("y", "i"),
    ("j", "i"),
    ("w", "v"),
    ("ii", "i"),
)
_DOUBLE_LETTERS = re.compile(r"([a-z])\1+")


_COMBINING_MARKS = re.compile("[\u0300-\u036f]")


def normalize_name(name: str) -> str:
    """Lookup key: accents, case, apostrophes and punctuation folded away.

    A name in Cyrillic keeps its script («Покровськ» -> "покровськ", ё as е, stress marks
    dropped), so that texts in Ukrainian and Russian can look names up as written; every
    other script is transliterated to ASCII.

    >>> normalize_name("Kup'yans'k") == normalize_name("Kupyansk")
    True
    >>> normalize_name("Артёмовск")
    'артемовск'
    """
    without_apostrophes = APOSTROPHES.sub("", name)
    if romanise.has_cyrillic(without_apostrophes):
        lowered = unicodedata.normalize("NFD", without_apostrophes.lower())
        cyrillic = unicodedata.normalize("NFC", _COMBINING_MARKS.sub("", lowered))
        return _SEPARATORS.sub(" ", cyrillic.replace("ё", "е")).strip()
    return latin_key(without_apostrophes)


def latin_key(name: str) -> str:
    """``normalize_name`` with every script, Cyrillic too, transliterated to ASCII."""
    without_apostrophes = APOSTROPHES.sub("", name)
    ascii_text = unidecode(unicodedata.normalize("NFC", without_apostrophes))
    ascii_text = _INITIALISM_PERIODS.sub("", APOSTROPHES.sub("", ascii_text))
    return _SEPARATORS.sub(" ", ascii_text.lower()).strip()


def fold_name(key: str) -> str:
    """A coarser key over romanisation variants, used only when the exact key finds nothing."""
    folded = key.replace(" ", "")
    for old, new in _FOLDS:
        folded = folded.replace(old, new)
    return _DOUBLE_LETTERS.sub(r"\1", folded)


def is_latin(name: str) -> bool:
    return all(ord(char) < 0x250 or char in "’ʼ‘" for char in name)


def is_abbreviation(name: str) -> bool:
    letters = [char for char in name if char.isalpha()]
    return 1 < len(letters) <= 5 and all(char.isupper() for char in letters)
