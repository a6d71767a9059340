"""Dictionary forms of inflected words, with pymorphy3 and its Ukrainian and Russian dictionaries.

Ukrainian and Russian decline place names: «під Покровськом», «біля Покровська», «в
Покровську» and «под Покровском» all name Pokrovsk. A name is looked up in the gazetteer by
the nominative forms its word may stand for: every analysis pymorphy3 offers (its predictor
guesses words its dictionaries lack, from their endings), each put in the nominative with its
gender and number kept («Малої Токмачки» → «мала токмачка», «Ставків» → «ставки»), and the
dictionary form. The gazetteer decides which of these names a place.

Districts, communities, front sectors and regions are named by adjectives made from a town's
name («Харківської області», «Старосалтівської громади», «на Покровському напрямку») and
regions by nouns in -щина («Харківщина», «Донеччина»). ``towns_behind_adjective`` and
``towns_behind_region_noun`` undo those derivations by rule, giving the town names the
word may come from; again the gazetteer keeps only those that exist.

Where no dictionary form of a Ukrainian name names a place, ``guessed_nominatives`` undoes the
case endings place names take, by rule («Бурлуці» → бурлук, «Часова» → часів, «Шахового» →
шахове), and the gazetteer, not the dictionary, says which guess is a place: pymorphy3's
predictor guesses an unknown word's lemma from common words' endings (Бурлуці → бурлука).

The Ukrainian dictionary lists place names (Іванівка, Золочів, Женева) as nouns without a
proper-name mark, but declines them in the singular only: such a noun is a name, not a common
word like «сили» or «ставки», whose paradigm has plurals (a word with both readings, such as
«Маяк», stays a common word).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from frontline.errors import FrontlineError

# Grammemes of first names, patronymics and surnames.
PERSON_GRAMMEMES = frozenset({"Name", "Patr", "Surn"})
# Grammemes of proper names of any kind.
PROPER_GRAMMEMES = PERSON_GRAMMEMES | {"Geox", "Orgn", "Trad", "Abbr"}
# Parts of speech that never name a place (prepositions, conjunctions, pronouns, verbs...).
_FUNCTION_POS = frozenset(
    {"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "ADVB", "PRED", "VERB", "INFN", "GRND", "COMP"}
)
# How many analyses of a word are turned into candidate names (pymorphy3 ranks them).
MAX_ANALYSES = 8
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'"})

# Adjective endings of town-derived adjectives, by language, longest first:
# Харківський, Донецький, Курський, Грайворонский, Шебекинский.
_ADJECTIVE_SUFFIXES = ("ський", "цький", "зький", "ский", "цкий", "зкий", "ий", "ій", "ый", "ой")
# What a town's name may end in once the adjective's suffix is gone: Харків-ський, Курськ-ий,
# Оде-ський → Одеса, Олександрів-ський → Олександрівка, Шебекин-ский → Шебекино, Лиман-ський.
_TOWN_ENDINGS = ("", "ськ", "цьк", "ск", "цк", "к", "а", "е", "о", "ка", "са", "си", "і", "и")
# A compound adjective's first part stands for an adjective of the town's name:
# Старосалтівська → Старий Салтів, Великобурлуцька → Великий Бурлук, Новоайдарська → Новий Айдар.
_COMPOUND_PREFIXES = {
    "старо": ("старий", "стара", "старе", "старый", "старая", "старое"),
    "велико": ("великий", "велика", "велике", "великая", "великое"),
    "мало": ("малий", "мала", "мале", "малый", "малая", "малое"),
    "ново": ("новий", "нова", "нове", "новый", "новая", "новое"),
    "верхньо": ("верхній", "верхня", "верхнє"),
    "нижньо": ("нижній", "нижня", "нижнє"),
    "верхне": ("верхний", "верхняя", "верхнее"),
    "нижне": ("нижний", "нижняя", "нижнее"),
}
# Consonants that change before the adjective's suffix: Бурлук → бурлуцький, Донецьк stays.
_ALTERNATIONS = {"ц": ("к", "ц"), "ч": ("к", "ц", "т"), "з": ("г", "ж", "з"), "ж": ("г", "ж")}
# Oblique endings of Ukrainian place names and the nominative endings they may stand for; every
# ending that fits is tried, and the gazetteer keeps the guesses that name a place.
_UKRAINIAN_PLACE_ENDINGS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    # Possessive names: Золочів → Золочева, Золочеві; Часів Яр → Часового (Часова) Яру.
    (("ового", "овому", "овим", "овім", "овом", "ова", "ову", "ові"), ("ів",)),
    (("евого", "евому", "евом", "ева", "еві"), ("ів",)),
    (("євого", "євому", "євом", "єва", "єві"), ("їв",)),  # Київ → Києва
    # Adjectival names: Шахове, Сухий Яр → Шахового, Шаховому, Сухим; Велика → Великій.
    (("ого", "ому", "им", "ім"), ("е", "ий")),
    (("ої", "ою"), ("а",)),
    (("ій",), ("а", "ий")),
    # -ка, -га, -ха before -і: Іванівка → Іванівці; Великий Бурлук → Великому Бурлуці; Луг → Лузі.
    (("ці",), ("ка", "к")),
    (("зі",), ("га", "г")),
    (("сі",), ("ха", "х")),
    (("ки", "кою"), ("ка",)),
    (("ку",), ("ка", "к")),
    # Nouns: Покровськ → Покровська, Покровськом, Яр → Яру; Женева → Женеви, Женеві.
    (("а", "ом", "ем"), ("",)),
    (("у", "і"), ("", "а")),
    (("ю",), ("", "я")),
    (("и",), ("а",)),
    # Plural names: Ставки → Ставках, Ставкам, Ставками.
    (("ах", "ам", "ами"), ("и",)),
)
# Shortest stem a guessed nominative keeps (no two-letter names from «Яру», «Оми»).
_MIN_GUESSED_STEM = 2
# Region nouns: Харківщина, Херсонщина, Донеччина, Белгородчина, Одещина.
_REGION_NOUN_SUFFIXES = ("щина", "ччина", "чина")


@dataclass(frozen=True, slots=True)
class WordAnalysis:
    """What the dictionaries say of one word."""

    nominatives: tuple[str, ...]
    # Every analysis is a first name, patronymic or surname (Сергій, Синєгубов).
    person_only: bool
    # Some analysis is a first name (Сергій, Владимир): the word after it is a surname.
    first_name: bool
    # Every analysis is a word that cannot name a place (під, також, повідомив).
    function_word: bool
    # Some analysis is a geographical name in the dictionary (Russian's Geox grammeme).
    geographical: bool
    # Some analysis is an adjective (Харківської, Покровському).
    adjective: bool
    # The adjective analyses' dictionary forms, masculine (харківський).
    adjective_lemmas: tuple[str, ...]
    # The dictionary holds the word, and only as a common word (сили, ставки, високе):
    # capitalised, it may start an organisation's name as well as name a village.
    common_word: bool = False
    # Nominatives guessed by the endings of Ukrainian place names (none for Russian).
    guessed: tuple[str, ...] = ()


class Morphology:
    """pymorphy3 over one language's dictionary, loaded once and shared between threads."""

    _analyzers: ClassVar[dict[str, Any]] = {}
    _lock = threading.Lock()

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.analyzer = self._analyzer(lang)

    @classmethod
    def _analyzer(cls, lang: str) -> Any:
        with cls._lock:
            analyzer = cls._analyzers.get(lang)
            if analyzer is None:
                try:
                    import pymorphy3

                    analyzer = pymorphy3.MorphAnalyzer(lang=lang)
                except (ImportError, ValueError, OSError) as error:
                    raise FrontlineError(
                        f"the {lang} dictionary of pymorphy3 is not installed: "
                        "pip install -r requirements.txt"
                    ) from error
                cls._analyzers[lang] = analyzer
            return analyzer

    def analyse(self, word: str) -> WordAnalysis:
        return _analyse(self.analyzer, self.lang, word.translate(_APOSTROPHES).lower())

    def knows(self, word: str) -> bool:
        """The dictionary holds the word as written (not guessed from its ending)."""
        return bool(self.analyzer.word_is_known(word.translate(_APOSTROPHES).lower()))


@lru_cache(maxsize=50_000)
def _analyse(analyzer: Any, lang: str, word: str) -> WordAnalysis:
    parses = analyzer.parse(word)[:MAX_ANALYSES]
    nominatives: dict[str, None] = {word: None}
    adjective_lemmas: dict[str, None] = {}
    known = bool(analyzer.word_is_known(word))
    for parse in parses:
        tag = parse.tag
        if tag.POS in _FUNCTION_POS:
            continue
        nominative = parse.inflect({"nomn"}) if tag.case and tag.case != "nomn" else None
        if nominative is not None:
            nominatives.setdefault(nominative.word, None)
        nominatives.setdefault(parse.normal_form, None)
        if tag.POS in {"ADJF", "ADJS"}:
            adjective_lemmas.setdefault(parse.normal_form, None)
    return WordAnalysis(
        nominatives=tuple(nominatives),
        person_only=bool(parses) and all(PERSON_GRAMMEMES & p.tag.grammemes for p in parses),
        first_name=any("Name" in p.tag.grammemes for p in parses),
        function_word=bool(parses) and all(p.tag.POS in _FUNCTION_POS for p in parses),
        geographical=any("Geox" in p.tag.grammemes for p in parses),
        adjective=bool(adjective_lemmas),
        adjective_lemmas=tuple(adjective_lemmas),
        common_word=known
        and not any(PROPER_GRAMMEMES & p.tag.grammemes for p in parses)
        # Russian's dictionary marks places (Geox) and numbers every noun.
        and not (lang == "uk" and all(_name_like_noun(p) for p in parses)),
        guessed=tuple(g for g in guessed_nominatives(word) if g not in nominatives)
        if lang == "uk"
        else (),
    )


def _name_like_noun(parse: Any) -> bool:
    """A noun the dictionary declines in one number only, as the Ukrainian dictionary lists a
    place (Іванівка and Золочів in the singular, with no number marked; Іванівці in the
    plural). A word with any other reading (Маяк, a lighthouse) stays a common word."""
    if parse.tag.POS != "NOUN":
        return False
    return len({form.tag.number for form in parse.lexeme}) == 1


def guessed_nominatives(word: str) -> tuple[str, ...]:
    """Nominatives a lower-case Ukrainian word may stand for if it is an inflected place
    name, by rule: бурлуці → бурлука, бурлук; часова → часів; шаховому → шахове, шаховий."""
    found: dict[str, None] = {}
    for endings, nominative_endings in _UKRAINIAN_PLACE_ENDINGS:
        for ending in endings:
            stem = word[: -len(ending)]
            if not word.endswith(ending) or len(stem) < _MIN_GUESSED_STEM:
                continue
            for nominative_ending in nominative_endings:
                found.setdefault(stem + nominative_ending, None)
    found.pop(word, None)
    return tuple(found)


def towns_behind_adjective(lemma: str) -> tuple[str, ...]:
    """Town names an adjective's dictionary form may be made from, by rule:
    харківський → харків; курський → курськ; одеський → одеса; старосалтівський →
    старий салтів; великобурлуцький → великий бурлук. Most are no town at all: the
    gazetteer keeps those that are."""
    found: dict[str, None] = {}
    for suffix in _ADJECTIVE_SUFFIXES:
        if not lemma.endswith(suffix) or len(lemma) - len(suffix) < 3:
            continue
        stem = lemma[: -len(suffix)]
        for variant in _stem_variants(stem):
            for ending in _TOWN_ENDINGS:
                found.setdefault(variant + ending, None)
                for prefix, adjectives in _COMPOUND_PREFIXES.items():
                    rest = variant + ending
                    if rest.startswith(prefix) and len(rest) > len(prefix) + 2:
                        for adjective in adjectives:
                            found.setdefault(f"{adjective} {rest[len(prefix) :]}", None)
    return tuple(found)


def towns_behind_region_noun(lemma: str) -> tuple[str, ...]:
    """Town names a region noun in -щина may be made from: харківщина → харків; донеччина
    → донецьк; одещина → одеса; белгородчина → белгород."""
    found: dict[str, None] = {}
    for suffix in _REGION_NOUN_SUFFIXES:
        if not lemma.endswith(suffix) or len(lemma) - len(suffix) < 3:
            continue
        stem = lemma[: -len(suffix)]
        for variant in (stem, *_stem_variants(stem + "ц"), *_stem_variants(stem)):
            for ending in _TOWN_ENDINGS:
                found.setdefault(variant + ending, None)
    return tuple(found)


def _stem_variants(stem: str) -> Iterable[str]:
    yield stem
    last = stem[-1:]
    for replacement in _ALTERNATIONS.get(last, ()):
        if replacement != last:
            yield stem[:-1] + replacement
