"""How the library grows: add throughput (1 job against every core), store size, and the time
to open "All articles" (map included) and to filter it, at 1k, 10k and 100k articles.

    .venv/bin/python -m bench.library_bench [--sizes 1000 10000 100000] [--rounds 2]
        [--add-articles N] [--skip-add] [--work DIR]

1. **Add**: the corpora texts of ``../shared/eval`` (GeoWebNews, TR-News, GeoVirus: 547
   articles) added to a fresh library as ``library add`` does, with one job and with
   ``--jobs`` = every core, rounds interleaved (1, N, 1, N, …) so a busy machine slows both
   alike. Each figure is wall time from the first article read to the last one stored,
   worker start-up (each loads the model) included.
2. **Grow**: libraries of each size made by repeating the 547 geoparsed texts with new
   dates (one per day over two years; each copy's text made distinct by a line naming the
   copy), stored through ``ArticleStore.keep_many`` as ``library import`` stores a batch.
3. **Open and filter**: ``streamlit run app.py`` on each library (Chromium headless, tiles
   off): from the click on "All articles" to the map's markers drawn and the run over; then
   the timeline opened (drawn on request), to the chart drawn, and closed again; then
   one place chosen in the Places filter, to the map redrawn; then a click on its marker, to
   its sentences listed; then, as the peer measured on
   the same page at the same moment, back to one article (its own map drawn); the app's run
   on the server
   (AppTest, no browser); and the store's own queries for the view, timed alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
FIRST_DAY = dt.date(2024, 1, 1)
DAYS = 730


def corpus_articles() -> list[Any]:
    from bench.corpora import CORPORA
    from frontline.article import article_from_text

    articles = []
    for name, spec in CORPORA.items():
        for item in spec.read_articles():
            articles.append(article_from_text(item.text, f"{name}:{item.id}", title=item.title))
    return articles


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def add_round(articles: list[Any], settings: Any, jobs: int, store_path: Path) -> float:
    from frontline import service
    from frontline.batch import Failure, GeoparseOptions, geoparse_all
    from frontline.store import ArticleStore

    store_path.unlink(missing_ok=True)
    started = time.perf_counter()
    with ArticleStore(store_path) as store:
        for outcome in geoparse_all(articles, GeoparseOptions(settings), jobs=jobs):
            if not isinstance(outcome, Failure):
                service.keep_in_library(store, outcome)
    return time.perf_counter() - started


def measure_add(articles: list[Any], settings: Any, rounds: int, work: Path) -> dict[str, Any]:
    cores = os.cpu_count() or 1
    seconds: dict[int, list[float]] = {1: [], cores: []}
    loads = [load_average()]
    for _ in range(rounds):
        for jobs in (1, cores):
            seconds[jobs].append(add_round(articles, settings, jobs, work / f"add-{jobs}.sqlite3"))
            loads.append(load_average())
            print(f"  add, {jobs} job(s): {seconds[jobs][-1]:.1f} s", flush=True)
    one, many = statistics.median(seconds[1]), statistics.median(seconds[cores])
    return {
        "articles": len(articles),
        "cores": cores,
        "seconds_1_job": seconds[1],
        f"seconds_{cores}_jobs": seconds[cores],
        "articles_per_s_1_job": len(articles) / one,
        f"articles_per_s_{cores}_jobs": len(articles) / many,
        "speed_up": one / many,
        "paired_ratios": [a / b for a, b in zip(seconds[1], seconds[cores], strict=True)],
        "load_averages": loads,
    }


def grow(source: Path, target: Path, size: int) -> dict[str, Any]:
    """A library of ``size`` articles from the geoparsed texts in ``source``."""
    from frontline.store import ArticleStore

    with ArticleStore(source) as store:
        results = [store.get(summary.id).result for summary in reversed(store.list())]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    with ArticleStore(target) as store:
        batch = []
        for number in range(size):
            base = results[number % len(results)]
            copy = number // len(results)
            text = base.article.text + ("" if copy == 0 else f"\n\n(Copy {copy}.)")
            article = replace(
                base.article,
                text=text,
                date=FIRST_DAY + dt.timedelta(days=number % DAYS),
                source=f"{base.article.source}#{copy}",
            )
            batch.append(replace(base, article=article))
            if len(batch) == 1000:
                store.keep_many(batch)
                batch = []
        if batch:
            store.keep_many(batch)
    elapsed = time.perf_counter() - started
    with sqlite3.connect(target) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"articles": size, "store_bytes": target.stat().st_size, "write_seconds": elapsed}


def time_queries(path: Path) -> dict[str, Any]:
    """The store's queries behind the view, alone (median of 3, seconds)."""
    from frontline import overview
    from frontline.store import ArticleStore

    with ArticleStore(path) as store:

        def whole() -> None:
            totals = overview.place_totals(store, overview.Scope())
            overview.article_count(store, overview.Scope())
            overview.timeline(store, overview.Scope(), totals[:8])
            overview.articles_in(store, overview.Scope(), 1000)

        def one_place() -> None:
            key = overview.place_totals(store, overview.Scope())[0].key
            scope = overview.Scope(place_keys=(key,))
            overview.place_totals(store, scope)
            overview.articles_naming(store, scope)
            overview.timeline(store, scope, overview.place_totals(store, scope)[:8])
            overview.sentences_naming(store, key, scope)

        figures: dict[str, Any] = {
            # A town, typed into the Places filter: a country is not on the map by default.
            "top_place": next(
                t.name
                for t in overview.place_totals(store, overview.Scope())
                if t.has_point and not t.is_area
            )
        }
        for label, work in (("queries_open_s", whole), ("queries_one_place_s", one_place)):
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                work()
                runs.append(time.perf_counter() - started)
            figures[label] = statistics.median(runs)
    return figures


def time_script(folder: Path, rounds: int = 3) -> dict[str, float]:
    """The app's run for "All articles" on the server (Streamlit's AppTest, no browser):
    what the store's size costs before anything is drawn. Median of ``rounds`` reruns."""
    from streamlit.testing.v1 import AppTest

    saved = dict(os.environ), list(sys.argv)
    os.environ.update(FRONTLINE_DATA_DIR=str(folder), FRONTLINE_TILES_URL="")
    sys.argv = ["app.py"]
    try:
        app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=600).run()
        app.button_group(key="library_view").set_value("All articles").run()
        runs = []
        for _ in range(rounds):
            started = time.perf_counter()
            app.run()
            runs.append(time.perf_counter() - started)
        if app.exception:
            raise RuntimeError(f"the app failed: {app.exception}")
    finally:
        os.environ.clear()
        os.environ.update(saved[0])
        sys.argv = saved[1]
    return {"script_open_s": statistics.median(runs)}


def one_map_with_markers(page: Any) -> None:
    """Wait until the page has one map frame and it shows markers: while a view is being
    replaced, the old view's map may still be on the page beside the new one."""
    page.wait_for_function(
        """(selector) => {
            const frames = document.querySelectorAll(selector);
            const inside = frames.length === 1 && frames[0].contentDocument;
            return Boolean(inside && inside.querySelector(".leaflet-marker-icon"));
        }""",
        arg=MAP_IFRAME,
        polling="raf",
        timeout=180_000,
    )


def time_page(browser: Any, url: str, place: str, rounds: int) -> dict[str, list[float]]:
    from playwright.sync_api import expect

    opened: list[float] = []
    timeline: list[float] = []
    filtered: list[float] = []
    clicked: list[float] = []
    one_article: list[float] = []
    for _ in range(rounds):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.locator(".st-key-library_view button", has_text="All articles").wait_for(
            timeout=180_000
        )
        app = page.locator('[data-testid="stApp"]')
        expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=180_000)
        started = time.perf_counter()
        page.locator(".st-key-library_view button", has_text="All articles").click()
        page.get_by_role("heading", name="All articles").wait_for(timeout=180_000)
        expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=180_000)
        one_map_with_markers(page)
        frame = page.frame_locator(MAP_IFRAME)
        opened.append(time.perf_counter() - started)
        before = frame.locator(".leaflet-marker-icon").count()

        # The timeline, opened on request, of the whole library; closed again after.
        started = time.perf_counter()
        page.locator(".st-key-across_timeline_open summary").click()
        page.locator(
            '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
        ).first.wait_for(timeout=180_000)
        expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=180_000)
        timeline.append(time.perf_counter() - started)
        page.locator(".st-key-across_timeline_open summary").click()
        expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(0, timeout=180_000)
        expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=180_000)

        started = time.perf_counter()
        page.locator(".st-key-across_places input").click()
        page.keyboard.type(place)
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        expect(frame.locator(".leaflet-marker-icon")).not_to_have_count(before, timeout=180_000)
        expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=180_000)
        filtered.append(time.perf_counter() - started)

        # A click on the place's marker, to its sentences across articles listed.
        marker = frame.locator(f'.leaflet-marker-icon[title="{place}"]')
        marker.wait_for(timeout=180_000)
        started = time.perf_counter()
        marker.dispatch_event("click")
        heading = page.locator(".st-key-across_sentences h4")
        expect(heading).to_have_text(place, timeout=180_000)
        expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=180_000)
        clicked.append(time.perf_counter() - started)

        # The peer, on the same page at the same moment: back to one article, whose map is
        # a new map frame too (the sample article's places).
        started = time.perf_counter()
        page.locator(".st-key-library_view button", has_text="One article").click()
        expect(page.get_by_role("heading", name="All articles")).to_have_count(0, timeout=180_000)
        expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=180_000)
        one_map_with_markers(page)
        one_article.append(time.perf_counter() - started)
        page.close()
    return {
        "open_s": opened,
        "timeline_s": timeline,
        "filter_s": filtered,
        "click_s": clicked,
        "one_article_s": one_article,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--page-rounds", type=int, default=3)
    parser.add_argument("--add-articles", type=int, default=0, help="0: all corpora texts")
    parser.add_argument("--skip-add", action="store_true", help="reuse WORK/add-1.sqlite3")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    arguments = parser.parse_args(argv)

    from bench.chromium import CHROMIUM, CHROMIUM_ARGS
    from bench.dashboard_bench import streamlit_server
    from frontline.settings import Settings

    work = arguments.work or Path(tempfile.mkdtemp(prefix="frontline-library-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("FRONTLINE_CACHE_DIR", str(REPO_ROOT / ".cache"))
    settings = Settings.from_env()
    figures: dict[str, Any] = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}

    if not arguments.skip_add:
        articles = corpus_articles()
        if arguments.add_articles:
            articles = articles[: arguments.add_articles]
        print(f"add: {len(articles)} articles, load {load_average()}", flush=True)
        figures["add"] = measure_add(articles, settings, arguments.rounds, work)
        print(json.dumps(figures["add"], indent=2), flush=True)

    from playwright.sync_api import sync_playwright

    figures["sizes"] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in arguments.sizes:
            folder = work / f"library-{size}"
            folder.mkdir(exist_ok=True)
            row = grow(work / "add-1.sqlite3", folder / "library.sqlite3", size)
            row.update(time_queries(folder / "library.sqlite3"))
            row.update(time_script(folder))
            environment = dict(
                os.environ,
                FRONTLINE_DATA_DIR=str(folder),
                FRONTLINE_TILES_URL="",
                FRONTLINE_TERRITORY_FETCH="0",
            )
            with streamlit_server(REPO_ROOT / "app.py", environment) as url:
                row.update(time_page(browser, url, row.pop("top_place"), arguments.page_rounds))
            row["load_average"] = load_average()
            figures["sizes"].append(row)
            print(json.dumps(row, indent=2), flush=True)
        browser.close()
    figures["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    if arguments.json:
        arguments.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if arguments.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
