"""Every stored article together: where the reporting is, how much and how recent, and when.

Filters (a date range, articles, places) narrow everything below them: the map of every
place (``components.across_map``), the sentences naming the place clicked (newest first,
each opening its article), and, once the reader opens them, a timeline of mentions by
article date and a table. The figures come aggregated from the store
(``frontline.overview``), so the page opens as fast with thousands of articles as with a
few; the frames here are pure functions of them, so tests read them directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

import altair as alt
import pandas as pd
import streamlit as st

from components import across_map, excerpts, focus, frontline_panel, library_panel, place_map
from components.article_input import display_title
from components.catalog import BROAD_LAYER_NAME, counted
from components.markup import Highlight, escape_text, highlight
from components.offline_assets import OfflineAssets
from frontline import overview
from frontline.overview import DayCount, MentionCount, PlaceSentence, PlaceTotal, Scope
from frontline.settings import Settings
from frontline.store import ArticleStore, StoredArticleSummary

ARTICLE_FILTER_KEY = "across_articles"
PLACE_FILTER_KEY = "across_places"
DATE_RANGE_KEY = "across_dates"
FRONT_LINE_KEY = "across_front_line"
AREAS_KEY = "across_areas"
FOCUS_KEY = "across_focus"
CLICKS_SEEN_KEY = "across_clicks_seen"
MAP_KEY = "across_map"
TIMELINE_OPEN_KEY = "across_timeline_open"
TABLE_OPEN_KEY = "across_table_open"
OPEN_ARTICLE_KEY = "across_open_article"
MAP_HEIGHT = 520
# The timeline colours the most mentioned places; the rest are summed as "other places".
TIMELINE_PLACES = 8
OTHER_PLACES = "other places"
TITLE_CHARS = 40
TIMELINE_STEP_PX = 110
# Past this many days the timeline is a time axis, not a bar per day side by side.
TIMELINE_STEPPED_DAYS = 14
# Past this many days, a bar a week.
TIMELINE_DAILY_DAYS = 120
# A column per article while this few are in view; beyond, one row per place.
TABLE_ARTICLE_COLUMNS = 12
TABLE_PLACE_ROWS = 1000
ARTICLE_OPTIONS = 200
PLACE_OPTIONS = 2000
MAX_MARKERS = 2000


def short_title(summary: StoredArticleSummary) -> str:
    text = display_title(summary.title, summary.source)
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


def _date_label(date: dt.date | None) -> str:
    return date.isoformat() if date else "no date"


def counts_table(
    counts: Sequence[MentionCount], articles: Sequence[StoredArticleSummary]
) -> pd.DataFrame:
    """Places down, articles across (oldest first), mentions in the cells, and a total.
    One name per place (articles may spell it differently: Kiev, Kyiv): the first article's."""
    if not counts:
        return pd.DataFrame(columns=["Place", "Total"])
    order = sorted(articles, key=lambda a: (a.date is None, a.date or dt.date.min, a.id))
    columns = {s.id: f"{short_title(s)} ({_date_label(s.date)})" for s in order}
    present = {row.article_id for row in counts}
    names: dict[str, str] = {}
    cells: dict[str, dict[str, int]] = {}
    for row in counts:
        names.setdefault(row.place_key, row.place_name)
        column = columns.get(row.article_id, f"Article {row.article_id}")
        by_article = cells.setdefault(row.place_key, {})
        by_article[column] = by_article.get(column, 0) + row.count
    frame = pd.DataFrame(
        [
            {"Place": names[key], **by_article, "Total": sum(by_article.values())}
            for key, by_article in cells.items()
        ]
    )
    article_columns = [columns[i] for i in columns if i in present and columns[i] in frame]
    frame = frame.reindex(columns=["Place", *article_columns, "Total"]).fillna(0)
    for column in [*article_columns, "Total"]:
        frame[column] = frame[column].astype(int)
    return frame.sort_values(["Total", "Place"], ascending=[False, True]).reset_index(drop=True)


def places_table(totals: Sequence[PlaceTotal], limit: int = TABLE_PLACE_ROWS) -> pd.DataFrame:
    """One row per place, most mentioned first: mentions, articles, latest mention."""
    return pd.DataFrame(
        [
            {
                "Place": total.name,
                "Mentions": total.mentions,
                "Articles": total.articles,
                "Latest mention": _date_label(total.latest),
            }
            for total in totals[:limit]
        ],
        columns=["Place", "Mentions", "Articles", "Latest mention"],
    )


def timeline_frame(days: Sequence[DayCount]) -> pd.DataFrame:
    """Mentions per article date and place, as the chart reads them."""
    if not days:
        return pd.DataFrame(columns=["date", "place", "mentions", "articles"])
    frame = pd.DataFrame(
        [
            {
                "date": pd.Timestamp(day.date),
                "place": day.name if day.key != overview.OTHER_PLACES_KEY else OTHER_PLACES,
                "mentions": day.mentions,
                "articles": day.articles,
            }
            for day in days
        ]
    )
    return frame.sort_values(["date", "place"]).reset_index(drop=True)


def by_week(frame: pd.DataFrame) -> pd.DataFrame:
    """The days summed by week (dated by its Monday): a bar a day is unreadable, and slow
    to draw, over months. Articles are summed too (an article has one date)."""
    if frame.empty:
        return frame
    weeks = frame.assign(
        date=frame["date"] - pd.to_timedelta(frame["date"].dt.day_of_week, unit="D")
    )
    summed = weeks.groupby(["date", "place"], as_index=False)[["mentions", "articles"]].sum()
    return summed.sort_values(["date", "place"]).reset_index(drop=True)


def timeline_chart(frame: pd.DataFrame, *, weekly: bool = False) -> alt.Chart:
    tooltip = [
        alt.Tooltip("yearmonthdate(date):T", title="Week of" if weekly else "Date"),
        alt.Tooltip("place:N", title="Place"),
        alt.Tooltip("sum(mentions):Q", title="Mentions"),
        alt.Tooltip("sum(articles):Q", title="Articles"),
    ]
    y = alt.Y("sum(mentions):Q", title="Mentions", axis=alt.Axis(tickMinStep=1, format="d"))
    color = alt.Color("place:N", title="Place", sort="-y")
    if frame["date"].nunique() <= TIMELINE_STEPPED_DAYS:
        x = alt.X(
            "yearmonthdate(date):O",
            title="Article date",
            axis=alt.Axis(labelAngle=0, format="%Y-%m-%d"),
            scale=alt.Scale(paddingInner=0.25),
        )
        return (
            alt.Chart(frame)
            .mark_bar()
            .encode(x=x, y=y, color=color, tooltip=tooltip)
            .properties(height=300, width=alt.Step(TIMELINE_STEP_PX))
        )
    x_time = alt.X(
        "yearmonthdate(date):T", title="Week of article date" if weekly else "Article date"
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(x=x_time, y=y, color=color, tooltip=tooltip)
        .properties(height=300, width="container")
    )


def sentences_html(sentences: Sequence[PlaceSentence]) -> list[tuple[int, str]]:
    """Each sentence as escaped HTML (its mentions marked) under its article's title and
    date: (article id, HTML)."""
    items = []
    for sentence in sentences:
        title = display_title(sentence.article_title, sentence.article_source)
        marks = [Highlight(start, end) for start, end in sentence.marks]
        items.append(
            (
                sentence.article_id,
                '<div class="frontline-excerpt">'
                f"{highlight(sentence.text, marks)}"
                f'<div class="frontline-where">{escape_text(title)} · '
                f"{escape_text(_date_label(sentence.article_date))}</div></div>",
            )
        )
    return items


def _open_article(article_id: int) -> None:
    """A sentence's "Open" button: the one-article view of its article. The button is in
    the map's fragment, which reruns alone; the flag asks it for the whole page."""
    st.session_state[library_panel.ARTICLE_KEY] = article_id
    st.session_state[library_panel.VIEW_KEY] = library_panel.ARTICLE_VIEW
    st.session_state[OPEN_ARTICLE_KEY] = True


def _scope_dates(span: overview.DateSpan) -> tuple[dt.date | None, dt.date | None]:
    """The date range slider (no slider for a library with one date or none); the whole
    span means no date filter, so undated articles stay in view."""
    if span.first is None or span.last is None or span.first == span.last:
        return None, None
    state = st.session_state
    chosen = state.get(DATE_RANGE_KEY)
    if not (
        isinstance(chosen, tuple)
        and len(chosen) == 2
        and span.first <= chosen[0] <= chosen[1] <= span.last
    ):
        state[DATE_RANGE_KEY] = (span.first, span.last)
    # A range slider: its key holds a pair of dates, which Streamlit's types cannot see.
    start, end = cast(
        tuple[dt.date, dt.date],
        st.slider(
            "Article dates",
            min_value=span.first,
            max_value=span.last,
            key=DATE_RANGE_KEY,
            format="YYYY-MM-DD",
            help="Narrows the map, the timeline and the table to the articles of these dates.",
        ),
    )
    if (start, end) == (span.first, span.last):
        return None, None
    return start, end


def _show_filters(store: ArticleStore, span: overview.DateSpan) -> tuple[Scope, list[PlaceTotal]]:
    start, end = _scope_dates(span)
    dates = Scope(start, end)
    state = st.session_state
    article_column, place_column = st.columns(2)
    newest = overview.articles_in(store, dates, ARTICLE_OPTIONS)
    summaries = {s.id: s for s in newest}
    chosen_ids = [i for i in state.get(ARTICLE_FILTER_KEY, []) if isinstance(i, int)]
    missing = [i for i in chosen_ids if i not in summaries]
    for summary in overview.articles_in(store, Scope(article_ids=tuple(missing)), len(missing)):
        summaries[summary.id] = summary
    state[ARTICLE_FILTER_KEY] = [i for i in chosen_ids if i in summaries]
    articles_help = None
    if len(newest) == ARTICLE_OPTIONS:
        # The options go to the browser with the page: thousands of titles slowed the
        # page's opening by a fifth, and the date range reaches any article.
        in_dates = overview.article_count(store, dates)
        if in_dates > ARTICLE_OPTIONS:
            articles_help = (
                f"The newest {ARTICLE_OPTIONS:,} of the {in_dates:,} articles in the date "
                "range: narrow the dates to choose older ones."
            )
    chosen_articles = article_column.multiselect(
        "Articles",
        list(summaries),
        format_func=lambda i: f"{short_title(summaries[i])} ({_date_label(summaries[i].date)})",
        key=ARTICLE_FILTER_KEY,
        placeholder="All articles",
        help=articles_help,
    )
    unplaced = Scope(start, end, tuple(chosen_articles))
    options = list(overview.place_totals(store, unplaced))
    by_key = {total.key: total for total in options[:PLACE_OPTIONS]}
    state[PLACE_FILTER_KEY] = [k for k in state.get(PLACE_FILTER_KEY, []) if k in by_key]
    places_help = (
        f"The {PLACE_OPTIONS:,} most mentioned of {len(options):,} places: narrow the dates "
        "or articles to choose among the others."
        if len(options) > PLACE_OPTIONS
        else None
    )
    chosen_places = place_column.multiselect(
        "Places",
        list(by_key),
        format_func=lambda key: f"{by_key[key].name} ({by_key[key].mentions})",
        key=PLACE_FILTER_KEY,
        placeholder="All places",
        help=places_help,
    )
    scope = Scope(start, end, tuple(chosen_articles), tuple(chosen_places))
    totals = [by_key[key] for key in chosen_places] if chosen_places else options
    return scope, totals


def _summary(scope: Scope, totals: Sequence[PlaceTotal], articles: int, naming: int) -> str:
    mentions = sum(total.mentions for total in totals)
    if scope.place_keys:
        return (
            f"{counted(mentions, 'mention')} of the chosen places, in {naming} of "
            f"{counted(articles, 'article')}"
        )
    return (
        f"{counted(articles, 'article')} · {counted(len(totals), 'place')} · "
        f"{counted(mentions, 'mention')}"
    )


def _show_map(
    settings: Settings, totals: Sequence[PlaceTotal], end: dt.date | None
) -> PlaceTotal | None:
    """The map, its legend and the front line under it; the place clicked, if a new click."""
    assets = OfflineAssets.for_base_path(st.get_option("server.baseUrlPath") or "")
    view = across_map.view_of([t for t in totals if not t.is_area] or totals)
    base_map = place_map.build_base_map(
        view=view,
        tiles_url=settings.tiles_url,
        tiles_attribution=settings.tiles_attribution,
        assets=assets,
    )
    show_areas = bool(st.session_state.get(AREAS_KEY))
    mappable = [t for t in totals if t.has_point and (show_areas or not t.is_area)]
    # The most mentioned first (``totals`` is in that order): the map stays light to draw.
    mapped = mappable[:MAX_MARKERS]
    layers: list[Any] = [across_map.MentionsLayer(across_map.marker_rows(mapped, end))]
    front_caption = None
    if end is not None and st.session_state.get(FRONT_LINE_KEY):
        front_layers, front_caption = frontline_panel.occupied_as_of(settings, end)
        layers = [*front_layers, *layers]
    click = place_map.show_map(base_map, layers, view, key=MAP_KEY, height=MAP_HEIGHT)
    st.html(across_map.legend_html(end))
    areas_column, front_column = st.columns(2)
    areas_column.toggle(
        BROAD_LAYER_NAME,
        key=AREAS_KEY,
        help="Kept off by default so that they do not crowd the map.",
    )
    if end is not None:
        front_column.toggle(
            f"Front line of {end.isoformat()}",
            key=FRONT_LINE_KEY,
            help="DeepStateMap's occupied territory on the range's last date, under the places.",
        )
    if front_caption:
        st.caption(front_caption)
    if len(mappable) > len(mapped):
        st.caption(
            f"The {len(mapped):,} most mentioned of {len(mappable):,} places are on the map; "
            "narrow the dates, articles or places to see the others."
        )
    unmapped = sum(1 for total in totals if not total.has_point)
    if unmapped:
        st.caption(f"{counted(unmapped, 'place')} without coordinates are in the table only.")
    new_click = focus.take_new_click(st.session_state, click, CLICKS_SEEN_KEY)
    return None if new_click is None else across_map.clicked_place(new_click, mapped)


def _show_sentences(store: ArticleStore, scope: Scope, totals: Sequence[PlaceTotal]) -> None:
    state = st.session_state
    by_key = {total.key: total for total in totals}
    focused = by_key.get(state.get(FOCUS_KEY, ""))
    if focused is None:
        st.caption("Click a place on the map to read the sentences that name it, newest first.")
        return
    found = overview.sentences_naming(store, focused.key, scope)
    with st.container(key="across_sentences"):
        st.html(f"<h4>{escape_text(focused.name)}</h4>")
        more = (
            f" (the newest {found.articles_listed} of {found.articles_naming} articles)"
            if found.articles_naming > found.articles_listed
            else ""
        )
        st.caption(f"{counted(len(found.sentences), 'sentence')}{more}, newest article first.")
        for index, (article_id, body) in enumerate(sentences_html(found.sentences)):
            text_column, button_column = st.columns([3, 1], vertical_alignment="center")
            with text_column:
                st.html(body)
            button_column.button(
                "Open",
                key=f"across_open_{index}_{article_id}",
                help="Open this article",
                on_click=_open_article,
                args=(article_id,),
            )


@st.fragment
def _show_map_and_sentences(
    store: ArticleStore,
    settings: Settings,
    scope: Scope,
    totals: Sequence[PlaceTotal],
    end: dt.date | None,
) -> None:
    """The map and the sentences of the place clicked. A fragment: a click on the map (and
    the map's first report of its view, which streamlit-folium sends as it loads) reruns
    this alone, not the filters' queries over the whole library."""
    if st.session_state.pop(OPEN_ARTICLE_KEY, False):
        st.rerun()
    map_column, text_column = st.columns([3, 2], gap="medium")
    with map_column:
        clicked = _show_map(settings, totals, end)
    if clicked is not None:
        st.session_state[FOCUS_KEY] = clicked.key
    with text_column:
        _show_sentences(store, scope, totals)


def show_across_articles(store: ArticleStore, settings: Settings) -> None:
    """The all-articles view: filters, the map with the sentences of the place clicked,
    and, when opened, the timeline and the table."""
    st.title("All articles")
    excerpts.show_panel_css()
    span = overview.date_span(store)
    if span.articles == 0:
        st.info("The library is empty: add an article from the sidebar.")
        return
    scope, totals = _show_filters(store, span)
    articles = overview.article_count(store, scope)
    naming = overview.articles_naming(store, scope) if scope.place_keys else articles
    st.caption(_summary(scope, totals, articles, naming))
    end = scope.end or span.last

    _show_map_and_sentences(store, settings, scope, totals, end)

    # Collapsed and lazy: their code runs, and they are drawn, only once the reader opens
    # them, so the page opens on the map (a chart and a table drawn beside it cost ~1/6 of
    # the open with 10,000 articles). Each stays open across reruns once opened.
    timeline_section = st.expander(
        "Timeline of mentions by article date", key=TIMELINE_OPEN_KEY, on_change="rerun"
    )
    if timeline_section.open:
        with timeline_section:
            _show_timeline(store, scope, totals, span)
    table_section = st.expander(_table_label(articles), key=TABLE_OPEN_KEY, on_change="rerun")
    if table_section.open:
        with table_section:
            _show_table(store, scope, totals, articles)


def _show_timeline(
    store: ArticleStore, scope: Scope, totals: Sequence[PlaceTotal], span: overview.DateSpan
) -> None:
    leading = list(totals[:TIMELINE_PLACES])
    timeline = timeline_frame(overview.timeline(store, scope, leading))
    if timeline.empty:
        st.caption("No dated article names these places.")
    else:
        weekly = timeline["date"].nunique() > TIMELINE_DAILY_DAYS
        st.altair_chart(
            timeline_chart(by_week(timeline) if weekly else timeline, weekly=weekly),
            width="stretch",
        )
    if span.undated and not scope.dated_only:
        st.caption(
            f"{counted(span.undated, 'article')} without a date "
            f"{'are' if span.undated != 1 else 'is'} left out of the timeline: open "
            f"{'them' if span.undated != 1 else 'it'} and set the date in the sidebar."
        )


def _table_label(articles: int) -> str:
    return "Places by article" if articles <= TABLE_ARTICLE_COLUMNS else "Places"


def _show_table(
    store: ArticleStore, scope: Scope, totals: Sequence[PlaceTotal], articles: int
) -> None:
    if articles <= TABLE_ARTICLE_COLUMNS:
        shown = overview.articles_in(store, scope, TABLE_ARTICLE_COLUMNS)
        table = counts_table(overview.mention_counts(store, scope), shown)
    else:
        table = places_table(totals)
    if table.empty:
        st.caption("No place matches these filters.")
    else:
        st.dataframe(table, hide_index=True, width="stretch", key="across_table")
        st.caption("Mentions after the readers' corrections.")
