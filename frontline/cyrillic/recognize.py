"""Toponym recognition in Ukrainian and Russian: the same ``Toponym`` values as for English.

Words are found with one pattern (a word keeps its apostrophe and its hyphens: «Куп’янськ»,
«Олександро-Шультиного»; razdel splits the first and spaCy's Ukrainian tokeniser the second).
Every capitalised word, and every run of up to three, is looked up by the nominative forms it
may stand for (cyrillic/morphology.py) in the curated landmark and sea lists, the countries'
Cyrillic names, the gazetteer's Cyrillic names and, failing those, the gazetteer's Latin names
through the language's romanisation (Дробишеве → Drobysheve, which GeoNames lists only under
its Russian Cyrillic name). An adjective before «області», «краю» or «Народної Республіки»
names the region of the town it is made from; before «району», «громади» or «округу» the
district, which qualifies the name before it; before «напрямку» the front sector, which is
only a further mention of a town the text names.

Russian texts also get natasha's NER labels; Ukrainian ones none, so a name stands only when
its own form says it is a place («Донецької області», «місто Суджа», a country's name), or
with support from the resolver (war-report patterns, neighbours, lists), as English names that
NER missed do. A first name and the capitalised word after it are a person, never looked up.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from frontline import romanise
from frontline.cyrillic import names as cyrillic_names
from frontline.cyrillic import syntax
from frontline.cyrillic.linking import link
from frontline.cyrillic.morphology import (
    Morphology,
    WordAnalysis,
    towns_behind_adjective,
    towns_behind_region_noun,
)
from frontline.evidence import mention_evidence
from frontline.gazetteer import Gazetteer, NameMatch, fold_name, normalize_name
from frontline.limits import UNBOUNDED, GeoparseBudget
from frontline.model import Article, Candidate, Mention
from frontline.names import latin_key
from frontline.recognize import Toponym

_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ`-][^\W\d_]+)*")
# Longest name tried, in words ("Донецької Народної Республіки", "Олександро-Шультине").
MAX_NAME_WORDS = 3
# Nominative strings tried per name (the product of its words' forms is cut here).
MAX_FORMS = 24
# A capitalised dictionary word that names a town this large is that town's name (the
# Ukrainian dictionary holds Женева and Одеса as it holds сила and ставки, unmarked).
COMMON_WORD_TOWN_POPULATION = 50_000
# Sentences handed to the Russian NER at once.
NER_CHUNK_CHARACTERS = 4_000


@dataclass(frozen=True, slots=True)
class _Word:
    start: int
    end: int
    text: str
    analysis: WordAnalysis

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


@dataclass(frozen=True, slots=True)
class _Found:
    """A name found in the text, before it becomes a Toponym."""

    start: int
    end: int
    matches: tuple[NameMatch, ...]
    # "place": a place in its own right; "region": a region named with its region word;
    # "district": a district or community (qualifies a neighbour, no pin of its own);
    # "sector": a front sector (a further mention of its town, no pin of its own).
    role: str = "place"
    by_form: bool = False
    # The nominative form that matched: all inflections of a name are one name.
    form: str | None = None


class CyrillicRecognizer:
    """Recognition for one language ("uk" or "ru") over a gazetteer."""

    def __init__(
        self,
        lang: str,
        gazetteer: Gazetteer,
        *,
        landmarks: Mapping[str, tuple[Candidate, ...]] | None = None,
        areas: Mapping[str, tuple[Candidate, ...]] | None = None,
        ner: Any = None,
    ) -> None:
        self.lang = lang
        self.gazetteer = gazetteer
        self.landmarks = dict(landmarks or {})
        self.areas = dict(areas or {})
        self.morphology = Morphology(lang)
        if ner is None and lang == "ru":
            from frontline.cyrillic.ner import RussianNer

            ner = RussianNer()
        self.ner = ner
        self._memo: dict[str, tuple[NameMatch, ...]] = {}

    # -- look-up ---------------------------------------------------------------------------

    def _lookup_form(self, form: str) -> tuple[NameMatch, ...]:
        """Matches for one nominative string, memoised across texts."""
        cached = self._memo.get(form)
        if cached is not None:
            return cached
        key = normalize_name(form)
        curated = self.landmarks.get(key) or self.areas.get(key)
        if curated:
            found: tuple[NameMatch, ...] = tuple(NameMatch(c, "name") for c in curated)
            self._memo[form] = found
            return found
        else:
            code = cyrillic_names.country_codes_by_key().get(key)
            country = self.gazetteer.country(code) if code else None
            if country is not None:
                found = (NameMatch(country, "name"),)
            else:
                found = tuple(
                    self._as_main_name(form, m)
                    for m in self.gazetteer.candidates(form)
                    if not m.folded
                ) or self._romanised(form)
        if len(self._memo) > 200_000:
            self._memo.clear()
        self._memo[form] = found
        return found

    def _spellings(self, form: str) -> tuple[str, ...]:
        """The form in the Latin spellings of the text's language."""
        if self.lang == "uk" and "uk" in romanise.languages(form):
            return (romanise.ukrainian_national(form.title()),)
        if self.lang == "ru" and "ru" in romanise.languages(form):
            return tuple(dict.fromkeys(romanise.russian_spellings(form.title())))
        return ()

    def _as_main_name(self, form: str, match: NameMatch) -> NameMatch:
        """A Cyrillic name that GeoNames' main name romanises (Орестопіль, Orestopil) is the
        place's own name written in its own script, not an alternate or a former name."""
        if match.kind != "alternate":
            return match
        main = fold_name(latin_key(match.candidate.name))
        if any(fold_name(latin_key(spelling)) == main for spelling in self._spellings(form)):
            return NameMatch(match.candidate, "name", match.folded)
        return match

    def _romanised(self, form: str) -> tuple[NameMatch, ...]:
        """The gazetteer's Latin names through the text's romanisation (Дробишеве ->
        Drobysheve): GeoNames often lists a Ukrainian village under its Russian name only."""
        for spelling in self._spellings(form):
            matches = tuple(
                NameMatch(m.candidate, m.kind, True)
                for m in self.gazetteer.candidates(spelling)
                if m.candidate.feature in {"city", "admin"} and not m.folded
            )
            if matches:
                return matches
        return ()

    def _lookup(self, forms: Sequence[str]) -> tuple[str | None, tuple[NameMatch, ...]]:
        """What all the forms name («Покровська»: the adjective's «покровська» and the
        noun's «покровськ»; the resolver chooses), and the form that names the most
        populous of them, by which every case form of the name is one name."""
        found: dict[str, NameMatch] = {}
        best: tuple[int, str] | None = None
        for form in forms:
            for match in self._lookup_form(form):
                found.setdefault(match.candidate.key, match)
                if best is None or match.candidate.population > best[0]:
                    best = (match.candidate.population, form)
        return (best[1] if best else None), tuple(found.values())

    def _towns(self, forms: Sequence[str]) -> tuple[NameMatch, ...]:
        found: dict[str, NameMatch] = {}
        for form in forms:
            for match in self._lookup_form(form):
                if match.candidate.feature == "city" and not match.folded:
                    found.setdefault(match.candidate.key, match)
        return tuple(found.values())

    def _regions_of_towns(self, towns: Sequence[NameMatch]) -> tuple[NameMatch, ...]:
        """First-level regions named after these towns (Kharkiv -> Kharkiv Oblast)."""
        regions: dict[str, NameMatch] = {}
        for match in towns:
            town = match.candidate
            if not town.admin1_code:
                continue
            region = self.gazetteer.region(town.admin1_code)
            if region is not None and normalize_name(region.name).startswith(
                normalize_name(town.name) + " "
            ):
                regions.setdefault(region.key, NameMatch(region, "name"))
        return tuple(regions.values())

    # -- words -----------------------------------------------------------------------------

    def _words(self, text: str) -> list[_Word]:
        return [
            _Word(m.start(), m.end(), m.group(), self.morphology.analyse(m.group()))
            for m in _WORD.finditer(text)
        ]

    @staticmethod
    def _forms(words: Sequence[_Word], *, guessed: bool = False) -> list[str]:
        """Nominative strings for a run of words: each word's forms, combined in order;
        with ``guessed``, the forms its place-name endings give first (Великому Бурлуці →
        великий бурлук, which the dictionary's forms miss)."""
        options = [
            (*w.analysis.guessed, *w.analysis.nominatives) if guessed else w.analysis.nominatives
            for w in words
        ]
        forms = [
            " ".join(combo) for combo in itertools.islice(itertools.product(*options), MAX_FORMS)
        ]
        return forms

    def _name_at(self, text: str, words: Sequence[_Word], index: int) -> tuple[_Found, int] | None:
        """The longest name that starts at ``words[index]`` and the index after it."""
        first = words[index]
        abbreviation = cyrillic_names.abbreviation_target(first.text)
        if abbreviation is not None:
            matches = self.gazetteer.candidates(abbreviation, kinds=("name", "alternate"))
            wanted = tuple(m for m in matches if m.candidate.feature in {"country", "admin"})
            if wanted:
                return _Found(
                    first.start, first.end, wanted, by_form=True, form=first.text
                ), index + 1
            return None
        if first.text.isupper() and len(first.text) <= 5:
            return None  # ЗСУ, ВСУ, ОВА: organisations, not places
        run = [first]
        for following in words[index + 1 : index + MAX_NAME_WORDS]:
            gap = text[run[-1].end : following.start]
            if gap != " ":
                break
            run.append(following)
        for length in range(len(run), 0, -1):
            part = run[:length]
            last = part[-1]
            head_noun = set(last.analysis.nominatives) & syntax.HEAD_NOUNS
            if length > 1 and (not last.capitalised or head_noun):
                found = self._with_head_noun(part)
                if found is not None:
                    return found, index + length
                continue
            if any(not w.capitalised for w in part):
                continue
            if (
                length == 1
                and len(run) > 1
                and first.analysis.adjective
                and run[1].capitalised
                and not run[1].analysis.adjective
            ):
                # «Малих Щербаків»: an adjective that opens a longer name is no name alone
                # (Малі is Mali in Ukrainian).
                return None
            form, matches = self._lookup(self._forms(part))
            if not matches and any(w.analysis.guessed for w in part):
                form, matches = self._lookup(self._forms(part, guessed=True))
            if matches:
                return _Found(part[0].start, last.end, matches, form=form), index + length
            if length == 1 and "-" in first.text:
                piece = self._hyphen_piece(first)
                if piece is not None:
                    return piece, index + 1
            if length == 1:
                found = self._derived(first)
                if found is not None:
                    return found, index + 1
        return None

    def _hyphen_piece(self, word: _Word) -> _Found | None:
        """A country or region that closes a hyphenated name («РБК-Украина»), as a
        mention of that place (an organisation's name, like "US" in "US-led")."""
        head, _, tail = word.text.rpartition("-")
        if not tail[:1].isupper() or not head:
            return None
        analysis = self.morphology.analyse(tail)
        form, matches = self._lookup(analysis.nominatives)
        wide = tuple(m for m in matches if m.candidate.feature in {"country", "admin"})
        if not wide:
            return None
        start = word.end - len(tail)
        return _Found(start, word.end, wide, by_form=True, form=form)

    def _with_head_noun(self, part: Sequence[_Word]) -> _Found | None:
        """Capitalised words and a lower-case noun: «Донецької області», «Чорним морем»,
        «Білого дому», «Старосалтівської громади», «Покровському напрямку»."""
        head = part[-1]
        nouns = set(head.analysis.nominatives)
        names = part[:-1]
        if any(not w.capitalised for w in names):
            return None
        start, end = names[0].start, head.end
        if nouns & syntax.NAME_HEAD_NOUNS:
            form, matches = self._lookup(self._forms(part))
            return _Found(start, end, matches, by_form=True, form=form) if matches else None
        adjective = names[-1].analysis.adjective_lemmas
        if not adjective:
            return None
        if nouns & syntax.REGION_NOUNS:
            form, matches = self._lookup(self._forms(part))
            matches = tuple(m for m in matches if m.candidate.feature == "admin")
            if not matches:
                # The region is its first adjective's town's («Донецької Народної
                # Республіки»); «Сіверська Донецької області» is a town, then a region.
                adjective = names[0].analysis.adjective_lemmas
                towns = self._towns(
                    [t for lemma in adjective for t in towns_behind_adjective(lemma)]
                )
                matches = self._regions_of_towns(towns)
            if not adjective:
                return None
            form = f"{adjective[0]} область"
            return _Found(start, end, matches, "region", True, form) if matches else None
        if nouns & syntax.DISTRICT_NOUNS or nouns & syntax.SECTOR_NOUNS:
            if len(names) > 1:
                # A district or sector is one adjective: «Олександрівці Краматорського
                # району», «Шестакове Старосалтівської громади» are a village, then its district.
                return None
            towns = self._towns([t for lemma in adjective for t in towns_behind_adjective(lemma)])
            if not towns:
                return None
            role = "district" if nouns & syntax.DISTRICT_NOUNS else "sector"
            return _Found(start, end, towns, role, True, f"{adjective[0]} {role}")
        return None

    def _derived(self, word: _Word) -> _Found | None:
        """One capitalised word no name matches as it stands: a region noun in -щина
        («Харківщині») or a bare adjective of a town («на Покровському», «в Харьковской»)."""
        analysis = word.analysis
        region_towns = self._towns(
            [t for form in analysis.nominatives for t in towns_behind_region_noun(form)]
        )
        regions = self._regions_of_towns(region_towns)
        if regions:
            return _Found(word.start, word.end, regions, "region", True, analysis.nominatives[-1])
        if not analysis.adjective:
            return None
        towns = self._towns(
            [t for lemma in analysis.adjective_lemmas for t in towns_behind_adjective(lemma)]
        )
        if not towns:
            return None
        # A feminine adjective alone is a region whose noun was left out ("освободили два в
        # ДНР и один - в Харьковской"); any other is a sector or district of the town.
        feminine = any(
            form.endswith(("ська", "цька", "ская", "цкая")) for form in analysis.nominatives
        )
        regions = self._regions_of_towns(towns) if feminine else ()
        lemma = analysis.adjective_lemmas[0]
        if regions:
            return _Found(word.start, word.end, regions, "region", form=f"{lemma} область")
        return _Found(word.start, word.end, towns, "sector", form=f"{lemma} sector")

    # -- recognition -----------------------------------------------------------------------

    def _entities(self, article: Article, budget: GeoparseBudget) -> dict[int, str]:
        """NER label by word start (Russian only)."""
        if self.ner is None:
            return {}
        labels: dict[int, str] = {}
        for offset, chunk in _chunks(article):
            budget.check_time()
            for entity in self.ner.entities(chunk):
                for match in _WORD.finditer(chunk, entity.start, entity.end):
                    labels[offset + match.start()] = entity.label
        return labels

    def _names(self, text: str, words: Sequence[_Word]) -> Iterator[_Found]:
        index = 0
        while index < len(words):
            word = words[index]
            if not word.capitalised or word.analysis.function_word:
                index += 1
                continue
            following = words[index + 1] if index + 1 < len(words) else None
            if (
                (
                    word.analysis.first_name
                    or (
                        following is not None
                        and following.analysis.person_only
                        and len(word.text) > 2
                    )
                )
                and following is not None
                and following.capitalised
                and text[word.end : following.start] == " "
            ):
                index += 2  # «Сергій Череватий», «Володимир Путін»: a person
                continue
            found = self._name_at(text, words, index)
            if found is None:
                index += 1
                continue
            name, index = found
            yield name

    def recognize(
        self, article: Article, budget: GeoparseBudget | None = None
    ) -> tuple[Toponym, ...]:
        """Every toponym of ``article``; ``budget`` bounds the time and the mentions."""
        budget = budget or GeoparseBudget(UNBOUNDED, article.source)
        text = article.text
        words = self._words(text)
        budget.check_time()
        labels = self._entities(article, budget)
        by_start = {w.start: w for w in words}
        found = [
            name
            for name in self._names(text, words)
            if not syntax.names_a_facility(text, name.start)
        ]
        found = self._sharing_head_nouns(text, found, by_start)
        budget.check_mentions(len(found))
        budget.check_time()
        toponyms = [self._toponym(article, name, labels, by_start) for name in found]
        linked = link(text, toponyms, [name.role for name in found])
        return tuple(_without_common_words(linked, found, by_start))

    def _sharing_head_nouns(
        self, text: str, found: list[_Found], by_start: Mapping[int, _Word]
    ) -> list[_Found]:
        """Adjectives listed before one head noun share it: «на Покровському та Лиманському
        напрямках», «Харківської, Сумської та Донецької областей» (not the village Pokrovske)."""
        shared = list(found)
        for index in range(len(shared) - 2, -1, -1):
            name, following = shared[index], shared[index + 1]
            word = by_start.get(name.start)
            head = _last_word(by_start, following)
            if (
                name.role != "place"
                or following.role == "place"
                or word is None
                or word.end != name.end
                or head is None
                or not word.analysis.adjective
                or not syntax.LIST_GAP.match(text[name.end : following.start])
            ):
                continue
            with_head = self._with_head_noun([word, head])
            if with_head is not None and with_head.role == following.role:
                shared[index] = replace(with_head, end=word.end)
        return shared

    def _toponym(
        self,
        article: Article,
        name: _Found,
        labels: Mapping[int, str],
        by_start: Mapping[int, _Word],
    ) -> Toponym:
        text = article.text
        word = by_start.get(name.start)
        label = labels.get(name.start)
        if label is None and name.by_form:
            label = "GPE"  # the form itself says place: «Донецької області», a country's name
        elif label is None and word is not None and word.analysis.person_only:
            label = "PERSON"
        sentence_index = article.sentence_index_at(name.start)
        sentence_start = article.sentences[sentence_index].start if article.sentences else 0
        initial = not text[sentence_start : name.start].strip(" \"'“‘«([-—–•\n\t")
        if (
            label is None
            and not initial
            and word is not None
            and (
                not all(w.analysis.common_word for w in _words_of(by_start, name))
                or any(m.candidate.population >= COMMON_WORD_TOWN_POPULATION for m in name.matches)
            )
            and syntax.after_plain_locative(text, name.start)
        ):
            # «у Женеві», «в Одесі»: Ukrainian and Russian capitalise proper names only, so
            # a proper name after a preposition of place is one, as NER would say; so is
            # «у Великому Бурлуці», a common adjective before a name.
            label = "GPE"
        surface = text[name.start : name.end]
        speech = _speech_verb_beside(text, name.start, name.end)
        return Toponym(
            mention=Mention(
                text=surface,
                start=name.start,
                end=name.end,
                sentence_index=sentence_index,
                evidence=(mention_evidence(label),),
                ner_label=label,
            ),
            ner_label=label,
            matches=name.matches,
            before_speech_verb=speech,
            sentence_initial=initial,
            after_locative=syntax.after_plain_locative(text, name.start),
            after_war_locative=syntax.after_war_locative(text, name.start),
            about_fighting=syntax.about_fighting(article.sentence_text(sentence_index))
            if article.sentences
            else syntax.about_fighting(text),
            names_front_sector=name.role == "sector",
            names_region=name.role == "region",
            embedded=name.role in {"sector", "district"},
            lemma=name.form,
        )


def _without_common_words(
    toponyms: Sequence[Toponym], found: Sequence[_Found], by_start: Mapping[int, _Word]
) -> list[Toponym]:
    """Names made only of common words («Сили оборони», «Ставки») stand only where a war
    report's words put them on the ground or the text calls them a settlement (any mention
    of the name): capitalised, such words also open organisations' names and sentences."""

    def common(toponym: Toponym, name: _Found) -> bool:
        if name.by_form or toponym.ner_label == "GPE":
            return False
        if any(m.candidate.feature != "city" for m in name.matches):
            return False  # «України», «Чорне море»: a country or a sea by its common name
        if any(m.candidate.population >= COMMON_WORD_TOWN_POPULATION for m in name.matches):
            return False  # «Женеві»: the Ukrainian dictionary lists cities without a mark
        words = _words_of(by_start, name)
        return bool(words) and all(w.analysis.common_word for w in words)

    placed = {
        t.key
        for t, name in zip(toponyms, found, strict=True)
        if t.after_war_locative or t.ner_label == "GPE" or not common(t, name)
    }
    return [t for t in toponyms if t.key in placed]


def _words_of(by_start: Mapping[int, _Word], name: _Found) -> list[_Word]:
    return [w for start, w in by_start.items() if name.start <= start < name.end]


def _last_word(by_start: Mapping[int, _Word], name: _Found) -> _Word | None:
    return max(_words_of(by_start, name), key=lambda w: w.start, default=None)


def _speech_verb_beside(text: str, start: int, end: int) -> bool:
    """«– розповів Череватий», «Синєгубов повідомив»: the name is the speaker's. Not a
    name before a comma and the verb («під Покровськом, повідомили військові»)."""
    before = re.search(r"([^\W\d_]+)\s+$", text[max(0, start - 24) : start])
    after = re.match(r" ([^\W\d_]+)", text[end : end + 24])
    return bool(
        (before and syntax.SPEECH_VERBS.match(before.group(1)))
        or (after and syntax.SPEECH_VERBS.match(after.group(1)))
    )


def _chunks(article: Article) -> Iterator[tuple[int, str]]:
    text = article.text
    if not article.sentences:
        yield 0, text
        return
    chunk_start = article.sentences[0].start
    for sentence in article.sentences:
        if sentence.end - chunk_start > NER_CHUNK_CHARACTERS and sentence.start > chunk_start:
            yield chunk_start, text[chunk_start : sentence.start]
            chunk_start = sentence.start
    yield chunk_start, text[chunk_start:]
