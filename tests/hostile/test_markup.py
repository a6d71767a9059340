"""Finding 2 without a browser: ``plain_markdown`` read back by a Markdown parser.

markdown-it-py is CommonMark with GitHub's linkify, the dialect Streamlit's front end renders
(react-markdown with remark-gfm). Whatever the untrusted text holds, the parser must find one
paragraph of plain text and code spans, and that text must be the input's characters. The
browser test (``test_browser_markup.py``) checks Streamlit's own additions on the page.
"""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from components.markup import WORD_JOINER, plain_markdown

HOSTILE_TEXTS = [
    "![t](http://host/x.png) Kharkiv",
    "[Session expired - log in again](http://host/phish)",
    "https://news.example/a?b=1&s=[phish](http://host/p)",
    "See www.host.example/p, or write to editor@host.example.",
    "<img src=x onerror=alert(1)> <http://host/auto> &lt;b&gt;",
    "**bold** _em_ ~~gone~~ `code` $x^2$ :red[Alert] :material/warning:",
    "# Heading",
    "- a list item",
    "1. numbered",
    "> quoted | a | table |",
    "=== under a line",
    "a\\*b back\\slash",
]


def rendered(markdown: str) -> str:
    return (
        MarkdownIt("commonmark", {"linkify": True})
        .enable(["linkify", "strikethrough", "table"])
        .render(markdown)
    )


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_untrusted_text_parses_as_its_own_characters_and_nothing_else(text: str) -> None:
    page = rendered(plain_markdown(text))
    tags = set(re.findall(r"</?([a-z0-9]+)", page))
    assert tags <= {"p", "code"}, page
    shown = html.unescape(re.sub(r"<[^>]+>", "", page)).strip().replace(WORD_JOINER, "")
    assert shown == text
