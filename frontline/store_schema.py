"""The article library's SQLite schema, and the steps that bring an older library up to it.

``SCHEMA_VERSION`` is kept in ``PRAGMA user_version``. A library written by an older
frontline is upgraded when it is opened, in one write transaction: the steps from its
version to this one run in order, so a killed upgrade leaves the old library as it was,
and its articles are kept.

Version 2 (many articles): the article's date and the place's kind are kept in
``place_mentions`` so that the all-articles view aggregates a date range (and leaves out
countries) without touching the articles' texts and results (the store fills both for the
articles of an older library as it upgrades it: ``ArticleStore``);
indexes that hold every column the view sums (so a date range, or a place across
articles, is read from an index alone) and the newest articles by date; and the feeds
that fill the library (``feeds``, ``feed_items``).
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 2

_TABLES_V1 = """
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    title TEXT,
    date TEXT,
    text TEXT NOT NULL,
    sentences TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL,
    result TEXT NOT NULL,
    place_count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS corrections_by_article ON corrections(article_id, id);
CREATE TABLE IF NOT EXISTS place_mentions (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    place_key TEXT NOT NULL,
    place_name TEXT NOT NULL,
    lat REAL,
    lon REAL,
    mentions INTEGER NOT NULL,
    PRIMARY KEY (article_id, place_key)
)
"""

# From version 1 to 2. Each statement runs once, inside the upgrade's transaction.
_UPGRADE_TO_V2 = """
ALTER TABLE place_mentions ADD COLUMN article_date TEXT;
ALTER TABLE place_mentions ADD COLUMN feature TEXT;
CREATE INDEX IF NOT EXISTS articles_by_date ON articles(date, id);
CREATE INDEX IF NOT EXISTS place_mentions_by_date ON place_mentions(
    article_date, place_key, mentions, article_id, lat, lon, feature, place_name
);
CREATE INDEX IF NOT EXISTS place_mentions_by_place ON place_mentions(
    place_key, article_date, mentions, article_id, lat, lon, feature, place_name
);
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL UNIQUE,
    title TEXT,
    added_at TEXT NOT NULL,
    polled_at TEXT,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS feed_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    link TEXT NOT NULL,
    article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    title TEXT,
    stored_at TEXT NOT NULL,
    UNIQUE (feed_id, link)
);
CREATE INDEX IF NOT EXISTS feed_items_by_link ON feed_items(link);
CREATE INDEX IF NOT EXISTS feed_items_by_article ON feed_items(article_id)
"""

_UPGRADES: dict[int, str] = {1: _UPGRADE_TO_V2}


def _statements(script: str) -> list[str]:
    return [statement.strip() for statement in script.split(";") if statement.strip()]


def create_schema(connection: sqlite3.Connection) -> None:
    """The whole schema on an empty database (inside the caller's transaction:
    ``executescript`` would commit first)."""
    for statement in _statements(_TABLES_V1):
        connection.execute(statement)
    upgrade_schema(connection, 1)


def upgrade_schema(connection: sqlite3.Connection, version: int) -> None:
    """Run the steps from ``version`` to ``SCHEMA_VERSION`` (inside the caller's transaction)."""
    for step in range(version, SCHEMA_VERSION):
        for statement in _statements(_UPGRADES[step]):
            connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
