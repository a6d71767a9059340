"""Articles from text, bytes or files: decoding, HTML reduction, sentence spans, metadata.

Everything here is untrusted input. Decoding errors, binary files, empty texts and oversize
files become one ``InputError`` line each; nothing is silently dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from pathlib import Path

from frontline.errors import InputError
from frontline.limits import MAX_SENTENCE_CHARS
from frontline.model import Article, Sentence

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 2_000_000
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}

# Abbreviations whose trailing period does not end a sentence in news English.
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "gen",
    "lt",
    "col",
    "maj",
    "capt",
    "sgt",
    "sen",
    "rep",
    "gov",
    "pres",
    "st",
    "mt",
    "ft",
    "jr",
    "sr",
    "vs",
    "etc",
    "no",
    "inc",
    "corp",
    "co",
    "ltd",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.k",
    "u.n",
    "d.c",
    "e.g",
    "i.e",
    "a.m",
    "p.m",
    "approx",
    "dept",
    "est",
    "fig",
}
# A sentence ends at . ! ? or … (optionally followed by closing quotes/brackets), before
# whitespace; a blank line or a line break always ends one.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n+")
_HTML_START = re.compile(r"^\s*(<!doctype\s+html|<html|<head|<body|<article|<p[\s>])", re.I)


def split_sentences(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> tuple[Sentence, ...]:
    """Sentence spans over ``text`` (offsets into it), trimmed of surrounding whitespace.

    A run longer than ``max_chars`` without a sentence end (a page of one line, a list with
    no full stop) is cut into pieces of at most that many characters, at a space where there
    is one, so that no sentence is too long for spaCy or for an excerpt.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group().startswith((".",)) and not match.group().startswith("\n"):
            word_start = text.rfind(" ", start, match.start()) + 1
            word = text[word_start : match.start()].lower().strip("(\"'“‘")
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
            following = text[end : end + 3].lstrip()
            if following[:1].islower():
                continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))

    sentences: list[Sentence] = []
    for raw_start, raw_end in spans:
        chunk = text[raw_start:raw_end]
        stripped_left = len(chunk) - len(chunk.lstrip())
        stripped_right = len(chunk) - len(chunk.rstrip())
        span_start, span_end = raw_start + stripped_left, raw_end - stripped_right
        for piece_start, piece_end in _pieces(text, span_start, span_end, max_chars):
            sentences.append(Sentence(len(sentences), piece_start, piece_end))
    return tuple(sentences)


def _pieces(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut into non-empty pieces of at most ``max_chars``, each ending at
    the last space before the limit when there is one, trimmed of the spaces between."""
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + 1, start + max_chars + 1)
        if cut <= start:
            cut = start + max_chars
        pieces.append((start, len(text[start:cut].rstrip()) + start))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces


# C0 controls but tab and line feed, DEL, C1 controls.
_CONTROLS = re.compile(r"[\x01-\x08\x0b-\x1f\x7f-\x9f]")


def article_from_text(
    text: str,
    source: str,
    title: str | None = None,
    date: dt.date | None = None,
) -> Article:
    """An Article over ``text`` with line endings normalised and control characters (ESC,
    VT, SOH, ...) made spaces: "\x1bKharkiv" is Kharkiv, and no terminal or XML reader
    downstream meets them (offsets refer to the result)."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    normalised = _CONTROLS.sub(" ", normalised)
    if not normalised.strip():
        raise InputError(f"{source}: the article is empty")
    return Article(
        text=normalised,
        source=source,
        title=title,
        date=date,
        sentences=split_sentences(normalised),
    )


_UTF16_SNIFF_BYTES = 4096


def utf16_encoding(data: bytes) -> str | None:
    """The UTF-16 codec that reads ``data``, or None when it does not look like UTF-16.

    A byte order mark says so; without one (Windows tools write "Unicode" text that way),
    text in Latin script is recognised by its zero bytes: nearly all at odd offsets
    (little-endian) or at even ones (big-endian), where binary data has them anywhere.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[: _UTF16_SNIFF_BYTES - _UTF16_SNIFF_BYTES % 2]
    if len(sample) < 4:
        return None
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    half = len(sample) // 2
    for zeros, strays, codec in (
        (odd_zeros, even_zeros, "utf-16-le"),
        (even_zeros, odd_zeros, "utf-16-be"),
    ):
        if zeros >= half // 4 and strays <= zeros // 20:
            return codec
    return None


def decode_bytes(data: bytes, source: str) -> str:
    """Text from bytes: UTF-16 (by its BOM or its zero bytes), UTF-8 (with or without BOM),
    then charset detection."""
    if not data.strip():
        raise InputError(f"{source}: the file is empty")
    wide = utf16_encoding(data)
    if wide is not None:
        try:
            text = data.decode(wide)
        except UnicodeDecodeError as error:
            raise InputError(f"{source}: not valid UTF-16 text ({error.reason})") from error
        if _looks_binary(text):
            raise InputError(f"{source}: this is a binary file, not text")
        return text
    if b"\x00" in data[:8192]:
        raise InputError(f"{source}: this is a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"{source}: could not tell the text encoding; save it as UTF-8")
    if _looks_binary(str(best)):
        raise InputError(f"{source}: this is a binary file, not text")
    logger.info("%s decoded as %s", source, best.encoding)
    return str(best)


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    control = sum(1 for char in sample if ord(char) < 32 and char not in "\n\r\t\f")
    return control / len(sample) > 0.05


# What trafilatura keeps from a page with no article is its menu ("Home About"): fewer words
# than the shortest news flash ("Explosions rocked Kharkiv overnight.").
MIN_HTML_ARTICLE_WORDS = 4


def looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:2048]))


def html_to_article(html: str, source: str) -> Article:
    """The main text, title and date of an HTML page (trafilatura's extraction)."""
    import trafilatura

    document = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=False, with_metadata=True
    )
    text = getattr(document, "text", None) if document is not None else None
    if not text or len(text.split()) < MIN_HTML_ARTICLE_WORDS:
        raise InputError(f"{source}: no article text found in this HTML page")
    title = getattr(document, "title", None) or None
    return article_from_text(
        text, source, title=title, date=parse_date(getattr(document, "date", None))
    )


def parse_date(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        logger.warning("ignoring unreadable date %r", value)
        return None


def read_metadata(path: Path) -> tuple[str | None, dt.date | None]:
    """Title and date from ``NAME.meta.json`` beside an article file, if there is one."""
    meta_path = path.with_name(path.name.rsplit(".", 1)[0] + ".meta.json")
    if not meta_path.is_file():
        return None, None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"{meta_path}: unreadable metadata ({error})") from error
    if not isinstance(meta, dict):
        raise InputError(f"{meta_path}: metadata must be a JSON object")
    title = meta.get("title") or None
    date = parse_date(meta.get("date") or meta.get("published") or meta.get("event_date"))
    return (str(title) if title else None), date


def article_from_bytes(
    data: bytes, source: str, *, filename: str = "", max_bytes: int = DEFAULT_MAX_BYTES
) -> Article:
    if len(data) > max_bytes:
        raise InputError(
            f"{source}: {len(data) / 1e6:.1f} MB is more than the {max_bytes / 1e6:.0f} MB "
            "limit for one article"
        )
    text = decode_bytes(data, source)
    if Path(filename).suffix.lower() in HTML_SUFFIXES or looks_like_html(text):
        return html_to_article(text, source)
    return article_from_text(text, source)


def article_from_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """An Article from a text, Markdown or HTML file, with metadata from a ``.meta.json``."""
    file_path = Path(path)
    if not file_path.exists():
        raise InputError(f"{file_path}: no such file")
    if not file_path.is_file():
        raise InputError(f"{file_path}: not a file")
    try:
        size = file_path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{file_path}: {size / 1e6:.1f} MB is more than the {max_bytes / 1e6:.0f} MB "
                "limit for one article"
            )
        data = file_path.read_bytes()
    except OSError as error:
        raise InputError(f"{file_path}: cannot read ({error.strerror})") from error
    article = article_from_bytes(data, str(file_path), filename=file_path.name, max_bytes=max_bytes)
    title, date = read_metadata(file_path)
    return Article(
        text=article.text,
        source=article.source,
        title=title or article.title,
        date=date or article.date,
        sentences=article.sentences,
    )


def display_title(title: str | None, source: str) -> str:
    """An article's title as every reader sees it (app, CLI, exports): its own, or for an
    untitled file its name made readable ("trump-zelensky-tomahawks.txt" -> "Trump zelensky
    tomahawks"); a URL stays a URL."""
    if title and title.strip():
        return " ".join(title.split())
    if "://" in source:
        return source
    name = Path(source).name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return stem.replace("-", " ").replace("_", " ").strip().capitalize() or source
