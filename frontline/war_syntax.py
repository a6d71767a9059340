"""War-report syntax: the words around a name that say it is a spot on the ground, and the
ones that say the name is used for something else.

Front-line reports put villages after "near", "west of", "the village of", "in the area of",
"captured" and in lists after them ("near A, B, and C"); spaCy's small model often calls
such names people or organisations, or nothing. The same reports use towns' names for ships
("the landing ship Novocherkassk"), people ("a spokesman, Zaporozhets, said"), rivers' banks
("the west bank of the Dnipro") and directions ("from the South"). These checks read only
the text around a span; the resolver weighs what they say.
"""

from __future__ import annotations

import re

from frontline.text_cues import TITLE_WORDS, word_before

# A compass word on its own is a direction or a sector ("from the South", "the
# North-Slobozhansk direction"), not the Cameroonian region GeoNames has by that name.
COMPASS_WORDS = frozenset(
    {
        "north",
        "south",
        "east",
        "west",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "north east",
        "north west",
        "south east",
        "south west",
        "centre",
        "center",
    }
)

_COMPASS = r"(?:north|south|east|west)(?:[- ]?(?:east|west))?(?:ern)?"
# What a report writes right before a village it places: "near", "west of", "outskirts of",
# "the village of", "in the area of", "in the direction of", "captured", "liberated".
_WAR_LOCATIVE = re.compile(
    r"(?:\bnear|\baround|\boutskirts\s+of|\bvicinity\s+of|\bdirection\s+of|\bareas?\s+of"
    rf"|\b{_COMPASS}\s+of"
    r"|\b(?:village|villages|town|towns|city|settlement|settlements|hamlet|community|"
    r"communities|hromada|hromadas|township|urban-type\s+settlement)\s+of"
    r"|\b(?:captured|liberated|seized|stormed|encircled|retook|recaptured|shelled|entered|"
    r"surrounded|occupied|bombarded|advanced\s+(?:on|to|towards?|into)|"
    r"to\s+(?:storm|capture|take|seize|encircle|surround|enter|liberate|retake)|"
    r"attacked|liberation\s+of|capture\s+of|fall\s+of|assault\s+on|attack\s+on)"
    r")(?:\s+the)?\s*$",
    re.IGNORECASE,
)
# Names right after these are vessels ("the landing ship Novocherkassk", "the cruiser Moskva",
# "submarine Rostov-on-Don"): ships of both navies are named after towns.
_VESSEL_BEFORE = re.compile(
    r"\b(?:ship|ships|cruiser|frigate|corvette|submarine|vessel|tanker|destroyer|warship|"
    r"flagship|tugboat|tug|boat|minesweeper|icebreaker|ferry|freighter|carrier)"
    r"\s*[\"'“‘«]?\s*$",
    re.IGNORECASE,
)
# "the west bank of the Dnipro", "the left bank": a river's bank, not the West Bank.
_RIVER_BANK = re.compile(r"^(?:west|east|left|right)[ \t]+bank$", re.IGNORECASE)
_RIVER_BANK_AFTER = re.compile(r"^\s+of\b|^\s*\(", re.IGNORECASE)
_RIVER_AFTER = re.compile(r"[ \t]+(?:River|river|Reservoir|reservoir)\b")
_RIVER_BEFORE = re.compile(r"\b(?:river|banks?\s+of)(?:\s+the)?\s+$", re.IGNORECASE)
# The names of a list before a name: "near Robotyne, Verbove and " before "Novoprokopivka".
_LIST_BEFORE = re.compile(
    r"(?:[A-Z][\w'’-]*(?:[ -][A-Z][\w'’-]*)*)\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)$"
)
# "officials in Kherson said": a name after these is a place even before a speech verb.
_PLAIN_LOCATIVE = re.compile(r"\b(?:in|at|from|near|over)(?:\s+the)?\s*$", re.IGNORECASE)
# A sentence about fighting on the ground: combat, shelling, the front. In such a sentence
# a village is far likelier near the front line than hundreds of km behind it
# (frontline/front_prior.py). Strikes ("attacked", "struck", "drones") are left out: a
# missile reaches a city far behind the line as readily as a village at it.
_FIGHTING = re.compile(
    r"\b(?:assaults?|assaulted|stormed|storming|advanc(?:e|es|ed|ing)|offensive"
    r"|counter-?offensive|fighting|fought|clash(?:es|ed)?|battles?|combat"
    r"|captur(?:e|ed|ing)|liberat(?:e|ed|ing|ion)|seiz(?:e|ed|ing)|retook|recaptured"
    r"|encircl(?:e|ed|ing|ement)|repel(?:led|ling)?|repulsed|push(?:ed)?\s+back"
    r"|shell(?:s|ed|ing)|artillery|mortars?|MLRS|glide\s+bombs?|guided\s+(?:aerial\s+)?bombs?"
    r"|FPV|front\s?lines?|positions|infiltrat(?:e|ed|ing|ion))\b",
    re.IGNORECASE,
)
_PLURAL_REGION = re.compile(r"[ \t]+(?:regions|oblasts|Oblasts|Regions|provinces|territories)\b")


def is_compass_word(surface: str) -> bool:
    return " ".join(surface.lower().replace("-", " ").split()) in COMPASS_WORDS


def after_war_locative(text: str, start: int) -> bool:
    """The words before ``start`` put a spot on the ground ("near", "west of", "the
    village of", "captured")."""
    return cue_before_list(text, start, _WAR_LOCATIVE, _LIST_BEFORE, window=400, most_items=12)


def cue_before_list(
    text: str,
    start: int,
    cue: re.Pattern[str],
    list_item_before: re.Pattern[str],
    *,
    window: int,
    most_items: int,
) -> bool:
    """``cue`` ends just before ``start``, or before the list whose item ``start`` is:
    "near A, B and C": the names before C, even those no gazetteer knows, are a list."""
    before = text[max(0, start - window) : start]
    for _ in range(most_items):
        if cue.search(before[-60:]) is not None:
            return True
        listed = list_item_before.search(before)
        if listed is None:
            return False
        before = before[: listed.start()]
    return False


def after_plain_locative(text: str, start: int) -> bool:
    return _PLAIN_LOCATIVE.search(text[max(0, start - 20) : start]) is not None


def names_a_vessel(text: str, start: int) -> bool:
    return _VESSEL_BEFORE.search(text[max(0, start - 40) : start]) is not None


def names_a_river(text: str, start: int, end: int) -> bool:
    """ "the Dnipro River", "the river Don", "Kakhovka Reservoir": water, not the town."""
    return (
        _RIVER_AFTER.match(text, end) is not None
        or _RIVER_BEFORE.search(text[max(0, start - 16) : start]) is not None
    )


def names_a_river_bank(text: str, start: int, end: int) -> bool:
    return (
        _RIVER_BANK.match(text[start:end]) is not None
        and _RIVER_BANK_AFTER.match(text[end : end + 8]) is not None
    )


def about_fighting(sentence: str) -> bool:
    """The sentence speaks of fighting on the ground: combat, shelling, the front."""
    return _FIGHTING.search(sentence) is not None


def before_plural_region(text: str, end: int) -> bool:
    """The name ends a list of regions: "in Kyiv, Kharkiv and Odesa regions"."""
    return _PLURAL_REGION.match(text, end) is not None


def unknown_spot(text: str, start: int, end: int, label: str | None) -> bool:
    """A name of one to three capitalised words that war-report syntax puts on the ground
    ("near Robotyne", "the village of Zatyshok"), whatever NER called it but a date."""
    words = text[start:end].split()
    return (
        label not in {"NORP", "LANGUAGE", "DATE", "TIME"}
        and 0 < len(words) <= 3
        and all(word[:1].isupper() for word in words)
        and after_war_locative(text, start)
        and word_before(text, start) not in TITLE_WORDS
    )


def used_for_something_else(text: str, start: int, end: int) -> bool:
    """A compass word, a vessel's name, a river or a river's bank."""
    return (
        is_compass_word(text[start:end])
        or names_a_vessel(text, start)
        or names_a_river(text, start, end)
        or names_a_river_bank(text, start, end)
    )
