"""The library side of the dashboard without a browser: the input rules (paste, upload,
link), what the sidebar opens, the corrections tools' helpers, the across-articles frames,
and the app itself through AppTest on a fresh data folder.

Links are served by ``http.server`` on 127.0.0.1/127.0.0.2; nothing reaches the internet.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from components import across_articles, article_input, corrections_panel, library_panel
from components.markup import plain_markdown
from frontline import overview, service
from frontline.corrections import AddMention, ChooseCandidate, RemovePlace
from frontline.errors import FetchError, InputError, StoreError, URLRefusedError
from frontline.model import Article, GeoparseResult
from frontline.overview import Scope, mention_counts
from frontline.settings import Settings
from frontline.store import ArticleStore

REPO_ROOT = Path(__file__).resolve().parents[1]
APP = str(REPO_ROOT / "app.py")
TIMEOUT_S = 180
MAX_BYTES = 2_000_000
KHARKIV_ODESA = "Drones hit Kharkiv overnight. A missile struck the port of Odesa on Tuesday."
ARTICLE_PARAGRAPHS = [
    "Russian drones struck Kharkiv overnight, the regional governor said on Tuesday, "
    "damaging apartment blocks and a power station in the north of the city.",
    "Further south, a missile hit the port of Odesa, where grain ships were loading, and "
    "emergency crews worked through the morning to put out the fires near the quays.",
    "Officials in Kyiv said air defences had shot down most of the drones over the capital, "
    "but warned that more attacks on energy sites were expected as winter approached.",
]
ARTICLE_HTML = (
    "<!doctype html><html><head><title>Drones strike Kharkiv</title>"
    '<meta property="article:published_time" content="2025-11-04"></head><body>'
    "<nav>Home | World | Europe</nav><article><h1>Drones strike Kharkiv</h1>"
    + "".join(f"<p>{paragraph}</p>" for paragraph in ARTICLE_PARAGRAPHS)
    + "</article><footer>Copyright</footer></body></html>"
)
# A page whose article is drawn by a script: the HTML itself holds no article text.
EMPTY_HTML = (
    "<!doctype html><html><head><title>Live</title><script src='/app.js'></script></head>"
    "<body><div id='root'></div><script>render(document.getElementById('root'))</script>"
    "</body></html>"
)


class CountingGeoparse:
    """The real geoparser, counting its calls (a refused input must never reach it)."""

    def __init__(self, geoparser: Any) -> None:
        self.geoparser = geoparser
        self.calls = 0

    def __call__(self, article: Article) -> GeoparseResult:
        self.calls += 1
        result: GeoparseResult = self.geoparser.geoparse(article)
        return result


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ArticleStore]:
    with ArticleStore(tmp_path / "library.sqlite3") as library:
        yield library


@pytest.fixture
def geoparse(geoparser: Any) -> CountingGeoparse:
    return CountingGeoparse(geoparser)


# --- pages served on 127.0.0.x -------------------------------------------------------------


class PageServer:
    def __init__(self, host: str, routes: dict[str, Callable[[BaseHTTPRequestHandler], None]]):
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(self.path)
                route = routes.get(self.path)
                if route is None:
                    self.send_error(404)
                else:
                    route(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # the client gave up on a slow answer (that is the test)

        self.server = Server((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def send_html(body: str) -> Callable[[BaseHTTPRequestHandler], None]:
    def route(handler: BaseHTTPRequestHandler) -> None:
        data = body.encode("utf-8")
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return route


def redirect_to(location: str) -> Callable[[BaseHTTPRequestHandler], None]:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def answer_after(seconds: float) -> Callable[[BaseHTTPRequestHandler], None]:
    def route(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        send_html(ARTICLE_HTML)(handler)

    return route


@pytest.fixture
def news_site() -> Iterator[PageServer]:
    """A news site on 127.0.0.1 (loopback: refused unless private addresses are allowed)."""
    server = PageServer(
        "127.0.0.1",
        {
            "/article": send_html(ARTICLE_HTML),
            "/empty": send_html(EMPTY_HTML),
            "/slow": answer_after(3.0),
        },
    )
    yield server
    server.close()


@pytest.fixture
def redirecting_site(news_site: PageServer) -> Iterator[PageServer]:
    """A site on 127.0.0.2 whose pages redirect to loopback and to cloud metadata."""
    server = PageServer(
        "127.0.0.2",
        {
            "/to-loopback": redirect_to(news_site.url + "/article"),
            "/to-metadata": redirect_to("http://169.254.169.254/latest/meta-data/"),
        },
    )
    yield server
    server.close()


def private_settings(**changes: Any) -> Settings:
    return replace(Settings(), allow_private_urls=True, **changes)


# --- input rules ---------------------------------------------------------------------------


def test_paste_gives_an_article_titled_by_its_first_sentence() -> None:
    article = service.article_from_paste(
        "  \n" + KHARKIV_ODESA + "\nSecond paragraph.", max_bytes=MAX_BYTES
    )
    assert article.title == "Drones hit Kharkiv overnight"
    assert article.text.startswith("  \nDrones hit Kharkiv")
    assert article.source.startswith("pasted text (")
    given = service.article_from_paste(
        "Shelling in Kherson.", max_bytes=MAX_BYTES, title=" Kherson ", date=dt.date(2025, 1, 2)
    )
    assert (given.title, given.date) == ("Kherson", dt.date(2025, 1, 2))


def test_title_from_text_keeps_short_lines_and_cuts_long_ones() -> None:
    assert service.title_from_text("\n\nShort headline\nbody") == "Short headline"
    long_line = "Drones hit Kharkiv overnight. " + "word " * 40
    assert service.title_from_text(long_line) == "Drones hit Kharkiv overnight"
    no_stop = "word " * 40
    title = service.title_from_text(no_stop)
    assert title.endswith("…") and len(title) <= service.TITLE_FROM_TEXT_CHARS + 1


def test_display_title_names_untitled_files_readably() -> None:
    assert article_input.display_title(None, "/x/trump-zelensky-tomahawks.txt") == (
        "Trump zelensky tomahawks"
    )
    assert article_input.display_title("Given", "/x/a.txt") == "Given"


BAD_INPUTS: dict[str, tuple[Callable[[], Article], str]] = {
    "empty paste": (
        lambda: service.article_from_paste(" \n\t ", max_bytes=MAX_BYTES),
        "empty",
    ),
    "oversize paste": (
        lambda: service.article_from_paste("Kharkiv " * 300_000, max_bytes=MAX_BYTES),
        "limit",
    ),
    "20 MB upload": (
        lambda: service.article_from_upload(
            "big.txt", b"Kharkiv and Odesa. " * (20_000_000 // 19), max_bytes=MAX_BYTES
        ),
        "20.0 MB is more than the 2 MB limit",
    ),
    "binary file named .txt": (
        lambda: service.article_from_upload(
            "photo.txt",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
            max_bytes=MAX_BYTES,
        ),
        "binary file",
    ),
    "HTML with no article text": (
        lambda: service.article_from_upload("page.html", EMPTY_HTML.encode(), max_bytes=MAX_BYTES),
        "no article text",
    ),
    "PDF": (
        lambda: service.article_from_upload("a.pdf", b"%PDF-1.7", max_bytes=MAX_BYTES),
        "PDF",
    ),
    "other kind of file": (
        lambda: service.article_from_upload("a.exe", b"MZ", max_bytes=MAX_BYTES),
        "not a text, Markdown or HTML file",
    ),
    "empty link": (lambda: service.article_from_link("  ", Settings()), "no link"),
    "link that is not http": (
        lambda: service.article_from_link("file:///etc/passwd", Settings()),
        "only http:// and https:// links",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_INPUTS))
def test_each_bad_input_is_one_clear_error_and_stores_nothing(
    kind: str, store: ArticleStore, geoparse: CountingGeoparse
) -> None:
    make_article, expected = BAD_INPUTS[kind]
    with pytest.raises(InputError) as raised:
        service.add_to_library(store, geoparse, make_article())
    message = str(raised.value)
    assert expected in message
    assert "\n" not in message and "Traceback" not in message
    assert store.list() == () and geoparse.calls == 0


def test_upload_of_markdown_and_html(store: ArticleStore, geoparse: CountingGeoparse) -> None:
    markdown = service.article_from_upload(
        "notes.md", ("# Front\n\n" + KHARKIV_ODESA).encode("utf-8"), max_bytes=MAX_BYTES
    )
    assert markdown.title == "# Front" and "Odesa" in markdown.text
    page = service.article_from_upload(
        "story.HTML", ARTICLE_HTML.encode("utf-8"), max_bytes=MAX_BYTES
    )
    assert page.title == "Drones strike Kharkiv"
    assert "Home | World" not in page.text and "port of Odesa" in page.text
    # windows-1251 text is recognised without being told.
    cyrillic = "Харків і Одеса: нічна атака дронів на місто та порт. " * 20
    decoded = service.article_from_upload("ua.txt", cyrillic.encode("cp1251"), max_bytes=MAX_BYTES)
    assert decoded.text.startswith("Харків і Одеса")


def test_link_is_fetched_and_reduced_when_private_addresses_are_allowed(
    news_site: PageServer,
) -> None:
    article = service.article_from_link(news_site.url + "/article", private_settings())
    assert article.title == "Drones strike Kharkiv"
    assert article.date == dt.date(2025, 11, 4)
    assert "port of Odesa" in article.text and "Copyright" not in article.text
    assert article.source == news_site.url + "/article"


def test_link_to_loopback_is_refused_without_a_request(news_site: PageServer) -> None:
    with pytest.raises(URLRefusedError) as raised:
        service.article_from_link(news_site.url + "/article", Settings())
    assert "127.0.0.1" in str(raised.value) and "FRONTLINE_ALLOW_PRIVATE_URLS" in str(raised.value)
    assert news_site.requests == []


def test_link_that_times_out_is_one_error(news_site: PageServer) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError) as raised:
        service.article_from_link(news_site.url + "/slow", private_settings(http_timeout_s=0.5))
    assert "time limit of 0.5 s" in str(raised.value) and "/slow" in str(raised.value)
    assert time.monotonic() - started < 3.0  # it did not wait for the answer


def test_link_page_with_no_article_text(news_site: PageServer) -> None:
    with pytest.raises(InputError, match="no article text"):
        service.article_from_link(news_site.url + "/empty", private_settings())


@pytest.mark.parametrize(
    ("path", "refused"), [("/to-loopback", "127.0.0.1"), ("/to-metadata", "169.254.169.254")]
)
def test_link_redirecting_to_a_private_address_is_refused(
    redirecting_site: PageServer, news_site: PageServer, path: str, refused: str
) -> None:
    # Only the redirecting site (127.0.0.2) is let through; the hop it redirects to is not.
    settings = replace(Settings(), allowed_networks=("127.0.0.2/32",))
    with pytest.raises(URLRefusedError) as raised:
        service.article_from_link(redirecting_site.url + path, settings)
    assert f"redirected to http://{refused}" in str(raised.value)
    assert redirecting_site.requests == [path]
    assert news_site.requests == []


def test_an_article_added_again_is_geoparsed_again_and_stored_once(
    store: ArticleStore, geoparse: CountingGeoparse
) -> None:
    """The dashboard's add and the CLI's are one: a text already stored gets a fresh
    geoparse, keeps its id, its title and its corrections, which apply to the new result."""
    article = service.article_from_paste(KHARKIV_ODESA, max_bytes=MAX_BYTES)
    first = service.add_to_library(store, geoparse, article)
    store.add_correction(first.article_id, RemovePlace("Odesa", "the ship"))
    again = service.add_to_library(store, geoparse, replace(article, title="Other"))
    assert first.created and not again.created
    assert first.article_id == again.article_id and geoparse.calls == 2
    assert (again.corrections, again.skipped_corrections) == (1, 0)
    assert again.summary.title == first.summary.title != "Other"
    stored = store.get(first.article_id)
    assert {place.name for place in stored.result.places} == {"Kharkiv", "Odesa"}
    assert [place.name for place in stored.corrected().result.places] == ["Kharkiv"]
    assert [summary.id for summary in store.list()] == [first.article_id]


# --- which article the sidebar opens -----------------------------------------------------------


def test_choose_article_order_of_preference() -> None:
    ids = [5, 3, 1]
    choose = library_panel.choose_article
    assert choose(ids, current=3, url_value="1", pending=5, startup=1) == (5, None)
    assert choose(ids, current=3, url_value="1", pending=None, startup=1) == (3, None)
    assert choose(ids, current=None, url_value="1", pending=None, startup=3) == (1, None)
    assert choose(ids, current=None, url_value=None, pending=None, startup=3) == (3, None)
    assert choose(ids, current=None, url_value=None, pending=None, startup=None) == (5, None)
    chosen, warning = choose(ids, current=None, url_value="9", pending=None, startup=3)
    assert chosen == 3 and warning is not None and "9" in warning
    assert choose(ids, current=None, url_value="x", pending=None, startup=None)[0] == 5
    assert choose([], current=None, url_value=None, pending=None, startup=None) == (None, None)


def test_switching_articles_forgets_the_previous_articles_view() -> None:
    from components import focus, sidebar

    state: dict[str, Any] = {}
    assert not library_panel.forget_previous_article(state, 1)
    state[sidebar.FILTER_KEY] = ["Kharkiv"]
    state[focus.FOCUS_KEY] = ("Kharkiv",)
    state[focus.VIEW_KEY] = "a view"
    assert not library_panel.forget_previous_article(state, 1)
    assert state[sidebar.FILTER_KEY] == ["Kharkiv"]
    assert library_panel.forget_previous_article(state, 2)
    assert state[sidebar.FILTER_KEY] == [] and state[focus.FOCUS_KEY] == ()
    assert focus.VIEW_KEY not in state


# --- corrections helpers -------------------------------------------------------------------


def test_occurrences_are_whole_words_not_yet_marked() -> None:
    text = "Izium held. Near Izium,\nthe road to Izyum and Izium-2 stayed open. izium"
    first = text.index("Izium")
    found = corrections_panel.find_occurrences(text, "Izium", taken=[(first, first + 5)])
    # The marked one is skipped; "Izium-2" counts (a hyphen ends a word); the lower-case
    # one is left out because the exact spelling exists.
    assert [text[o.start : o.end] for o in found] == ["Izium", "Izium"]
    assert found[0].before == "Izium held. Near" and found[0].after.startswith(", the road")
    assert [o.text for o in corrections_panel.find_occurrences(text, "IZYUM")] == ["Izyum"]
    two_words = corrections_panel.find_occurrences("in New\n  York today", "New York")
    assert [(o.start, o.end) for o in two_words] == [(3, 13)]
    assert corrections_panel.find_occurrences(text, "Iziu") == ()
    assert corrections_panel.find_occurrences(text, "   ") == ()


def test_gazetteer_search_puts_exact_names_first(gazetteer: Any) -> None:
    search = corrections_panel.gazetteer_search(gazetteer)
    kharkov = search("Kharkov")
    assert kharkov and kharkov[0].name == "Kharkiv" and kharkov[0].country_code == "UA"
    pokrovsk = search("Pokrovsk")
    assert [c.name for c in pokrovsk[:2]] == ["Pokrovsk", "Pokrovsk"]  # Engels comes later
    assert any(c.name == "Engels" for c in pokrovsk)
    prefix = search("Zaporiz")
    assert any(candidate.name.startswith("Zapori") for candidate in prefix)
    assert len({candidate.key for candidate in prefix}) == len(prefix)
    assert search("  ") == ()


def test_candidate_labels_and_correction_descriptions(store: ArticleStore, geoparse: Any) -> None:
    article = service.article_from_paste(KHARKIV_ODESA, max_bytes=MAX_BYTES)
    added = service.add_to_library(store, geoparse, article)
    stored = store.get(added.article_id)
    odesa = next(place for place in stored.result.places if place.name == "Odesa")
    texas = next(c for c in corrections_panel.other_candidates(odesa) if c.admin1 == "Texas")
    label = corrections_panel.candidate_label(texas, near=odesa.candidate)
    assert label.startswith("Odessa, Texas, United States · city or town · pop.")
    assert "km from the current pin" in label
    what = corrections_panel.correction_what(
        ChooseCandidate("Odesa", texas.geonameid or 0, "a ship"), stored.result
    )
    assert what.startswith("Odesa: placed at Odessa, Texas")
    assert "removed" in corrections_panel.correction_what(RemovePlace("Odesa"), stored.result)


def test_corrections_saved_from_the_tools_apply_and_can_be_removed(
    store: ArticleStore, geoparse: Any, gazetteer: Any
) -> None:
    # "the capital" is no place name, so no geoparse finds it: the reader adds it.
    text = KHARKIV_ODESA + " In the capital, the sirens sounded twice."
    article = service.article_from_paste(text, max_bytes=MAX_BYTES)
    article_id = service.add_to_library(store, geoparse, article).article_id
    stored = store.get(article_id)
    search = corrections_panel.gazetteer_search(gazetteer)
    kyiv = next(c for c in search("Kyiv") if c.country_code == "UA" and c.feature == "city")
    occurrences = corrections_panel.find_occurrences(
        stored.article.text, "the capital", corrections_panel.mention_spans(stored.result)
    )
    assert [o.text for o in occurrences] == ["the capital"]
    message = corrections_panel.save_correction(
        store,
        article_id,
        [
            RemovePlace("Odesa", "the ship, not the city"),
            *corrections_panel.added_mentions(stored.article, occurrences, kyiv, "the capital"),
        ],
    )
    assert message == "2 corrections saved."
    report = store.get(article_id).corrected()
    places = {place.name: place for place in report.result.places}
    assert set(places) == {"Kharkiv", "the capital"}
    assert places["the capital"].candidate == kyiv
    assert report.skipped == ()
    # A correction that does not apply is refused with one line, and nothing is added.
    with pytest.raises(StoreError, match="no place named 'Lviv'"):
        corrections_panel.save_correction(store, article_id, [RemovePlace("Lviv")])
    corrections = store.get(article_id).corrections
    assert [type(entry.correction) for entry in corrections] == [RemovePlace, AddMention]
    store.remove_correction(article_id, corrections[0].id)
    names = {place.name for place in store.get(article_id).corrected().result.places}
    assert names == {"Kharkiv", "Odesa", "the capital"}


# --- across articles -------------------------------------------------------------------------


def test_across_articles_frames(store: ArticleStore, geoparse: Any) -> None:
    first = service.add_to_library(
        store,
        geoparse,
        service.article_from_paste(
            KHARKIV_ODESA + " Officials in Kiev protested.",
            max_bytes=MAX_BYTES,
            date=dt.date(2025, 3, 1),
        ),
    ).article_id
    second = service.add_to_library(
        store,
        geoparse,
        service.article_from_paste(
            "Shelling hit Kharkiv again. Kharkiv was without power, and Kyiv sent help.",
            max_bytes=MAX_BYTES,
            date=dt.date(2025, 3, 5),
        ),
    ).article_id
    undated = service.add_to_library(
        store,
        geoparse,
        service.article_from_paste("Fighting near Pokrovsk continued.", max_bytes=MAX_BYTES),
    ).article_id
    store.add_correction(first, RemovePlace("Odesa", "not in this story"))
    totals = overview.place_totals(store, Scope())
    assert (totals[0].name, totals[0].mentions, totals[0].articles) == ("Kharkiv", 3, 2)
    assert totals[0].latest == dt.date(2025, 3, 5)
    assert "Odesa" not in {total.name for total in totals}  # the reader removed it
    # Kiev (first report) and Kyiv (second) are one place, named as the newest report does.
    kyiv = [total for total in totals if total.name in {"Kiev", "Kyiv"}]
    assert [(total.name, total.mentions, total.articles) for total in kyiv] == [("Kyiv", 2, 2)]

    counts = mention_counts(store, Scope())
    table = across_articles.counts_table(counts, store.list())
    kharkiv = table[table["Place"] == "Kharkiv"].iloc[0]
    assert kharkiv["Total"] == 3
    columns = list(table.columns)
    assert columns[0] == "Place" and columns[-1] == "Total"
    assert columns[1].endswith("(2025-03-01)") and columns[2].endswith("(2025-03-05)")
    assert columns[3].endswith("(no date)")
    assert list(table["Place"]).count("Kiev") == 1 and "Kyiv" not in set(table["Place"])

    only_second = mention_counts(store, Scope(article_ids=(second,)))
    assert {row.article_id for row in only_second} == {second}
    kharkiv_key = totals[0].key
    only_kharkiv = mention_counts(store, Scope(place_keys=(kharkiv_key,)))
    assert {row.article_id for row in only_kharkiv} == {first, second}
    # A date range leaves undated articles out; no range keeps them.
    march = Scope(dt.date(2025, 3, 2), dt.date(2025, 3, 31))
    assert overview.article_count(store, march) == 1
    assert overview.article_count(store, Scope()) == 3
    assert overview.articles_naming(store, Scope(place_keys=(totals[0].key,))) == 2
    assert {total.name for total in overview.place_totals(store, march)} == {"Kharkiv", "Kyiv"}

    days = overview.timeline(store, Scope(), totals[:1])
    timeline = across_articles.timeline_frame(days)
    assert set(timeline["date"].dt.date) == {dt.date(2025, 3, 1), dt.date(2025, 3, 5)}
    assert set(timeline["place"]) == {"Kharkiv", across_articles.OTHER_PLACES}
    kharkiv_rows = timeline[timeline["place"] == "Kharkiv"]
    by_day = kharkiv_rows.set_index(kharkiv_rows["date"].dt.date)
    assert by_day.loc[dt.date(2025, 3, 5), "mentions"] == 2
    dated = [row for row in counts if row.article_date is not None]
    assert timeline["mentions"].sum() == sum(row.count for row in dated)
    assert undated not in {row.article_id for row in dated}
    across_articles.timeline_chart(timeline).to_dict()  # a valid Vega-Lite spec
    weeks = across_articles.by_week(timeline)
    # 2025-03-01 (a Saturday) and 2025-03-05 (a Wednesday) fall in the weeks of 24 Feb, 3 Mar.
    assert set(weeks["date"].dt.date) == {dt.date(2025, 2, 24), dt.date(2025, 3, 3)}
    assert weeks["mentions"].sum() == timeline["mentions"].sum()
    across_articles.timeline_chart(weeks, weekly=True).to_dict()

    # The sentences naming Kharkiv across articles: newest article first, in text order.
    found = overview.sentences_naming(store, kharkiv_key, Scope())
    assert [(s.article_id, s.text) for s in found.sentences] == [
        (second, "Shelling hit Kharkiv again."),
        (second, "Kharkiv was without power, and Kyiv sent help."),
        (first, "Drones hit Kharkiv overnight."),
    ]
    assert found.sentences[0].marks == ((13, 20),)
    assert (found.articles_listed, found.articles_naming) == (2, 2)
    html = across_articles.sentences_html(found.sentences)
    assert [article_id for article_id, _ in html] == [second, second, first]
    assert "<mark>Kharkiv</mark>" in html[0][1]


# --- the app through AppTest on a fresh data folder ------------------------------------------


@pytest.fixture
def library_app(
    cache_dir: Path, gazetteer: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[AppTest, Path]:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("FRONTLINE_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("FRONTLINE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("FRONTLINE_TILES_URL", "")
    monkeypatch.setattr(sys, "argv", ["app.py"])
    return AppTest.from_file(APP, default_timeout=TIMEOUT_S), data_dir / "library.sqlite3"


def table_places(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["Place"])


def test_app_starts_with_the_sample_in_a_new_library_and_switches_articles(
    library_app: tuple[AppTest, Path], geoparser: Any
) -> None:
    app, store_path = library_app
    at = app.run()
    assert not at.exception and not at.error
    picker = at.selectbox(key=library_panel.ARTICLE_KEY)
    assert picker.label == "Article (1 in the library)"
    sample_id = picker.value
    assert at.query_params["article"] in (str(sample_id), [str(sample_id)])
    assert "Pokrovsk" in table_places(at)

    # Another session adds an article; this one switches to it.
    with ArticleStore(store_path) as store:
        other = service.add_to_library(
            store,
            geoparser.geoparse,
            service.article_from_paste(KHARKIV_ODESA, max_bytes=MAX_BYTES),
        ).article_id
    at.multiselect(key="place_filter").set_value(["Pokrovsk"]).run()
    at.selectbox(key=library_panel.ARTICLE_KEY).set_value(other).run()
    assert not at.exception
    assert at.multiselect(key="place_filter").value == []  # the old filter is gone
    assert set(table_places(at)) == {"Kharkiv", "Odesa"}
    assert "place" not in at.query_params

    # The date picks the front-line snapshot: it is stored with the article.
    at.date_input(key=f"library_date_{other}").set_value(dt.date(2025, 6, 1)).run()
    assert not at.exception
    assert "Date: 2025-06-01" in at.caption[0].value
    with ArticleStore(store_path) as store:
        assert store.get(other).article.date == dt.date(2025, 6, 1)

    # The all-articles view lists both, in its table once the reader opens it: the page
    # opens on the map, with the timeline and the table neither computed nor drawn.
    at.button_group(key=library_panel.VIEW_KEY).set_value(library_panel.ACROSS_VIEW).run()
    assert not at.exception
    assert at.title[0].value == "All articles"
    assert len(at.dataframe) == 0 and not at.get("vega_lite_chart")
    labels = [expander.label for expander in at.expander]
    assert {"Timeline of mentions by article date", "Places by article"} <= set(labels)
    at.session_state[across_articles.TABLE_OPEN_KEY] = True
    at.run()
    assert len(at.dataframe) == 1 and not at.get("vega_lite_chart")
    at.session_state[across_articles.TIMELINE_OPEN_KEY] = True
    at.run()
    assert len(at.get("vega_lite_chart")) == 1
    table = at.dataframe[0].value
    assert {"Kharkiv", "Odesa", "Pokrovsk"} <= set(table["Place"])

    # Deleting the open article leaves the other one, opened in its place.
    at.button_group(key=library_panel.VIEW_KEY).set_value(library_panel.ARTICLE_VIEW).run()
    at.button(key="library_delete").click().run()
    assert not at.exception and not at.error
    picker = at.selectbox(key=library_panel.ARTICLE_KEY)
    assert picker.label == "Article (1 in the library)" and picker.value == sample_id
    assert "Pokrovsk" in table_places(at)


def test_app_corrects_a_place_from_its_context_and_lists_the_correction(
    library_app: tuple[AppTest, Path], geoparser: Any
) -> None:
    app, store_path = library_app
    with ArticleStore(store_path) as store:
        article_id = service.add_to_library(
            store,
            geoparser.geoparse,
            service.article_from_paste(KHARKIV_ODESA, max_bytes=MAX_BYTES),
        ).article_id
    app.query_params["article"] = str(article_id)
    at = app.run()
    assert set(table_places(at)) == {"Kharkiv", "Odesa"}
    at.session_state["focus_places"] = ("Odesa",)
    at.run()
    base = corrections_panel._key(article_id, "Odesa")
    at.radio(key=f"{base}_action").set_value(corrections_panel.REMOVE).run()
    at.text_input(key=f"{base}_remove_reason").input("the ship, not the city")
    at.button(key=f"FormSubmitter:{base}_remove_form-Remove Odesa").click().run()
    assert not at.exception and not at.error
    assert table_places(at) == ["Kharkiv"]
    listed = " ".join(element.value for element in at.markdown)
    assert "Odesa: removed" in listed
    assert any("the ship, not the city" in caption.value for caption in at.caption)

    # A fresh session (a reload) shows the same, and the correction can be taken back.
    again = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    again.query_params["article"] = str(article_id)
    again.run()
    assert table_places(again) == ["Kharkiv"]
    with ArticleStore(store_path) as store:
        correction_id = store.get(article_id).corrections[0].id
    again.button(key=f"remove_correction_{correction_id}").click().run()
    assert set(table_places(again)) == {"Kharkiv", "Odesa"}
    # Pick another candidate: the place stays, its pin goes to the chosen entry.
    again.session_state["focus_places"] = ("Odesa",)
    again.run()
    again.radio(key=f"{base}_action").set_value(corrections_panel.CHOOSE).run()
    choices = again.selectbox(key=f"{base}_choose")
    texas = next(option for option in choices.options if "Texas" in option)
    choices.select_index(choices.options.index(texas))
    again.text_input(key=f"{base}_choose_reason").input("the story is set in Texas")
    again.button(key=f"FormSubmitter:{base}_choose_form-Use this candidate").click().run()
    assert not again.exception and not again.error
    with ArticleStore(store_path) as store:
        corrected = store.get(article_id).corrected().result
    odesa = next(place for place in corrected.places if place.name == "Odesa")
    assert odesa.candidate is not None and odesa.candidate.admin1 == "Texas"
    listed = " ".join(element.value for element in again.markdown)
    assert "Odesa: placed at Odessa, Texas" in listed


def test_app_moves_a_pin_and_adds_a_missed_place(
    library_app: tuple[AppTest, Path], geoparser: Any
) -> None:
    app, store_path = library_app
    text = KHARKIV_ODESA + " In the capital, the sirens sounded twice."
    with ArticleStore(store_path) as store:
        article_id = service.add_to_library(
            store,
            geoparser.geoparse,
            service.article_from_paste(text, max_bytes=MAX_BYTES),
        ).article_id
    app.query_params["article"] = str(article_id)
    at = app.run()

    # A place the geoparse missed: the reader's words, then the gazetteer entry they name.
    missed = corrections_panel._key(article_id, "missed")
    at.text_input(key=f"{missed}_words").input("the capital").run()
    # "the capital" is no name in the gazetteer: the reader searches for the place it means.
    assert any("Nothing in the gazetteer" in caption.value for caption in at.caption)
    at.text_input(key=f"{missed}_add_query").input("Kyiv").run()
    occurrences = at.multiselect(key=f"{missed}_occurrences").value
    assert [(o.text, o.start) for o in occurrences] == [("the capital", text.index("the capital"))]
    assert occurrences[0].label.endswith("In [the capital], the sirens sounded twice.…")
    entries = at.selectbox(key=f"{missed}_add_candidate")
    entries.select_index(next(i for i, o in enumerate(entries.options) if o.startswith("Kyiv, ")))
    at.button(key=f"FormSubmitter:{missed}_add_form-Add the mention").click().run()
    assert not at.exception and not at.error
    assert "the capital" in table_places(at)

    # Kharkiv's pin moved to the oblast, found by searching the gazetteer.
    at.session_state["focus_places"] = ("Kharkiv",)
    at.run()
    base = corrections_panel._key(article_id, "Kharkiv")
    at.radio(key=f"{base}_action").set_value(corrections_panel.MOVE).run()
    at.text_input(key=f"{base}_query").input("Kharkiv Oblast").run()
    found = at.selectbox(key=f"{base}_move")
    assert found.options[0].startswith("Kharkiv Oblast")
    found.select_index(0)
    at.button(key=f"FormSubmitter:{base}_move_form-Move the pin").click().run()
    assert not at.exception and not at.error
    with ArticleStore(store_path) as store:
        report = store.get(article_id).corrected()
    places = {place.name: place for place in report.result.places}
    assert places["Kharkiv"].candidate is not None
    assert places["Kharkiv"].candidate.feature == "admin"
    assert places["the capital"].candidate is not None
    assert places["the capital"].candidate.name == "Kyiv"
    assert len(report.applied) == 2 and report.skipped == ()


def test_geoparse_again_keeps_the_corrections(store: ArticleStore, geoparse: Any) -> None:
    article = service.article_from_paste(KHARKIV_ODESA, max_bytes=MAX_BYTES)
    article_id = service.add_to_library(store, geoparse, article).article_id
    store.add_correction(article_id, RemovePlace("Odesa", "the ship"))
    before = store.get(article_id)
    after = service.regeoparse(store, article_id, geoparse)
    assert geoparse.calls == 2
    assert after.corrections == before.corrections
    assert [place.name for place in after.corrected().result.places] == ["Kharkiv"]
    assert after.corrected().skipped == ()


def test_app_says_once_that_the_store_is_not_a_library(
    library_app: tuple[AppTest, Path],
) -> None:
    app, store_path = library_app
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(b"these are somebody's notes, not a database\n" * 20)
    before = store_path.read_bytes()
    at = app.run()
    assert not at.exception
    assert [error.value for error in at.error] == [
        plain_markdown(
            f"{store_path} is not an article library (not an SQLite database); "
            "it was left untouched"
        )
    ]
    assert store_path.read_bytes() == before


def test_the_sidebar_lists_the_newest_articles_and_the_open_one(
    store: ArticleStore, geoparse: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library of thousands lists only the newest in the sidebar's picker, but an older
    article that is open (or named in the URL) is listed too, and the count is the whole."""
    base = geoparse(service.article_from_paste(KHARKIV_ODESA, max_bytes=MAX_BYTES))
    ids = []
    for number in range(5):
        article = replace(base.article, text=f"{base.article.text}\n\n(Copy {number}.)")
        ids.append(store.keep_many([replace(base, article=article)])[0][0])
    monkeypatch.setattr(library_panel, "SIDEBAR_ARTICLES", 3)
    summaries, total = library_panel.listed_articles(store, [ids[0], None, 999])
    assert total == 5
    assert [summary.id for summary in summaries] == [ids[4], ids[3], ids[2], ids[0]]


def test_all_articles_view_front_line_of_the_range_end(
    library_app: tuple[AppTest, Path], geoparser: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The all-articles view on a library of dated reports: the figures, a place chosen,
    and the front line of the range's last date under the map."""
    from frontline.territory import SOURCE_CREDIT
    from tests.snapshot_fixtures import LATER_DATE, write_snapshot_folder

    app, store_path = library_app
    monkeypatch.setenv("FRONTLINE_TERRITORY_DIR", str(write_snapshot_folder(tmp_path / "snap")))
    with ArticleStore(store_path) as store:
        for text, day in (
            ("Drones hit Kharkiv overnight. Odesa was quiet.", 20),
            ("Shelling hit Kharkiv again.", 25),
        ):
            service.add_to_library(
                store,
                geoparser.geoparse,
                service.article_from_paste(text, max_bytes=MAX_BYTES, date=dt.date(2025, 10, day)),
            )
    monkeypatch.setattr(across_articles, "MAX_MARKERS", 2)
    # Filters offer the newest articles and the most mentioned places, and say so.
    monkeypatch.setattr(across_articles, "ARTICLE_OPTIONS", 2)
    monkeypatch.setattr(across_articles, "PLACE_OPTIONS", 3)
    at = app.run()
    at.session_state[across_articles.TABLE_OPEN_KEY] = True
    at.button_group(key=library_panel.VIEW_KEY).set_value(library_panel.ACROSS_VIEW).run()
    assert not at.exception and not at.error
    captions = [caption.value for caption in at.caption]
    assert any(
        re.fullmatch(r"The 2 most mentioned of \d+ places are on the map; .*", c) for c in captions
    )
    assert captions[0].startswith("3 articles · ")  # the sample (2025-10-17) and the two
    assert at.slider[0].value == (dt.date(2025, 10, 17), dt.date(2025, 10, 25))
    article_filter = at.multiselect(key=across_articles.ARTICLE_FILTER_KEY)
    assert [option.rsplit(" (", 1)[1] for option in article_filter.options] == [
        "2025-10-25)",
        "2025-10-20)",
    ]
    assert article_filter.help == (
        "The newest 2 of the 3 articles in the date range: narrow the dates to choose older ones."
    )
    place_filter = at.multiselect(key=across_articles.PLACE_FILTER_KEY)
    assert len(place_filter.options) == 3
    assert re.fullmatch(
        r"The 3 most mentioned of \d+ places: narrow the dates or articles to choose among "
        r"the others\.",
        place_filter.help,
    )
    monkeypatch.setattr(across_articles, "PLACE_OPTIONS", 2000)
    at.run()
    assert "Kharkiv" in set(at.dataframe[0].value["Place"])
    at.toggle(key=across_articles.FRONT_LINE_KEY).set_value(True).run()
    assert not at.exception
    front = [c.value for c in at.caption if c.value.startswith("Front line:")]
    assert front == [
        f"Front line: occupied territory as of {LATER_DATE.isoformat()}, the latest snapshot on "
        f"or before 2025-10-25; {SOURCE_CREDIT}, file "
        f"deepstatemap_data_{LATER_DATE:%Y%m%d}.geojson from the snapshot folder "
        "(FRONTLINE_TERRITORY_DIR)."
    ]
    kharkiv = next(
        o
        for o in at.multiselect(key=across_articles.PLACE_FILTER_KEY).options
        if o.startswith("Kharkiv")
    )
    at.multiselect(key=across_articles.PLACE_FILTER_KEY).select(kharkiv).run()
    assert not at.exception
    assert at.caption[0].value == "2 mentions of the chosen places, in 2 of 3 articles"
