"""Excerpts, the full article and a place's context panel, as escaped HTML.

The ``*_html`` functions are pure (data in, a string out) so tests can read them; the
``show_*`` functions put them on the page with ``st.html`` (sanitised by Streamlit, and
free of Markdown: an article's ``*`` or ``$`` stays a character).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from components.catalog import KIND_LABELS, Catalog, counted, country_name, mention_count
from components.markup import Highlight, escape_text, highlight
from frontline.model import Article, Candidate, Place

PANEL_CSS = """
<style>
.frontline-excerpts, .frontline-article, .frontline-context { line-height: 1.55; }
.frontline-excerpt { margin: 0 0 .7rem 0; padding: .35rem .6rem; border-left: 3px solid #c62828;
  background: rgba(127,127,127,.06); border-radius: 0 4px 4px 0; }
.frontline-excerpt .frontline-where { font-size: .78rem; color: #777; }
.frontline-excerpts mark, .frontline-article mark, .frontline-context mark {
  background: #ffe082; color: inherit; padding: 0 .1em; border-radius: 2px; }
.frontline-article mark.frontline-selected { background: #ffab91; }
.frontline-context table { border-collapse: collapse; font-size: .85rem; width: 100%; }
.frontline-context th, .frontline-context td { border-bottom: 1px solid rgba(127,127,127,.3);
  padding: 2px 6px; text-align: left; }
.frontline-context ul { margin: .2rem 0 .5rem 1.1rem; padding: 0; }
.frontline-article p { margin: 0 0 .8rem 0; }
</style>
"""


@dataclass(frozen=True, slots=True)
class Excerpt:
    """One sentence, with the mentions to mark in it."""

    sentence_index: int
    start: int
    end: int
    marks: tuple[Highlight, ...]


def excerpts_for(article: Article, places: Sequence[tuple[str, Place]]) -> list[Excerpt]:
    """Every sentence that mentions one of ``places``, once, in article order, with those
    places' mentions marked."""
    marks_by_sentence: dict[int, list[Highlight]] = {}
    for name, place in places:
        for mention in place.mentions:
            index = article.sentence_index_at(mention.start) if article.sentences else 0
            marks_by_sentence.setdefault(index, []).append(
                Highlight(mention.start, mention.end, label=f"Place: {name}")
            )
    excerpts: list[Excerpt] = []
    for index in sorted(marks_by_sentence):
        if article.sentences:
            sentence = article.sentences[index]
            start, end = sentence.start, sentence.end
        else:
            start, end = 0, len(article.text)
        excerpts.append(Excerpt(index, start, end, tuple(marks_by_sentence[index])))
    return excerpts


def excerpts_html(article: Article, catalog: Catalog, names: Sequence[str]) -> str:
    excerpts = excerpts_for(article, [(name, catalog.places[name]) for name in names])
    if not excerpts:
        return '<div class="frontline-excerpts"><p>No sentence mentions these places.</p></div>'
    items = [
        f'<div class="frontline-excerpt" data-sentence="{excerpt.sentence_index}">'
        f"{highlight(article.text, excerpt.marks, excerpt.start, excerpt.end)}"
        f'<div class="frontline-where">sentence {excerpt.sentence_index + 1} of '
        f"{max(len(article.sentences), 1)}</div></div>"
        for excerpt in excerpts
    ]
    return '<div class="frontline-excerpts">' + "".join(items) + "</div>"


def article_html(article: Article, catalog: Catalog, selected: Sequence[str] = ()) -> str:
    """The whole article with every mention marked (selected places in a stronger colour),
    paragraphs kept."""
    chosen = set(selected)
    marks = [
        Highlight(
            mention.start,
            mention.end,
            label=f"Place: {name}",
            css_class="frontline-selected" if name in chosen else "",
        )
        for name, place in catalog.places.items()
        for mention in place.mentions
    ]
    paragraphs: list[str] = []
    cursor = 0
    text = article.text
    while cursor <= len(text):
        newline = text.find("\n", cursor)
        stop = len(text) if newline == -1 else newline
        if text[cursor:stop].strip():
            inside = [mark for mark in marks if cursor <= mark.start < stop]
            paragraphs.append(f"<p>{highlight(text, inside, cursor, stop)}</p>")
        if newline == -1:
            break
        cursor = newline + 1
    title = f"<h4>{escape_text(article.title)}</h4>" if article.title else ""
    return f'<div class="frontline-article">{title}{"".join(paragraphs)}</div>'


def _distance_km(a: Candidate, b: Candidate) -> float | None:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _candidate_cells(candidate: Candidate) -> list[str]:
    return [
        escape_text(candidate.name),
        escape_text(candidate.admin1 or ""),
        escape_text(country_name(candidate.country_code)),
        escape_text(KIND_LABELS.get(candidate.feature, candidate.feature)),
        f"{candidate.population:,}" if candidate.population else "",
    ]


def context_html(name: str, place: Place, article: Article) -> str:
    """Why this place is on the map: its sentences, the chosen gazetteer entry, the
    evidence and score, and the runner-up candidates."""
    parts = [f'<div class="frontline-context"><h4>{escape_text(name)}</h4>']
    count = mention_count(place)
    parts.append(
        f"<p>{escape_text(KIND_LABELS.get(place.feature, ''))} · {counted(count, 'mention')}</p>"
    )
    excerpts = excerpts_for(article, [(name, place)])
    parts.append('<div class="frontline-context-sentences">')
    parts.extend(
        f'<div class="frontline-excerpt" data-sentence="{excerpt.sentence_index}">'
        f"{highlight(article.text, excerpt.marks, excerpt.start, excerpt.end)}</div>"
        for excerpt in excerpts
    )
    parts.append("</div>")

    candidate = place.candidate
    parts.append("<h5>Why it is placed here</h5>")
    if candidate is None:
        parts.append("<p>No gazetteer entry was chosen: the place is not on the map.</p>")
    else:
        where = ", ".join(
            part for part in (candidate.admin1, country_name(candidate.country_code)) if part
        )
        coordinates = (
            f" at {candidate.lat:.4f}, {candidate.lon:.4f}"
            if candidate.lat is not None and candidate.lon is not None
            else ""
        )
        geonames = (
            f' (<a href="https://www.geonames.org/{candidate.geonameid}" target="_blank" '
            f'rel="noopener">GeoNames {candidate.geonameid}</a>)'
            if candidate.geonameid is not None and candidate.source == "geonames"
            else ""
        )
        parts.append(
            f"<p>Chosen: <strong>{escape_text(candidate.name)}</strong>"
            f"{', ' + escape_text(where) if where else ''}{escape_text(coordinates)}{geonames}. "
            f"Score {place.score:.2f}.</p>"
        )
    if place.evidence:
        items = "".join(f"<li>{escape_text(reason)}</li>" for reason in place.evidence)
        parts.append(f"<ul>{items}</ul>")
    if place.alternatives:
        header = "".join(
            f"<th>{label}</th>"
            for label in ("Runner-up", "Region", "Country", "Kind", "Population", "Distance")
        )
        rows = []
        for alternative in place.alternatives:
            distance = _distance_km(candidate, alternative) if candidate is not None else None
            cells = _candidate_cells(alternative)
            cells.append(f"{distance:,.0f} km away" if distance is not None else "")
            rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
        parts.append(f"<table><tr>{header}</tr>{''.join(rows)}</table>")
    else:
        parts.append("<p>No other gazetteer entry carries this name.</p>")
    parts.append("</div>")
    return "".join(parts)


def show_panel_css() -> None:
    st.html(PANEL_CSS)


def show_excerpts(article: Article, catalog: Catalog, names: Sequence[str]) -> None:
    st.html(excerpts_html(article, catalog, names))


def show_article(article: Article, catalog: Catalog, selected: Sequence[str]) -> None:
    st.html(article_html(article, catalog, selected))


def show_context(name: str, place: Place, article: Article) -> None:
    st.html(context_html(name, place, article))
