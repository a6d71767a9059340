"""Articles from text and files: encodings, HTML, sentences, metadata, bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from frontline.article import (
    article_from_bytes,
    article_from_file,
    article_from_text,
    split_sentences,
)
from frontline.errors import InputError

from .conftest import SAMPLE_ARTICLE


def test_sentences_cover_the_text_with_exact_offsets() -> None:
    text = (
        "Mr. Smith went to Washington, D.C. on Friday. He met U.S. officials!\n\n"
        "“We have to stop,” he said. Then he left for Kyiv."
    )
    sentences = split_sentences(text)
    pieces = [text[s.start : s.end] for s in sentences]
    assert pieces == [
        "Mr. Smith went to Washington, D.C. on Friday.",
        "He met U.S. officials!",
        "“We have to stop,” he said.",
        "Then he left for Kyiv.",
    ]
    assert [s.index for s in sentences] == [0, 1, 2, 3]


def test_sentence_lookup_by_offset() -> None:
    article = article_from_text("One sentence here. Another one there.", "test")
    offset = article.text.index("Another")
    assert article.sentence_text(article.sentence_index_at(offset)) == "Another one there."


def test_sample_article_reads_with_its_metadata() -> None:
    article = article_from_file(SAMPLE_ARTICLE)
    assert article.date == dt.date(2025, 10, 17)
    assert "Pokrovsk, Kupiansk and Kostyantynivka" in article.text
    assert len(article.sentences) > 40


def test_latin1_file_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(
        "Le café de Zaporizhzhia était fermé à cause des bombardements.".encode("latin-1")
    )
    article = article_from_file(path)
    assert "café" in article.text and "était" in article.text


def test_utf16_with_bom_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("Shelling near Kharkiv.".encode("utf-16"))
    assert article_from_file(path).text == "Shelling near Kharkiv."


def test_utf8_bom_is_dropped_and_line_endings_normalised() -> None:
    article = article_from_bytes("\ufeffLine one.\r\nLine two.".encode(), "test")
    assert article.text == "Line one.\nLine two."


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"  \n ")
    with pytest.raises(InputError, match="empty"):
        article_from_file(path)


def test_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(InputError, match="binary"):
        article_from_file(path)


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        article_from_file(tmp_path / "nope.txt")


def test_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a file"):
        article_from_file(tmp_path)


def test_oversize_text_is_refused_with_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("Troops advanced near Pokrovsk. " * 170_000)  # about 5 MB
    with pytest.raises(InputError, match=r"5\.\d MB is more than the 2 MB limit"):
        article_from_file(path)
    assert len(article_from_file(path, max_bytes=6_000_000).text) == path.stat().st_size


def test_html_is_reduced_to_its_article_text(tmp_path: Path) -> None:
    body = " ".join(["Russian forces shelled Kupiansk again on Tuesday."] * 8)
    html = (
        "<!doctype html><html><head><title>Shelling in Kupiansk</title>"
        '<meta property="article:published_time" content="2025-10-16"></head>'
        f"<body><nav>Home | World</nav><article><h1>Shelling in Kupiansk</h1><p>{body}</p>"
        "<p>Officials said the town remained in Ukrainian hands.</p></article>"
        "<script>alert(1)</script></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(html)
    article = article_from_file(path)
    assert "Russian forces shelled Kupiansk" in article.text
    assert "alert(1)" not in article.text and "Home | World" not in article.text
    assert article.title == "Shelling in Kupiansk"
    assert article.date == dt.date(2025, 10, 16)


def test_html_without_article_text_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="no article text"):
        article_from_bytes(
            b"<html><body><script>x()</script></body></html>", "page.html", filename="page.html"
        )


def test_metadata_file_beside_the_article(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Explosions in Odesa.")
    (tmp_path / "story.meta.json").write_text(json.dumps({"title": "Odesa", "date": "2024-05-01"}))
    article = article_from_file(path)
    assert (article.title, article.date) == ("Odesa", dt.date(2024, 5, 1))


def test_broken_metadata_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Explosions in Odesa.")
    (tmp_path / "story.meta.json").write_text("{broken")
    with pytest.raises(InputError, match="unreadable metadata"):
        article_from_file(path)


def test_html_whose_only_text_is_its_menu_is_a_clear_error() -> None:
    page = (
        b"<html><head><title>News</title></head><body><nav><a href='/'>Home</a> "
        b"<a href='/about'>About</a></nav></body></html>"
    )
    with pytest.raises(InputError, match="no article text"):
        article_from_bytes(page, "menu.html", filename="menu.html")


def test_a_short_news_flash_in_html_is_an_article() -> None:
    page = (
        b"<html><body><article><p>Explosions rocked Kharkiv overnight.</p></article></body></html>"
    )
    article = article_from_bytes(page, "flash.html", filename="flash.html")
    assert "Kharkiv" in article.text
