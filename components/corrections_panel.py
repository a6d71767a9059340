"""The reader's corrections: tools under a place's context, and the article's list of them.

From a place's context a reader can pick another candidate, move the pin to a gazetteer
entry found by search, remove a false place, or add a mention the geoparse missed (typed or
pasted as the exact words seen in the article: the words are found in the text and each
occurrence offered). Below the excerpts, every correction of the article is listed with
what it does and why, and can be removed. The store keeps them with the article and they
apply to every later geoparse of it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import streamlit as st

from components.catalog import KIND_LABELS, country_name
from components.markup import plain_markdown
from frontline.corrections import (
    AddMention,
    ChooseCandidate,
    Correction,
    CorrectionReport,
    MovePin,
    RemovePlace,
    describe,
)
from frontline.errors import FrontlineError
from frontline.geo import distance_km
from frontline.model import Article, Candidate, GeoparseResult, Place
from frontline.store import ArticleStore, StoredArticle

CandidateSearch = Callable[[str], tuple[Candidate, ...]]
SAVED_NOTE_KEY = "corrections_saved_note"
SEARCH_LIMIT = 15
CONTEXT_CHARS = 40

CHOOSE = "Pick another candidate"
MOVE = "Search the gazetteer"
REMOVE = "Not a place: remove it"
ADD = "Add a missed mention"


class GazetteerLike(Protocol):
    def candidates(self, surface: str) -> Sequence[Any]: ...

    def search(self, text: str, limit: int = 20) -> tuple[Candidate, ...]: ...


@dataclass(frozen=True, slots=True)
class Occurrence:
    """Where the reader's words appear in the article, with a little text either side."""

    start: int
    end: int
    text: str
    before: str
    after: str

    @property
    def label(self) -> str:
        gap = "" if self.after[:1] in {",", ".", ";", ":", "!", "?", ")", "’", "'"} else " "
        return f"…{self.before} [{self.text}]{gap}{self.after}…"


def gazetteer_search(gazetteer: GazetteerLike, limit: int = SEARCH_LIMIT) -> CandidateSearch:
    """Entries for a search box: every entry with exactly that name (other spellings and
    old names included), then names starting with it, most populous first."""

    def search(query: str) -> tuple[Candidate, ...]:
        query = query.strip()
        if not query:
            return ()
        folded = query.casefold()
        # Entries whose own name is the query first (Pokrovsk before Engels, once Pokrovsk).
        exact = sorted(
            (match.candidate for match in gazetteer.candidates(query)),
            key=lambda candidate: (candidate.name.casefold() != folded, -candidate.population),
        )
        found: dict[str, Candidate] = {candidate.key: candidate for candidate in exact}
        for candidate in gazetteer.search(query, limit=limit):
            found.setdefault(candidate.key, candidate)
        return tuple(found.values())[:limit]

    return search


def candidate_distance_km(a: Candidate, b: Candidate) -> float | None:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    return distance_km(a.lat, a.lon, b.lat, b.lon)


def candidate_label(candidate: Candidate, *, near: Candidate | None = None) -> str:
    """One line per gazetteer entry: name, region, country, kind, population, distance."""
    where = [
        part
        for part in (candidate.admin1, country_name(candidate.country_code))
        if part and part != candidate.name
    ]
    parts = [", ".join([candidate.name, *where])]
    parts.append(KIND_LABELS.get(candidate.feature, candidate.feature).lower())
    if candidate.population:
        parts.append(f"pop. {candidate.population:,}")
    if near is not None and near.key != candidate.key:
        distance = candidate_distance_km(near, candidate)
        if distance is not None:
            parts.append(f"{distance:,.0f} km from the current pin")
    return " · ".join(parts)


def other_candidates(place: Place) -> tuple[Candidate, ...]:
    """The candidates a reader can switch to by id (geocoder results have none)."""
    current = place.candidate.key if place.candidate is not None else None
    return tuple(
        candidate
        for candidate in place.alternatives
        if candidate.geonameid is not None and candidate.key != current
    )


def find_occurrences(
    text: str, words: str, taken: Iterable[tuple[int, int]] = ()
) -> tuple[Occurrence, ...]:
    """Every place where ``words`` stand in ``text`` as whole words and that no mention
    covers yet: exact case first, any case if the exact spelling is nowhere."""
    needle = " ".join(words.split())
    if not needle:
        return ()
    spans = list(taken)
    # Whitespace in the reader's words matches any run of whitespace (line breaks included).
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(part) for part in needle.split(" ")) + r"(?!\w)"
    matches = list(re.finditer(pattern, text))
    if not matches:
        matches = list(re.finditer(pattern, text, flags=re.IGNORECASE))
    found: list[Occurrence] = []
    for match in matches:
        start, end = match.span()
        if any(start < taken_end and taken_start < end for taken_start, taken_end in spans):
            continue
        found.append(
            Occurrence(start, end, text[start:end], *_context(text, start, end, CONTEXT_CHARS))
        )
    return tuple(found)


def _context(text: str, start: int, end: int, chars: int) -> tuple[str, str]:
    """Up to ``chars`` characters before and after a span, cut at whole words."""
    before = text[max(0, start - chars) : start].split()
    if start > chars and before:
        before = before[1:]
    after = text[end : end + chars].split()
    if end + chars < len(text) and after:
        after = after[:-1]
    return " ".join(before), " ".join(after)


def mention_spans(result: GeoparseResult) -> list[tuple[int, int]]:
    return [(mention.start, mention.end) for place in result.places for mention in place.mentions]


def added_mentions(
    article: Article, occurrences: Sequence[Occurrence], candidate: Candidate, reason: str
) -> list[AddMention]:
    return [
        AddMention(o.start, o.end, article.text[o.start : o.end], candidate, reason.strip())
        for o in occurrences
    ]


def correction_what(correction: Correction, original: GeoparseResult) -> str:
    """What a correction does, in words (its reason is shown apart)."""
    if isinstance(correction, ChooseCandidate):
        offered = {
            candidate.geonameid: candidate
            for place in original.places
            for candidate in (place.candidate, *place.alternatives)
            if candidate is not None
        }
        chosen = offered.get(correction.geonameid)
        if chosen is not None:
            return f"{correction.place_name}: placed at {candidate_label(chosen)} instead"
    if isinstance(correction, MovePin):
        return f"{correction.place_name}: pin moved to {candidate_label(correction.candidate)}"
    if isinstance(correction, RemovePlace):
        return f"{correction.place_name}: removed, not a place in this article"
    if isinstance(correction, AddMention):
        return (
            f"“{correction.text}” (characters {correction.start}–{correction.end}): "
            f"added as a mention of {candidate_label(correction.candidate)}"
        )
    return describe(replace(correction, reason=""))


def save_correction(store: ArticleStore, article_id: int, corrections: Sequence[Correction]) -> str:
    """Store the corrections; the message to show (each error is one line)."""
    for correction in corrections:
        store.add_correction(article_id, correction)
    if len(corrections) == 1:
        return "Correction saved."
    return f"{len(corrections)} corrections saved."


# --- views -----------------------------------------------------------------------------------


def _key(*parts: object) -> str:
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:10]
    return f"fix_{digest}"


def _save(store: ArticleStore, article_id: int, corrections: Sequence[Correction]) -> None:
    try:
        st.session_state[SAVED_NOTE_KEY] = save_correction(store, article_id, corrections)
    except FrontlineError as error:
        st.error(plain_markdown(error), icon=":material/error:")
        return
    st.rerun()


def _reason(key: str) -> str:
    reason: str = st.text_input(
        "Why (shown with the correction)",
        key=key,
        placeholder="e.g. the article is about the port city in Ukraine",
    )
    return reason


def _candidate_form(
    key: str, label: str, options: Sequence[Candidate], near: Candidate | None, button: str
) -> tuple[Candidate, str] | None:
    """A gazetteer entry and a reason, sent together: the entry picked and the reason once
    the button is pressed, else None."""
    with st.form(f"{key}_form", border=False):
        picked = st.selectbox(
            label, options, format_func=lambda c: candidate_label(c, near=near), key=key
        )
        reason = _reason(f"{key}_reason")
        if st.form_submit_button(button, type="primary") and picked is not None:
            return picked, reason.strip()
    return None


def show_place_tools(
    name: str,
    place: Place,
    stored: StoredArticle,
    store: ArticleStore,
    search: CandidateSearch,
    shown: GeoparseResult,
) -> None:
    """Under a place's context: the four ways to correct it."""
    base = _key(stored.id, place.name)
    with st.expander(f"Correct {plain_markdown(name)}", icon=":material/edit:"):
        actions = [CHOOSE, MOVE, REMOVE] + ([ADD] if place.candidate is not None else [])
        action = st.radio(
            "What is wrong?", actions, key=f"{base}_action", label_visibility="collapsed"
        )
        # Each action ends in a form, so its reason is sent with its button (no rerun per
        # keystroke, nothing lost between typing and clicking).
        if action == CHOOSE:
            offered = other_candidates(place)
            if not offered:
                st.caption("No other gazetteer entry carries this name: search the gazetteer.")
                return
            picked = _candidate_form(
                f"{base}_choose", "Put it at", offered, place.candidate, "Use this candidate"
            )
            if picked is not None:
                chosen, reason = picked
                assert chosen.geonameid is not None  # other_candidates offers ids only
                _save(store, stored.id, [ChooseCandidate(place.name, chosen.geonameid, reason)])
        elif action == MOVE:
            query = st.text_input(
                "Search the gazetteer (any spelling)",
                value=place.name,
                key=f"{base}_query",
            )
            current = place.candidate.key if place.candidate is not None else None
            found = tuple(c for c in search(query) if c.key != current)
            if not found:
                st.caption(f"Nothing else in the gazetteer starts with “{plain_markdown(query)}”.")
                return
            picked = _candidate_form(
                f"{base}_move", "Move the pin to", found, place.candidate, "Move the pin"
            )
            if picked is not None:
                target, reason = picked
                _save(store, stored.id, [MovePin(place.name, target, reason)])
        elif action == REMOVE:
            with st.form(f"{base}_remove_form", border=False):
                reason = _reason(f"{base}_remove_reason")
                if st.form_submit_button(f"Remove {plain_markdown(name)}", type="primary"):
                    _save(store, stored.id, [RemovePlace(place.name, reason.strip())])
        elif action == ADD and place.candidate is not None:
            _show_add_mention(
                base, stored, store, shown, candidate=place.candidate, default_words=place.name
            )


def _show_add_mention(
    base: str,
    stored: StoredArticle,
    store: ArticleStore,
    shown: GeoparseResult,
    *,
    candidate: Candidate | None,
    default_words: str = "",
    search: CandidateSearch | None = None,
) -> None:
    """Words typed as seen in the article, the occurrences not yet marked, and (for a new
    place) the gazetteer entry they name."""
    article = stored.article
    words = st.text_input(
        "The words as they appear in the article",
        value=default_words,
        key=f"{base}_words",
        placeholder="e.g. the capital, Bakhmut, the Antonivskyi bridge",
        help="Type or paste the exact words; every occurrence not yet marked is offered.",
    )
    if not words.strip():
        return
    occurrences = find_occurrences(article.text, words, mention_spans(shown))
    if not occurrences:
        st.caption(
            f"“{plain_markdown(words)}” is not in the article, or every occurrence is marked."
        )
        return
    found: tuple[Candidate, ...] = ()
    if candidate is None and search is not None:
        query = st.text_input(
            "What it names: search the gazetteer (any spelling)",
            value=words.strip(),
            key=f"{base}_add_query",
            help="The words may not be a name (“the capital”): search for the place they mean.",
        )
        found = search(query)
        if not found:
            st.caption(f"Nothing in the gazetteer starts with “{plain_markdown(query)}”.")
            return
    with st.form(f"{base}_add_form", border=False):
        chosen = st.multiselect(
            "Occurrences to add",
            occurrences,
            default=list(occurrences),
            format_func=lambda occurrence: occurrence.label,
            key=f"{base}_occurrences",
        )
        target = candidate
        if target is None:
            target = st.selectbox(
                "It names", found, format_func=candidate_label, key=f"{base}_add_candidate"
            )
        reason = _reason(f"{base}_add_reason")
        if st.form_submit_button("Add the mention", type="primary"):
            if not chosen:
                st.error("Choose at least one occurrence.", icon=":material/error:")
                return
            assert target is not None
            _save(store, stored.id, added_mentions(article, chosen, target, reason))


def show_corrections(
    stored: StoredArticle,
    report: CorrectionReport,
    store: ArticleStore,
    search: CandidateSearch,
) -> None:
    """The article's corrections (what and why, each removable) and a way to add a place
    the geoparse missed."""
    note = st.session_state.pop(SAVED_NOTE_KEY, None)
    if note:
        st.toast(plain_markdown(note), icon=":material/check_circle:")
    skipped = {id(s.correction): s.why for s in report.skipped}
    count = len(stored.corrections)
    with st.expander(
        f"Corrections to this article ({count})" if count else "Corrections to this article",
        icon=":material/rule:",
        expanded=bool(count),
    ):
        if not stored.corrections:
            st.caption(
                "None yet. Open a place (click its marker or its row) to correct it, or add "
                "a place the geoparse missed below."
            )
        for entry in stored.corrections:
            with st.container(key=f"correction_{entry.id}", border=True):
                what = correction_what(entry.correction, stored.result)
                st.markdown(f"**{plain_markdown(what)}**")
                reason = entry.correction.reason or "no reason given"
                st.caption(
                    f"Why: {plain_markdown(reason)} · added {entry.added_at:%Y-%m-%d %H:%M} UTC"
                )
                why = skipped.get(id(entry.correction))
                if why:
                    st.warning(f"Not applied to the current geoparse: {plain_markdown(why)}")
                if st.button(
                    "Remove this correction",
                    key=f"remove_correction_{entry.id}",
                    icon=":material/undo:",
                    type="tertiary",
                ):
                    try:
                        store.remove_correction(stored.id, entry.id)
                    except FrontlineError as error:
                        st.error(plain_markdown(error))
                    else:
                        st.session_state[SAVED_NOTE_KEY] = "Correction removed."
                        st.rerun()
        st.markdown("**Add a place the geoparse missed**")
        _show_add_mention(
            _key(stored.id, "missed"), stored, store, report.result, candidate=None, search=search
        )
