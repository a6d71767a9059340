"""Untrusted text made inert: HTML for ``st.html`` and folium, Markdown for every other element.

**HTML.** Article text becomes inert HTML, with mentions wrapped in ``<mark>``.

Every string that comes from an article (sentences, place names, evidence) goes through
``escape_text`` before it becomes HTML. Besides the HTML specials it also turns the
backtick, the dollar sign and the backslash into character references, because folium
writes popup and tooltip HTML into JavaScript template literals (`` `...` ``): there a raw
`` ` `` or ``${`` would end the literal or run code, and a stray backslash would be an
escape sequence that breaks the whole map script.

**Markdown.** Streamlit renders Markdown in titles, captions, alerts, toasts, expander and
button labels and radio options, with its own additions: ``:red[...]`` colours, ``$...$``
formulas, ``:material/icon:`` icons. A title, a source URL, a query parameter or an error
message that quotes them goes through ``plain_markdown`` first, so that
``![x](http://host/x.png)`` is shown as those characters, not fetched as an image, and a
bare address is shown as code, not made a link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_TEMPLATE_LITERAL_SPECIALS = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})
# Characters that open Markdown markup anywhere in a line, escaped with a backslash: escapes,
# code, emphasis, links and images ("[" also opens ":red[...]"), HTML and autolinks,
# formulas, strikethrough, tables, entities ("&lt;").
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>$~|&])")
# What a backslash does not stop, because Streamlit matches it on the text after escapes:
# ":smile:" and ":material/icon:" shortcodes, broken by an invisible WORD JOINER (U+2060)
# after the colon, and bare addresses, which become links ("http://", "www.", "a@b.co"):
# those are shown as code, where nothing is linked and they can still be copied whole.
WORD_JOINER = "\u2060"
_SHORTCODE = re.compile(r":(?=\S)")
_ADDRESS = re.compile(r"(?i)(?:\bhttps?://|\bwww\.|[\w.+-]+@)\S*?(?=[.,;:!?'\")\]]*(?:\s|$))")
# At the start of a line only: headings, lists, rules, numbered lists.
_BLOCK_START = re.compile(r"^([#=+-])|^(\d+)([.)])")


def plain_markdown(text: object) -> str:
    """``text`` for an element that renders Markdown, shown as exactly its characters on one
    line (runs of whitespace, line breaks included, become one space): addresses as code,
    the rest escaped."""
    line = " ".join(str(text).split())
    pieces: list[str] = []
    cursor = 0
    for address in _ADDRESS.finditer(line):
        pieces.append(_escaped(line[cursor : address.start()]))
        pieces.append(_code_span(address.group()))
        cursor = address.end()
    pieces.append(_escaped(line[cursor:]))
    return _BLOCK_START.sub(_escape_block_start, "".join(pieces))


def _escaped(text: str) -> str:
    return _SHORTCODE.sub(":" + WORD_JOINER, _MARKDOWN_SPECIALS.sub(r"\\\1", text))


def _code_span(text: str) -> str:
    """``text`` as a code span: fenced by more backticks than it holds in a row."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _escape_block_start(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)


def escape_text(text: str) -> str:
    """``text`` as HTML that shows exactly those characters and can run nothing."""
    return html.escape(text, quote=True).translate(_TEMPLATE_LITERAL_SPECIALS)


@dataclass(frozen=True, slots=True)
class Highlight:
    """A span of the article to wrap in ``<mark>``; ``label`` becomes the mark's title."""

    start: int
    end: int
    label: str = ""
    css_class: str = ""


def highlight(
    text: str, highlights: Iterable[Highlight], start: int = 0, end: int | None = None
) -> str:
    """``text[start:end]`` as escaped HTML with each highlight wrapped in ``<mark>``.

    Offsets are into ``text``. Each segment is escaped on its own, so a mark can never split
    an entity or a tag. Overlapping highlights keep the one that starts first; spans outside
    ``[start, end)`` are clipped.
    """
    stop = len(text) if end is None else min(end, len(text))
    pieces: list[str] = []
    cursor = start
    for item in sorted(highlights, key=lambda h: (h.start, -h.end)):
        mark_start, mark_end = max(item.start, cursor), min(item.end, stop)
        if mark_end <= mark_start:
            continue
        pieces.append(escape_text(text[cursor:mark_start]))
        attributes = ""
        if item.label:
            attributes += f' title="{escape_text(item.label)}"'
        if item.css_class:
            attributes += f' class="{escape_text(item.css_class)}"'
        pieces.append(f"<mark{attributes}>{escape_text(text[mark_start:mark_end])}</mark>")
        cursor = mark_end
    pieces.append(escape_text(text[cursor:stop]))
    return "".join(pieces)


def shorten_around(
    text: str, start: int, end: int, focus: Sequence[tuple[int, int]], max_chars: int
) -> tuple[int, int]:
    """A window of at most ``max_chars`` inside ``[start, end)`` that keeps the first focus span.

    Used for popup excerpts, where a long sentence would swamp the popup. Returns offsets into
    ``text`` snapped to word boundaries.
    """
    if end - start <= max_chars:
        return start, end
    anchor_start, anchor_end = focus[0] if focus else (start, start)
    slack = max(0, max_chars - (anchor_end - anchor_start))
    window_start = max(start, anchor_start - slack // 2)
    window_end = min(end, window_start + max_chars)
    window_start = max(start, window_end - max_chars)
    if window_start > start:
        space = text.find(" ", window_start, anchor_start)
        window_start = space + 1 if space != -1 else window_start
    if window_end < end:
        space = text.rfind(" ", anchor_end, window_end)
        window_end = space if space != -1 else window_end
    return window_start, window_end
