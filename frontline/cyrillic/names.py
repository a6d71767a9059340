"""Countries by their Ukrainian and Russian names, and the abbreviations news writes for them.

GeoNames' country rows carry no Cyrillic names, so they come from the Unicode CLDR's territory
names as Babel ships them (Україна, Росія, Сполучені Штати; Украина, Россия, Соединенные
Штаты). CLDR lacks the abbreviations every report uses; the few below are written out as the
English name the gazetteer already knows. The self-declared «ДНР»/«ЛНР» are read as the oblasts
they claim, as the development set's annotation rules say.
"""

from __future__ import annotations

from functools import lru_cache

from frontline.names import normalize_name

# Abbreviations that spell a country's or region's name (ЗСУ, ВСУ, ЗМІ are not among them).
ABBREVIATIONS: dict[str, str] = {
    "РФ": "Russia",
    "США": "United States",
    "ЄС": "European Union",
    "ЕС": "European Union",
    "КНР": "China",
    "КНДР": "North Korea",
    "ОАЕ": "United Arab Emirates",
    "ОАЭ": "United Arab Emirates",
    "ФРН": "Germany",
    "ФРГ": "Germany",
    "ДНР": "Donetsk Oblast",
    "ЛНР": "Luhansk Oblast",
}


@lru_cache(maxsize=1)
def country_codes_by_key() -> dict[str, str]:
    """Normalised Ukrainian and Russian country names -> ISO 3166 alpha-2 code."""
    from babel import Locale

    found: dict[str, str] = {}
    for lang in ("uk", "ru"):
        for code, name in Locale(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                found.setdefault(normalize_name(name), code)
    return found


def abbreviation_target(word: str) -> str | None:
    """The English name an abbreviation spells (РФ -> Russia), or None."""
    return ABBREVIATIONS.get(word.upper()) if word.isupper() else None
