"""War-report syntax in Ukrainian and Russian: the words around a name that say what it is.

As in English (frontline/war_syntax.py), reports put villages after "near", "in the area of"
and "the village of" and in lists after them: «поблизу населених пунктів Ялта, Орестопіль та
Рибне», «в районах Серебрянки, Григорівки та Дронівки», «в селе Безымено», «освобожден
населенный пункт Отрадное». A lower-case noun after an adjective makes a region, district,
community or front sector of a town's name («Донецької області», «Старосалтівської громади»,
«на Покровському напрямку»). Words are compared in lower case, so each list holds the forms
reports write.
"""

from __future__ import annotations

import re

from frontline.war_syntax import cue_before_list

# Words (any case form) after which a name is a spot on the ground.
_LOCATIVE_WORDS = (
    # Ukrainian
    r"біля|поблизу|під|довкола|навколо|поруч\s+із|поряд\s+із|між|околиц\w*|"
    r"(?:в|у)\s+район\w*|район\w*\s+населен\w+\s+пункт\w*|(?:в|у)\s+напрямку|(?:в|у)\s+бік|"
    r"населен\w+\s+пункт\w*|село|села|селі|селу|селом|сіл|селище|селища|селищі|селищем|"
    r"місто|міста|місті|містом|містах|смт|м\.|с\.|с-ще|"
    r"північніше|південніше|західніше|східніше|північно-західніше|північно-східніше|"
    r"південно-західніше|південно-східніше|"
    r"звільн\w+|окупува\w+|зайня\w+|захопи\w+|захопленн\w+|штурму\w+|атакува\w+|"
    r"обстріля\w+|обстрілю\w+|перебували|"
    # Russian
    r"возле|вблизи|близ|под|около|между|окрестност\w+|"
    r"(?:в|во)\s+направлении|(?:в|во)\s+сторону|в\s+районе|в\s+районах|"
    r"населенн\w+\s+пункт\w*|селе|деревн\w+|посел\w+|посёл\w+|город|города|городе|городом|"
    r"г\.|пгт|"
    r"севернее|южнее|западнее|восточнее|северо-западнее|северо-восточнее|юго-западнее|"
    r"юго-восточнее|"
    r"освобо\w+|захвач\w+|заня\w+|штурм\w*|атакова\w+|обстреля\w+|обстрелива\w+|оказались"
)
_WAR_LOCATIVE = re.compile(
    rf"(?:^|[\s(«\"“„])(?:{_LOCATIVE_WORDS})\s*(?:[«\"“„]\s*)?$", re.IGNORECASE
)
# The names of a list before a name: "Ямпіль, Новоселівку, " or "Покровська та ".
_LIST_BEFORE = re.compile(
    r"[А-ЯІЇЄҐЁA-Z][\w'’ʼ-]*(?:\s+[А-ЯІЇЄҐЁA-Z][\w'’ʼ-]*)*"
    r"\s*(?:,\s*(?:(?:та|і|й|и|а\s+також|а\s+также|або|или)\s+)?|\s+(?:та|і|й|и|або|или)\s+)$"
)
# A name right after these is a place: "в", "на", "із" ... (not a war report's own words).
_PLAIN_LOCATIVE = re.compile(
    r"(?:^|\s)(?:в|у|во|на|з|із|зі|до|від|над|из|от|к|ко|через|по)\s+$", re.IGNORECASE
)
# A sentence about fighting on the ground (frontline/front_prior.py weighs its namesakes
# against the front line), as war_syntax._FIGHTING for English: strikes («атакували»,
# «удар») are left out, a missile reaches a city far behind the line.
_FIGHTING = re.compile(
    r"(?:^|[^\w])(?:"
    # Ukrainian
    r"бо[їйю]\w*|штурм\w*|наступ(?:у|ом|і|и|ів)?(?!\w)|наступа\w*|контрнаступ\w*|обстріл\w*|артилері\w*|мінометн\w*|"
    r"позиці\w*|фронт\w*|просуну\w*|оточ\w*|звільн\w*|захопи\w*|відбил\w*|КАБ\w*|"
    # Russian
    r"бо[иеёя]\w*|обстрел\w*|артиллери\w*|миномет\w*|позици\w*|продвину\w*|"
    r"продвига\w*|окруж\w*|освобо\w*|захват\w*|отбил\w*|FPV"
    r")",
    re.IGNORECASE,
)
# Gaps that join a list: ", ", " та ", ", а також ", " и ".
LIST_GAP = re.compile(
    r"^\s*(?:,\s*(?:(?:та|і|й|и|а\s+також|а\s+также|або|или)\s+)?|\s*(?:та|і|й|и|або|или)\s+|"
    r"\s*[–—-]\s*)$"
)
# Gaps before a qualifier: "Новопавлівка Донецької області", "Суджа в Курській області",
# "Покровськ на Донеччині", "Шестакове Старосалтівської громади", "Локоть Рыльского района".
QUALIFIER_GAP = re.compile(r"^(?:\s*,)?\s+(?:(?:в|у|на|во)\s+)?$", re.IGNORECASE)
# A country qualifies a place in brackets or after a comma or a preposition: «Іванівка
# (Росія)», «Тьоткіно в Росії» («frontline.links.written_as_qualifier» reads what follows).
COUNTRY_QUALIFIER_GAP = re.compile(r"^(?:\s*,)?\s+(?:(?:в|у|на|во)\s+)?$|^\s*\(\s*$", re.I)
PREPOSITION_OF_PLACE = re.compile(r"(?<!\w)(?:в|у|на|во)(?!\w)", re.IGNORECASE)
# Village words right before a name («с. Рубіжне», «у селі Шестакове», «в селе»), not
# «селище» (an urban-type settlement may be a town of tens of thousands).
_VILLAGE_BEFORE = re.compile(
    r"(?:^|[\s(])(?:село|села|селі|селу|селом|с\.|селе|деревн\w+)\s*[«\"“„]?\s*$", re.IGNORECASE
)

# Lower-case nouns that finish a name made of an adjective, by what the whole names.
REGION_NOUNS = frozenset(
    {"область", "край", "республіка", "республика", "автономна", "губернія", "губерния"}
)
DISTRICT_NOUNS = frozenset(
    {"район", "громада", "округ", "муніципалітет", "тергромада", "отг", "сільрада", "волость"}
)
SECTOR_NOUNS = frozenset({"напрямок", "направление", "напрям", "вісь", "фронт"})
# Lower-case nouns that may end a multi-word name of a sea, landmark or region.
NAME_HEAD_NOUNS = frozenset(
    {
        "море",
        "моря",
        "дім",
        "дом",
        "кабінет",
        "кабинет",
        "озеро",
        "затока",
        "залив",
        "протока",
        "пролив",
        "острів",
        "остров",
        "півострів",
        "полуостров",
        "водосховище",
        "водохранилище",
        "міст",
        "мост",
    }
)
HEAD_NOUNS = REGION_NOUNS | DISTRICT_NOUNS | SECTOR_NOUNS | NAME_HEAD_NOUNS
# Words before a name that make it a facility's, a street's or a river's («шахты Центральная»,
# «вулиці Харківській», «через річку Сіверський Донець»): no settlement of that name.
FACILITY_BEFORE = re.compile(
    r"(?:^|\s)(?:шахт\w*|завод\w*|станці\w*|станци\w*|вулиц\w*|улиц\w*|проспект\w*|"
    r"площ\w*|бульвар\w*|аеропорт\w*|аэропорт\w*|річк\w*|рек[аиеу]\w*|лісництв\w*|"
    r"лесничеств\w*|урочищ\w*|ТЦ|ТРЦ|ТЕЦ|ТЭЦ|ГЕС|ГЭС|АЕС|АЭС)\s*[«\"“„]?\s*"
    # The words of the facility's name before this one («річку Сіверський Донець»).
    r"(?-i:[А-ЯІЇЄҐЁ][\w'’ʼ-]*\s+){0,2}$",
    re.IGNORECASE,
)


def names_a_facility(text: str, start: int) -> bool:
    return FACILITY_BEFORE.search(text[max(0, start - 60) : start]) is not None


SPEECH_VERBS = re.compile(
    r"^(?:сказа\w*|заяви\w*|повідоми\w*|розпові\w*|зазначи\w*|дода\w*|наголоси\w*|"
    r"написа\w*|уточни\w*|сообщи\w*|заяви\w*|отмети\w*|рассказа\w*|добави\w*|подчеркну\w*|"
    r"доложи\w*|признал\w*|пише|пишет|каже|говорит)$",
    re.IGNORECASE,
)


def after_war_locative(text: str, start: int) -> bool:
    """The words before ``start`` put a spot on the ground, directly or through a list."""
    return cue_before_list(text, start, _WAR_LOCATIVE, _LIST_BEFORE, window=600, most_items=40)


def after_village_word(text: str, start: int) -> bool:
    return _VILLAGE_BEFORE.search(text[max(0, start - 40) : start]) is not None


def after_plain_locative(text: str, start: int) -> bool:
    return _PLAIN_LOCATIVE.search(text[max(0, start - 12) : start]) is not None


def about_fighting(sentence: str) -> bool:
    """The sentence speaks of fighting on the ground: combat, shelling, the front."""
    return _FIGHTING.search(sentence) is not None
