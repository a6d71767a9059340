"""The words around a span that tell what it names: a title before it ("President Jackson"),
a speech verb after it ("Jackson said"), a locative word ("in Kharkiv"), a front sector
("the Pokrovsk direction"), and the small words that join or end a name.

The recogniser records these cues on each toponym; the resolver weighs them.
"""

from __future__ import annotations

import re

WORD = re.compile(r"\S+")
LEADING_PUNCTUATION = "\"'“‘([{«—–-"
TRAILING_PUNCTUATION = "\"'”’)]}».,;:!?…—–-"

TITLE_WORDS = {
    "president",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "lady",
    "lord",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "general",
    "gen",
    "colonel",
    "col",
    "major",
    "captain",
    "capt",
    "sergeant",
    "senator",
    "sen",
    "governor",
    "gov",
    "mayor",
    "minister",
    "chancellor",
    "secretary",
    "ambassador",
    "judge",
    "justice",
    "officer",
    "commander",
    "admiral",
    "lieutenant",
    "lt",
    "rep",
    "representative",
    "saint",
    "st",
    "bishop",
    "rabbi",
    "imam",
    "professor",
    "prof",
    "coach",
    "chairman",
    "director",
    "spokesman",
    "spokeswoman",
}
SPEECH_VERBS = {
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "adds",
    "argued",
    "argues",
    "wrote",
    "writes",
    "stated",
    "states",
    "asked",
    "asks",
    "insisted",
    "warned",
    "warns",
    "noted",
    "notes",
    "explained",
    "replied",
    "claimed",
    "claims",
    "admitted",
    "believes",
    "thinks",
    "tweeted",
    "posted",
    "announced",
    "recalled",
    "joked",
}
# Lower-case words that may sit inside a multi-word place name.
NAME_CONNECTORS = {"of", "de", "del", "da", "do", "la", "le", "el", "al", "upon", "on", "am"}
# A final word that says what kind of place the words before it name.
ADMIN_SUFFIXES = {
    "region",
    "oblast",
    "province",
    "krai",
    "kray",
    "governorate",
    "state",
    "republic",
    "county",
    "district",
    "raion",
    "prefecture",
    "territory",
}
CITY_SUFFIXES = {"city", "town", "village"}
# Small words that open a sentence capitalised without being part of the name after them
# ("In Kharkiv, ...", "From Odesa, ...").
FUNCTION_WORDS = {
    "in",
    "on",
    "at",
    "from",
    "to",
    "for",
    "by",
    "with",
    "near",
    "after",
    "before",
    "but",
    "and",
    "or",
    "the",
    "a",
    "an",
    "as",
    "if",
    "when",
    "while",
    "of",
    "into",
    "across",
}

# Words that put what follows in a place: "in Kharkiv", "near Pokrovsk", "the port of Odesa".
# spaCy's small model often calls unfamiliar Ukrainian names people or organisations.
LOCATIVE_WORDS = {
    "in",
    "near",
    "outside",
    "around",
    "across",
    "toward",
    "towards",
    "inside",
    "throughout",
    "nearby",
    "into",
    "over",
}
LOCATIVE_NOUNS = {
    "city",
    "town",
    "village",
    "port",
    "region",
    "oblast",
    "province",
    "outskirts",
    "suburbs",
    "centre",
    "center",
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
}


def word_before(text: str, start: int) -> str:
    words = WORD.findall(text, max(0, start - 40), start)
    return words[-1].strip(TRAILING_PUNCTUATION + LEADING_PUNCTUATION).lower() if words else ""


def after_locative(text: str, start: int) -> bool:
    words = [
        word.strip(TRAILING_PUNCTUATION + LEADING_PUNCTUATION).lower()
        for word in WORD.findall(text, max(0, start - 40), start)
    ]
    if not words:
        return False
    if words[-1] in LOCATIVE_WORDS:
        return True
    return len(words) >= 2 and words[-1] == "of" and words[-2] in LOCATIVE_NOUNS


# War reporting names a front's sectors after towns: "the Pokrovsk direction", "the
# Kupyansk and Lyman directions", "the Kurakhove axis". NER then calls the town a region.
_FRONT_SECTOR = re.compile(
    r"^(?:\s+(?:and|or)\s+[A-Z][\w'’-]*)*\s+(?:directions?|axis|axes|sectors?|fronts?)\b"
)


def names_front_sector(text: str, end: int) -> bool:
    return _FRONT_SECTOR.match(text[end : end + 80]) is not None


def word_after(text: str, end: int) -> str:
    """The next word, past a comma on its own ("a spokesman, Zaporozhets, said")."""
    for match in WORD.finditer(text, end, min(len(text), end + 40)):
        word = match.group().strip(TRAILING_PUNCTUATION + LEADING_PUNCTUATION).lower()
        if word:
            return word
        if match.group() != ",":
            return ""
    return ""
