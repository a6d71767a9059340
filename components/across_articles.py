"""Every stored article together: which places each names, how often, and when.

The frames are built by pure functions from the store's per-place mention counts (after
corrections), so tests read them directly; ``show_across_articles`` draws the filters, the
table and the timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from components.article_input import display_title
from frontline.store import ArticleStore, MentionCount, StoredArticleSummary

ARTICLE_FILTER_KEY = "across_articles"
PLACE_FILTER_KEY = "across_places"
# The timeline colours the most mentioned places; the rest are summed as "other places".
TIMELINE_PLACES = 8
OTHER_PLACES = "other places"
TITLE_CHARS = 40
TIMELINE_STEP_PX = 110


@dataclass(frozen=True, slots=True)
class PlaceOption:
    key: str
    name: str
    total: int

    @property
    def label(self) -> str:
        return f"{self.name} ({self.total})"


def short_title(summary: StoredArticleSummary) -> str:
    text = display_title(summary.title, summary.source)
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


def place_options(counts: Sequence[MentionCount]) -> tuple[PlaceOption, ...]:
    """Each distinct place (by gazetteer entry) once, most mentioned first."""
    totals: dict[str, int] = {}
    names: dict[str, str] = {}
    for row in counts:
        totals[row.place_key] = totals.get(row.place_key, 0) + row.count
        names.setdefault(row.place_key, row.place_name)
    ordered = sorted(totals, key=lambda key: (-totals[key], names[key].lower()))
    return tuple(PlaceOption(key, names[key], totals[key]) for key in ordered)


def filtered(
    counts: Sequence[MentionCount],
    *,
    article_ids: Collection[int] = (),
    place_keys: Collection[str] = (),
) -> list[MentionCount]:
    """The rows for the chosen articles and places (nothing chosen: all of them)."""
    return [
        row
        for row in counts
        if (not article_ids or row.article_id in article_ids)
        and (not place_keys or row.place_key in place_keys)
    ]


def counts_table(
    counts: Sequence[MentionCount], articles: Sequence[StoredArticleSummary]
) -> pd.DataFrame:
    """Places down, articles across (oldest first), mentions in the cells, and a total."""
    if not counts:
        return pd.DataFrame(columns=["Place", "Total"])
    order = sorted(articles, key=lambda a: (a.date is None, a.date or dt.date.min, a.id))
    columns = {
        summary.id: f"{short_title(summary)} "
        f"({summary.date.isoformat() if summary.date else 'no date'})"
        for summary in order
    }
    present = {row.article_id for row in counts}
    names = {option.key: option.name for option in place_options(counts)}
    cells: dict[str, dict[str, int]] = {}
    for row in counts:
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


def timeline_frame(counts: Sequence[MentionCount], top: int = TIMELINE_PLACES) -> pd.DataFrame:
    """Mentions per article date and place (dated articles only); places beyond the ``top``
    most mentioned are summed as "other places"."""
    dated = [row for row in counts if row.article_date is not None]
    if not dated:
        return pd.DataFrame(columns=["date", "place", "mentions", "articles"])
    options = place_options(dated)
    # One name per place: articles may spell it differently (Kiev, Kyiv).
    names = {option.key: option.name for option in options}
    leading = {option.key for option in options[:top]}
    sums: dict[tuple[dt.date, str], int] = {}
    articles: dict[tuple[dt.date, str], set[int]] = {}
    for row in dated:
        assert row.article_date is not None
        place = names[row.place_key] if row.place_key in leading else OTHER_PLACES
        cell = (row.article_date, place)
        sums[cell] = sums.get(cell, 0) + row.count
        articles.setdefault(cell, set()).add(row.article_id)
    frame = pd.DataFrame(
        [
            {"date": pd.Timestamp(date), "place": place, "mentions": total,
             "articles": len(articles[(date, place)])}
            for (date, place), total in sums.items()
        ]
    )  # fmt: skip
    return frame.sort_values(["date", "place"]).reset_index(drop=True)


def timeline_chart(frame: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                "yearmonthdate(date):O",
                title="Article date",
                axis=alt.Axis(labelAngle=0, format="%Y-%m-%d"),
                scale=alt.Scale(paddingInner=0.25),
            ),
            y=alt.Y("sum(mentions):Q", title="Mentions", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("place:N", title="Place", sort="-y"),
            tooltip=[
                alt.Tooltip("yearmonthdate(date):T", title="Date"),
                alt.Tooltip("place:N", title="Place"),
                alt.Tooltip("sum(mentions):Q", title="Mentions"),
                alt.Tooltip("sum(articles):Q", title="Articles"),
            ],
        )
        .properties(height=300, width=alt.Step(TIMELINE_STEP_PX))
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def show_across_articles(store: ArticleStore) -> None:
    """The all-articles view: filters, mentions per place per article, and a timeline."""
    articles = store.list()
    counts = store.mention_counts()
    st.title("All articles")
    if not articles:
        st.info("The library is empty: add an article from the sidebar.")
        return
    by_id = {summary.id: summary for summary in articles}
    options = place_options(counts)
    option_by_key = {option.key: option for option in options}
    article_column, place_column = st.columns(2)
    chosen_articles = article_column.multiselect(
        "Articles",
        [summary.id for summary in articles],
        format_func=lambda article_id: (
            short_title(by_id[article_id])
            + (f" ({by_id[article_id].date})" if by_id[article_id].date else "")
        ),
        key=ARTICLE_FILTER_KEY,
        placeholder="All articles",
    )
    chosen_places = place_column.multiselect(
        "Places",
        [option.key for option in options],
        format_func=lambda key: option_by_key[key].label,
        key=PLACE_FILTER_KEY,
        placeholder="All places",
    )
    rows = filtered(counts, article_ids=chosen_articles, place_keys=chosen_places)
    shown_articles = [by_id[i] for i in (chosen_articles or by_id)]
    mentions = sum(row.count for row in rows)
    places = len({row.place_key for row in rows})
    naming = len({row.article_id for row in rows})
    if chosen_places:
        summary = (
            f"{_count(mentions, 'mention')} of the chosen places, in {naming} of "
            f"{_count(len(shown_articles), 'article')}"
        )
    else:
        summary = (
            f"{_count(len(shown_articles), 'article')} · {_count(places, 'place')} · "
            f"{_count(mentions, 'mention')}"
        )
    st.caption(summary)

    st.subheader("Timeline of mentions by article date")
    timeline = timeline_frame(rows)
    undated = sorted({row.article_id for row in rows if row.article_date is None})
    if timeline.empty:
        st.caption("No dated article names these places.")
    else:
        st.altair_chart(timeline_chart(timeline), width="content")
    if undated:
        st.caption(
            f"{len(undated)} article{'s' if len(undated) != 1 else ''} without a date "
            f"{'are' if len(undated) != 1 else 'is'} left out of the timeline: open "
            f"{'them' if len(undated) != 1 else 'it'} and set the date in the sidebar."
        )

    st.subheader("Places by article")
    table = counts_table(rows, shown_articles)
    if table.empty:
        st.caption("No place matches these filters.")
    else:
        st.dataframe(table, hide_index=True, width="stretch", key="across_table")
        st.caption("Mentions after the readers' corrections. Open an article from the sidebar.")
