"""Every stored article at once: the figures of the all-articles view, aggregated in SQL.

The view must open as fast with 10,000 articles as with ten, so nothing here reads an
article's text or result to draw the whole: the per-place mention counts the store keeps
(``place_mentions``, after the readers' corrections, with each article's date) are summed
by SQLite over the filtered rows. Only a place's sentences, asked for one place at a time,
read the articles that name it (the newest first, a bounded number of them).

A ``Scope`` is what the reader narrowed the view to: a date range, articles, places.
Without a date range every article counts, undated ones included; with one, only the
articles dated inside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from frontline.model import AREA_FEATURES
from frontline.store import ArticleStore, StoredArticleSummary

# SQLite binds at most 32,766 parameters; far fewer keep the query plan simple.
MAX_CHOSEN = 500
OTHER_PLACES_KEY = ""


@dataclass(frozen=True, slots=True)
class Scope:
    start: dt.date | None = None  # inclusive
    end: dt.date | None = None  # inclusive
    article_ids: tuple[int, ...] = ()
    place_keys: tuple[str, ...] = ()

    @property
    def dated_only(self) -> bool:
        return self.start is not None or self.end is not None

    def where(
        self, *, date_column: str, article_column: str, place_column: str | None
    ) -> tuple[str, list[object]]:
        """The SQL condition (``WHERE …`` or empty) and its parameters."""
        terms: list[str] = []
        parameters: list[object] = []
        if self.start is not None:
            terms.append(f"{date_column} >= ?")
            parameters.append(self.start.isoformat())
        if self.end is not None:
            terms.append(f"{date_column} <= ?")
            parameters.append(self.end.isoformat())
        if self.article_ids:
            ids = self.article_ids[:MAX_CHOSEN]
            terms.append(f"{article_column} IN ({','.join('?' * len(ids))})")
            parameters.extend(ids)
        if self.place_keys and place_column is not None:
            keys = self.place_keys[:MAX_CHOSEN]
            terms.append(f"{place_column} IN ({','.join('?' * len(keys))})")
            parameters.extend(keys)
        return ("WHERE " + " AND ".join(terms)) if terms else "", parameters


@dataclass(frozen=True, slots=True)
class DateSpan:
    """The library's article dates: the first and last, and how many articles have none."""

    first: dt.date | None
    last: dt.date | None
    articles: int
    undated: int


@dataclass(frozen=True, slots=True)
class PlaceTotal:
    """One place across the articles in scope."""

    key: str
    name: str
    lat: float | None
    lon: float | None
    mentions: int
    articles: int
    latest: dt.date | None  # the date of the newest article naming it
    feature: str | None = None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def is_area(self) -> bool:
        """A country, continent, sea or region: a wide area with a representative point."""
        return self.feature in AREA_FEATURES


@dataclass(frozen=True, slots=True)
class MentionCount:
    """How often one place is mentioned in one article (after corrections)."""

    place_key: str
    place_name: str
    article_id: int
    article_title: str | None
    article_date: dt.date | None
    count: int
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class DayCount:
    """Mentions of a place (or of the other places together: key "") on one day."""

    date: dt.date
    key: str
    name: str
    mentions: int
    articles: int


@dataclass(frozen=True, slots=True)
class PlaceSentence:
    """A sentence that names a place, in one article; ``marks`` are the mentions' offsets
    into ``text``."""

    article_id: int
    article_title: str | None
    article_source: str
    article_date: dt.date | None
    text: str
    marks: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class PlaceSentences:
    sentences: tuple[PlaceSentence, ...]
    articles_listed: int
    articles_naming: int  # in scope


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def date_span(store: ArticleStore) -> DateSpan:
    with store.snapshot() as connection:
        first, last, articles, undated = connection.execute(
            "SELECT min(date), max(date), count(*), count(*) - count(date) FROM articles"
        ).fetchone()
    return DateSpan(_day(first), _day(last), articles, undated)


def place_totals(store: ArticleStore, scope: Scope) -> tuple[PlaceTotal, ...]:
    """Every place in scope, most mentioned first. Its name and point are those of the
    newest article naming it (spellings differ between articles: Kiev, Kyiv)."""
    where, parameters = scope.where(
        date_column="article_date", article_column="article_id", place_column="place_key"
    )
    # SQLite gives the bare columns of the row holding max(): the newest article's.
    query = (
        "SELECT place_key, sum(mentions), count(*), max(coalesce(article_date, '')), "
        f"place_name, lat, lon, feature FROM place_mentions {where} GROUP BY place_key"
    )
    with store.snapshot() as connection:
        rows = connection.execute(query, parameters).fetchall()
    totals = [
        PlaceTotal(
            key=key,
            name=name,
            lat=lat,
            lon=lon,
            mentions=mentions,
            articles=articles,
            latest=_day(latest),
            feature=feature,
        )
        for key, mentions, articles, latest, name, lat, lon, feature in rows
    ]
    totals.sort(key=lambda total: (-total.mentions, total.name.lower(), total.key))
    return tuple(totals)


def article_count(store: ArticleStore, scope: Scope) -> int:
    """How many articles are in the scope's dates and articles (read from the date index)."""
    where, parameters = scope.where(date_column="date", article_column="id", place_column=None)
    with store.snapshot() as connection:
        (articles,) = connection.execute(
            f"SELECT count(*) FROM articles {where}", parameters
        ).fetchone()
    return int(articles)


def articles_naming(store: ArticleStore, scope: Scope) -> int:
    """How many articles in scope name one of its places."""
    where, parameters = scope.where(
        date_column="article_date", article_column="article_id", place_column="place_key"
    )
    with store.snapshot() as connection:
        (naming,) = connection.execute(
            f"SELECT count(DISTINCT article_id) FROM place_mentions {where}", parameters
        ).fetchone()
    return int(naming)


def articles_in(store: ArticleStore, scope: Scope, limit: int) -> tuple[StoredArticleSummary, ...]:
    """The newest ``limit`` articles in the scope's dates and articles (its places aside)."""
    where, parameters = Scope(scope.start, scope.end, scope.article_ids).where(
        date_column="date", article_column="id", place_column=None
    )
    with store.snapshot() as connection:
        rows = connection.execute(
            "SELECT id, title, date, source, place_count, added_at FROM articles "
            # Descending, SQLite puts undated articles last, and reads the date index.
            f"{where} ORDER BY date DESC, id DESC LIMIT ?",
            [*parameters, limit],
        ).fetchall()
    return tuple(
        StoredArticleSummary(
            id=row[0],
            title=row[1],
            date=_day(row[2]),
            source=row[3],
            places=row[4],
            added_at=dt.datetime.fromisoformat(row[5]),
        )
        for row in rows
    )


def timeline(store: ArticleStore, scope: Scope, leading: Sequence[PlaceTotal]) -> list[DayCount]:
    """Mentions per day (dated articles only) of the ``leading`` places, and of the others
    summed under the key "" ("other places"; their article count is the day's articles).

    Three queries, each read in the order of an index: the leading places day by day, every
    place's mentions per day, and the articles per day. One GROUP BY over places and days,
    or a count of distinct articles for the other places, would sort every row first (a
    second at 100,000 articles)."""
    where, parameters = scope.where(
        date_column="article_date", article_column="article_id", place_column="place_key"
    )
    where = (where + " AND" if where else "WHERE") + " article_date IS NOT NULL"
    names = {total.key: total.name for total in leading}
    keys = list(names)[:MAX_CHOSEN]
    articles_where, articles_parameters = Scope(scope.start, scope.end, scope.article_ids).where(
        date_column="date", article_column="id", place_column=None
    )
    articles_where = (articles_where + " AND" if articles_where else "WHERE") + " date IS NOT NULL"
    with store.snapshot() as connection:
        leading_rows = connection.execute(
            f"SELECT article_date, place_key, sum(mentions), count(*) FROM place_mentions "
            f"{where} AND place_key IN ({','.join('?' * len(keys))}) "
            "GROUP BY article_date, place_key",
            [*parameters, *keys],
        ).fetchall()
        every_place = connection.execute(
            f"SELECT article_date, sum(mentions) FROM place_mentions {where} GROUP BY article_date",
            parameters,
        ).fetchall()
        day_articles = dict(
            connection.execute(
                f"SELECT date, count(*) FROM articles {articles_where} GROUP BY date",
                articles_parameters,
            ).fetchall()
        )
    leading_sums: dict[str, int] = {}
    for day, _key, mentions, _articles in leading_rows:
        leading_sums[day] = leading_sums.get(day, 0) + mentions
    rows = list(leading_rows) + [
        (day, OTHER_PLACES_KEY, mentions - leading_sums.get(day, 0), day_articles.get(day, 0))
        for day, mentions in every_place
        if mentions > leading_sums.get(day, 0)
    ]
    rows.sort(key=lambda row: (row[0], row[1]))
    return [
        DayCount(dt.date.fromisoformat(day), key, names.get(key, ""), mentions, articles)
        for day, key, mentions, articles in rows
    ]


def mention_counts(store: ArticleStore, scope: Scope) -> tuple[MentionCount, ...]:
    """Mentions per place per article in scope (for a table with a column per article: ask
    only with a few articles in scope)."""
    where, parameters = scope.where(
        date_column="m.article_date", article_column="m.article_id", place_column="m.place_key"
    )
    with store.snapshot() as connection:
        rows = connection.execute(
            "SELECT m.place_key, m.place_name, m.article_id, a.title, m.article_date, "
            "m.mentions, m.lat, m.lon FROM place_mentions AS m JOIN articles AS a "
            f"ON a.id = m.article_id {where} ORDER BY m.article_date IS NULL, m.article_date, "
            "m.article_id, m.mentions DESC, m.place_name",
            parameters,
        ).fetchall()
    return tuple(
        MentionCount(
            place_key=row[0],
            place_name=row[1],
            article_id=row[2],
            article_title=row[3],
            article_date=_day(row[4]),
            count=row[5],
            lat=row[6],
            lon=row[7],
        )
        for row in rows
    )


def sentences_naming(
    store: ArticleStore, place_key: str, scope: Scope, *, max_articles: int = 20
) -> PlaceSentences:
    """The sentences that name a place, across the articles in scope, newest article
    first (and in text order within one), from at most ``max_articles`` articles. Each
    article is read with its corrections applied, as the one-article view shows it."""
    where, parameters = Scope(scope.start, scope.end, scope.article_ids).where(
        date_column="article_date", article_column="article_id", place_column=None
    )
    where = (where + " AND" if where else "WHERE") + " place_key = ?"
    with store.snapshot() as connection:
        ids = [
            article_id
            for (article_id,) in connection.execute(
                f"SELECT article_id FROM place_mentions {where} "
                "ORDER BY article_date DESC, article_id DESC",
                [*parameters, place_key],
            ).fetchall()
        ]
    sentences: list[PlaceSentence] = []
    for article_id in ids[:max_articles]:
        corrected = store.get(article_id).corrected().result
        article = corrected.article
        places = [place for place in corrected.places if place.key == place_key]
        by_sentence: dict[int, list[tuple[int, int]]] = {}
        for place in places:
            for mention in place.mentions:
                index = article.sentence_index_at(mention.start) if article.sentences else 0
                by_sentence.setdefault(index, []).append((mention.start, mention.end))
        for index in sorted(by_sentence):
            sentence = article.sentences[index] if article.sentences else None
            start, end = (sentence.start, sentence.end) if sentence else (0, len(article.text))
            sentences.append(
                PlaceSentence(
                    article_id=article_id,
                    article_title=article.title,
                    article_source=article.source,
                    article_date=article.date,
                    text=article.text[start:end],
                    marks=tuple(
                        (mark_start - start, mark_end - start)
                        for mark_start, mark_end in sorted(by_sentence[index])
                    ),
                )
            )
    return PlaceSentences(tuple(sentences), min(len(ids), max_articles), len(ids))
