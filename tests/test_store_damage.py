"""A damaged library on real SQLite files: opening reads a few pages whatever the library's
size, damage elsewhere is one ``StoreDamagedError`` where it is met and refuses the library
from then on (in the next process too), ``library check`` reads every page; nothing is
ever written into the damaged file."""

from __future__ import annotations

import contextlib
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest

from frontline.errors import StoreDamagedError
from frontline.store import ArticleStore

from .test_cli_library import assert_one_line_error, run_cli
from .test_store import TEXT, add_sample

PAGE = 4096  # SQLite's default page size, which the store keeps
GARBAGE = b"\xde\xad\xbe\xef" * (PAGE // 4)
ARTICLES = 40


def write_library(path: Path) -> None:
    """Forty articles of about 1 kB: the articles' tree has a root and about twenty leaves."""
    with ArticleStore(path) as store:
        for number in range(1, ARTICLES + 1):
            add_sample(store, f"Report number {number}. " + TEXT * 6, source=f"r{number}")
    assert not Path(f"{path}-wal").exists()  # all of it in the file, checkpointed on close


@pytest.fixture(scope="module")
def library_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("library") / "library.sqlite3"
    write_library(path)
    return path.read_bytes()


def spoilt(content: bytes, pages: set[int]) -> bytes:
    """``content`` with these pages (numbered from 1, as SQLite does) overwritten."""
    damaged = bytearray(content)
    for page in pages:
        damaged[(page - 1) * PAGE : page * PAGE] = GARBAGE
    return bytes(damaged)


def text_page(content: bytes, article: int) -> int:
    """The page that holds the start of the article's text."""
    marker = f"Report number {article}. ".encode()
    assert content.count(marker) == 1
    return content.index(marker) // PAGE + 1


def pages_an_open_needs(path: Path) -> set[int]:
    """The schema, and each table's and index's root and the pages down its first and last
    edges (the leftmost and the rightmost page of every level), as SQLite's dbstat lists
    them: what a check that does not grow with the library may read."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        try:
            rows = connection.execute(
                "SELECT name, path, pageno FROM dbstat WHERE pagetype != 'overflow'"
            ).fetchall()
        except sqlite3.OperationalError:
            pytest.skip("this SQLite has no dbstat table")
    levels: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    for tree, tree_path, page in rows:
        levels[tree, tree_path.count("/")].append((tree_path, page))
    needed = {page for tree, _path, page in rows if tree == "sqlite_schema"}
    for pages in levels.values():
        needed |= {min(pages)[1], max(pages)[1]}
    return needed


def test_opening_reads_only_the_schema_and_each_trees_edges(
    library_bytes: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "library.sqlite3"
    path.write_bytes(library_bytes)
    needed = pages_an_open_needs(path)
    every_other = set(range(1, len(library_bytes) // PAGE + 1)) - needed
    # What grows with the library goes: the pages of all articles but the first and the last.
    article_pages = {text_page(library_bytes, n) for n in range(1, ARTICLES + 1)}
    assert len(article_pages - every_other) <= 2 < len(article_pages)
    damaged = spoilt(library_bytes, every_other)
    path.write_bytes(damaged)
    store = ArticleStore(path)  # opens: none of those pages was read
    with store, pytest.raises(StoreDamagedError) as caught:
        store.list()
    message = str(caught.value)
    assert f"the article library {path} is damaged" in message and "\n" not in message
    assert path.read_bytes() == damaged


def test_a_library_cut_short_is_refused_on_open(library_bytes: bytes, tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    path.write_bytes(library_bytes[: len(library_bytes) // 2])
    with pytest.raises(StoreDamagedError, match=r"library\.sqlite3 is damaged"):
        ArticleStore(path)
    assert path.read_bytes() == library_bytes[: len(library_bytes) // 2]


def test_damage_met_in_use_refuses_the_library_until_it_is_restored(
    library_bytes: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "library.sqlite3"
    damaged = spoilt(library_bytes, {text_page(library_bytes, 20)})
    path.write_bytes(damaged)

    store = ArticleStore(path)  # the page is in the middle: an open does not read it
    assert store.get(1).article.source == "r1"
    with pytest.raises(StoreDamagedError, match="damaged"):
        store.get(20)
    # From then on the library is refused, a write that would miss the page included.
    with pytest.raises(StoreDamagedError, match="damaged"):
        add_sample(store, "A new report. " + TEXT, source="new")
    store.close()
    # In the next process too (the damage is marked beside the file), and by the full check.
    with pytest.raises(StoreDamagedError, match=r"found \d{4}-\d\d-\d\d .*: database disk"):
        ArticleStore(path)
    with pytest.raises(StoreDamagedError, match="damaged"):
        ArticleStore(path, check_every_page=True)
    assert path.read_bytes() == damaged

    path.write_bytes(library_bytes)  # restored from a backup
    with ArticleStore(path) as store:
        assert len(store.list()) == ARTICLES
    assert not Path(f"{path}-damaged").exists()


@pytest.mark.slow  # two processes
def test_library_check_reads_every_page(library_bytes: bytes, tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    path.write_bytes(library_bytes)
    sound = run_cli("library", "check", "--store", str(path))
    assert sound.returncode == 0, sound.stderr
    pages = len(library_bytes) // PAGE
    assert sound.stdout == f"no damage found in {path}: {pages} pages read, {ARTICLES} articles\n"

    damaged = spoilt(library_bytes, {pages // 2})  # a page an open does not read
    path.write_bytes(damaged)
    with ArticleStore(path) as store:
        assert len(store.get(1).article.text) > 0
    assert_one_line_error(run_cli("library", "check", "--store", str(path)), "is damaged")
    assert path.read_bytes() == damaged
