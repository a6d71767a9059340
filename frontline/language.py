"""Which language an article is written in, and whether frontline reads it.

English, Ukrainian and Russian are geoparsed; any other language is refused in plain words.
Detection is Google's Compact Language Detector 2 (``pycld2``): a C library that reads a
1,000-word article in under a millisecond with no model to load, so English articles pay
nothing measurable for the step. (lingua-language-detector was measured too: a 96 MB wheel,
0.24 s to build a detector for 15 languages in its low-accuracy mode and 15 ms per article;
both gave the same answers on the test texts.)

CLD2 also says how much of the text each language takes, so an English report that quotes
Ukrainian names stays English. A text too short or too odd for CLD2 to be sure of is judged
by its script: mostly Cyrillic letters make it Ukrainian or Russian by the letters only one
of them writes, anything else is taken as English (a headline such as "Shelling hit
Kupyansk." is never refused).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUPPORTED: dict[str, str] = {"en": "English", "uk": "Ukrainian", "ru": "Russian"}
CYRILLIC_LANGUAGES = frozenset({"uk", "ru"})
# CLD2 looks at this many characters at most: an article's language is settled long before.
MAX_CHARACTERS = 20_000
# Below this many letters CLD2 guesses: a headline is judged by its letters instead.
MIN_DETECTOR_LETTERS = 60
# Cyrillic text shorter than this that CLD2 calls another Cyrillic language is judged by its
# letters ("Бои под Покровском." came out Serbian, reliable).
MIN_CYRILLIC_DETECTOR_LETTERS = 150
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]")
_UKRAINIAN_LETTERS = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN_LETTERS = re.compile(r"[ыэъёЫЭЪЁ]")
# Ukrainian writes і in nearly every line (one letter in twenty); this many Cyrillic letters
# with neither language's own letters are Russian («Армия России продвигается в
# Константиновке», which CLD2 calls unknown).
MIN_LETTERS_WITHOUT_UKRAINIAN = 40
# CLD2 refuses text with C0 control characters and lone surrogates.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Letters of Cyrillic alphabets other than Ukrainian's and Russian's.
_OTHER_CYRILLIC = (
    (re.compile(r"[ўЎ]"), "be", "Belarusian"),
    (re.compile(r"[ђјљњћџЂЈЉЊЋЏ]"), "sr", "Serbian"),
    (re.compile(r"[ѓќѕЃЌЅ]"), "mk", "Macedonian"),
    (re.compile(r"[әғқңөұүһӘҒҚҢӨҰҮҺ]"), "kk", "Kazakh"),
)


@dataclass(frozen=True, slots=True)
class Language:
    """An article's language: ISO 639-1 code, English name, and whether it is geoparsed."""

    code: str
    name: str
    supported: bool
    # How the language was told: "detector" (CLD2, reliable) or "script" (the letters).
    method: str = "detector"

    @property
    def cyrillic(self) -> bool:
        return self.code in CYRILLIC_LANGUAGES

    def unsupported_message(self) -> str:
        readable = ", ".join(SUPPORTED.values())
        return (
            f"this article is in {self.name}, which frontline does not read yet "
            f"(it geoparses {readable})"
        )


ENGLISH = Language("en", "English", True, "script")


def detect_language(text: str) -> Language:
    sample = _UNSAFE.sub(" ", text[:MAX_CHARACTERS])
    letters = len(_LETTER.findall(sample))
    if letters >= MIN_DETECTOR_LETTERS:
        detected = _cld2(sample)
        short_cyrillic = letters < MIN_CYRILLIC_DETECTOR_LETTERS and _CYRILLIC_LETTER.search(sample)
        if detected is not None and (detected.supported or not short_cyrillic):
            return detected
    return _by_script(sample)


def _cld2(sample: str) -> Language | None:
    import pycld2

    try:
        reliable, _, languages = pycld2.detect(sample)
    except pycld2.error:
        return None
    name, code, percent, _ = languages[0]
    if not reliable or code in {"un", "xxx"} or percent == 0:
        return None
    if code in SUPPORTED:
        return Language(code, SUPPORTED[code], True)
    # English quoting a few foreign words, or a foreign text quoting English: the text's
    # main language decides, but a supported language that takes a third of it is read.
    for _, other_code, other_percent, _ in languages[1:]:
        if other_code in SUPPORTED and other_percent >= 33:
            return Language(other_code, SUPPORTED[other_code], True)
    return Language(code, name.title(), False)


def _by_script(sample: str) -> Language:
    letters = len(_LETTER.findall(sample))
    cyrillic = len(_CYRILLIC_LETTER.findall(sample))
    if not letters or cyrillic * 2 < letters:
        return ENGLISH
    for letters_of, code, name in _OTHER_CYRILLIC:
        if letters_of.search(sample):
            return Language(code, name, False, "script")
    ukrainian = len(_UKRAINIAN_LETTERS.findall(sample))
    russian = len(_RUSSIAN_LETTERS.findall(sample))
    if russian != ukrainian:
        code = "ru" if russian > ukrainian else "uk"
    elif not ukrainian and cyrillic >= MIN_LETTERS_WITHOUT_UKRAINIAN:
        code = "ru"
    else:
        # No letter tells them apart ("Бои под Покровском"): CLD2's ranking of the two does.
        code = _cld2_choice(sample, ("uk", "ru")) or "uk"
    return Language(code, SUPPORTED[code], True, "script")


def _cld2_choice(sample: str, codes: tuple[str, ...]) -> str | None:
    import pycld2

    try:
        _, _, languages = pycld2.detect(sample, bestEffort=True)
    except pycld2.error:
        return None
    return next((code for _, code, _, _ in languages if code in codes), None)
