"""Finding 2 in a real browser: Markdown from an article's title, its source URL and a shared
link's query parameter is shown as text, never as an image, a link, a colour or a formula.

One page load: the article comes from the hostile server (its title and its address carry
the Markdown), the link that opens it carries more in ``?place=``. Every image and link the
Markdown would make points back at the hostile server, which records what is asked of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from frontline.settings import Settings
from tests.browser import BROWSER_MARKS, LOAD_TIMEOUT_MS, expect
from tests.hostile.conftest import ONLY_THE_HOSTILE_SERVER
from tests.hostile.server import HostileServer

pytestmark = BROWSER_MARKS


def test_markdown_in_a_title_a_source_and_a_query_parameter_renders_as_text(
    start_app: Any,
    page: Any,
    hostile: HostileServer,
    geoparser: Any,
    tmp_path: Path,
    artifacts_dir: Path,
) -> None:
    from frontline.service import read_input
    from frontline.store import ArticleStore

    bait = hostile.url("/bait")
    title = f"![t]({bait}/title.png) :red[Alert] $x^2$ **bold** [title link]({bait}/t)"
    source_tail = f"[phish]({bait}/source)"
    article_url = hostile.url("/page?" + urlencode({"title": title})) + "&s=" + source_tail
    settings = Settings(allowed_networks=(ONLY_THE_HOSTILE_SERVER,))
    article = read_input(article_url, settings)
    assert article.title == title
    data_dir = tmp_path / "data"
    with ArticleStore(data_dir / "library.sqlite3") as store:
        article_id = store.add(article, geoparser.geoparse(article))

    place = f"![q]({bait}/query.png) [Session expired - log in again]({bait}/phish)"
    server = start_app(data_dir=data_dir)
    page.goto(f"{server.url}?article={article_id}&place={quote(place)}")
    main = page.locator('[data-testid="stMain"]')
    heading = page.locator("h1")
    expect()(heading).to_contain_text("![t](", timeout=LOAD_TIMEOUT_MS)
    warning = page.locator(
        '[data-testid="stSidebar"] [data-testid="stAlert"]', has_text="Not in this article"
    )
    expect()(warning).to_contain_text("Not in this article", timeout=LOAD_TIMEOUT_MS)
    page.screenshot(path=str(artifacts_dir / "hostile-markdown.png"), full_page=True)

    shown = " ".join(heading.inner_text().replace("\u2060", "").split())
    assert shown == title
    assert "[Session expired - log in again](" in warning.inner_text().replace("\u2060", "")
    assert source_tail in main.inner_text().replace("\u2060", "")
    everywhere = page.locator("body")
    assert everywhere.locator(f'img[src^="{hostile.url("")}"]').count() == 0
    assert everywhere.locator(f'a[href^="{hostile.url("")}"]').count() == 0
    assert everywhere.locator(".katex").count() == 0
    assert heading.locator("strong, span[style*='color']").count() == 0
    assert not [visit.path for visit in hostile.visits if visit.path.startswith("/bait")]
