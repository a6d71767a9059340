"""Dashboard speed in a real browser (Debian's Chromium, headless, via Playwright).

Measures, with warm caches (one untimed visit first), the median of N runs of:

- load: from navigation start to the first place markers visible on the map;
- narrow: from choosing one place in the sidebar multiselect to the map showing only its
  marker and the excerpts panel showing only its sentences;
- widen: from removing that place from the filter to every marker back on the map.

The same is measured for a peer in the same run: the same app with the markers drawn into
the base map (the straightforward way of using st_folium), where every filter change
rebuilds the whole map instead of swapping its layers. The ratio peer/ours is what to
compare across machines.

    .venv/bin/python -m bench.dashboard_bench [--runs 7] [--json] [--timeline]

``--timeline`` also splits each page load into milestones taken in the page itself (ms
from navigation start): the app's websocket open, its first message, the map's frame
inserted, the markers seen; and how many script files the page had requested before the
map's frame was inserted (Streamlit loads each kind of widget's code on first use).

Targets on a 2-core machine: markers within 3 s of page load, filter change within 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.chromium import CHROMIUM, CHROMIUM_ARGS

REPO_ROOT = Path(__file__).resolve().parents[1]
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
FILTER_PLACE = "Budapest"
TIMEOUT_MS = 60_000

# The peer: markers added to the base map itself, so the map's script (and st_folium's
# component identity) changes with every filter.
NAIVE_SHOW_MAP = """
def naive_show_map(base_map, layers, view, *, key, height=520):
    from streamlit_folium import st_folium
    for layer in layers:
        layer.add_to(base_map)
    base_map.location = list(view.center)
    base_map.options["zoom"] = view.zoom
    value = st_folium(
        base_map, key=key, height=height, use_container_width=True,
        returned_objects=list(place_map.RETURNED_OBJECTS),
    )
    return place_map.marker_click(value)
"""


# Runs in the top page before Streamlit's own scripts: notes when the websocket opens and
# first speaks, and when the map's frame element appears.
LOAD_TIMELINE_SCRIPT = """
(() => {
  if (window !== window.top) return;
  const marks = (window.__loadTimeline = {});
  const mark = (name) => { if (!(name in marks)) marks[name] = performance.now(); };
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener("open", () => mark("socket_open"));
      this.addEventListener("message", () => mark("first_message"));
    }
  };
  new MutationObserver(() => {
    if (document.querySelector('iframe[title="streamlit_folium.st_folium"]')) mark("map_frame");
  }).observe(document, { subtree: true, childList: true });
})();
"""
TIMELINE_MARKS = ("socket_open", "first_message", "map_frame", "markers", "scripts_before_map")
READ_TIMELINE = """() => {
  const marks = window.__loadTimeline || {};
  const scripts = performance.getEntriesByType("resource").filter(
    (entry) => entry.name.endsWith(".js") && entry.startTime < (marks.map_frame ?? Infinity));
  return { ...marks, markers: performance.now(), scripts_before_map: scripts.length };
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def streamlit_server(script: Path, environment: dict[str, str]) -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true", "--server.address", "127.0.0.1",
        "--server.port", str(port), "--server.fileWatcherType", "none",
        "--server.enableStaticServing", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"streamlit did not start: {script}") from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def naive_app(directory: Path) -> Path:
    """The peer app: app.py with the layer-swapping map call (``place_map.show_map``, which
    the page calls) replaced by a full rebuild, in the peer's own server process."""
    source = (REPO_ROOT / "app.py").read_text(encoding="utf-8")
    page = (REPO_ROOT / "components" / "article_page.py").read_text(encoding="utf-8")
    if "place_map.show_map(" not in page or "\ndef main() -> None:" not in source:
        raise RuntimeError("the page no longer calls place_map.show_map; update the bench's peer")
    replacement = "from components import place_map\n" + NAIVE_SHOW_MAP
    replacement += "\nplace_map.show_map = naive_show_map\n"
    source = source.replace("\ndef main() -> None:", replacement + "\n\ndef main() -> None:")
    source = source.replace(
        "APP_DIR = Path(__file__).resolve().parent", f"APP_DIR = Path({str(REPO_ROOT)!r})"
    )
    script = directory / "naive_app.py"
    future = "from __future__ import annotations\n"
    source = source.replace(
        future, future + f"import sys\nsys.path.insert(0, {str(REPO_ROOT)!r})\n"
    )
    script.write_text(source, encoding="utf-8")
    (directory / "static").symlink_to(REPO_ROOT / "static")
    return script


def marker_count_is(page: Any, count: int | None) -> None:
    """Wait (polling every animation frame) until the map shows ``count`` markers (any,
    when None). The peer replaces its map's frame on a filter change: follow the new one."""
    condition = (
        "() => document.querySelectorAll('img.leaflet-marker-icon').length > 0"
        if count is None
        else f"() => document.querySelectorAll('img.leaflet-marker-icon').length === {count}"
    )
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        try:
            map_frame(page).wait_for_function(condition, polling="raf", timeout=TIMEOUT_MS)
            return
        except Exception as error:
            if "detached" not in str(error) or time.monotonic() > deadline:
                raise


def excerpts_only_about(page: Any, name: str) -> None:
    page.wait_for_function(
        """(name) => {
            const items = document.querySelectorAll('.st-key-excerpts_panel .frontline-excerpt');
            return items.length > 0 && Array.from(items).every(e => e.textContent.includes(name));
        }""",
        arg=name,
        polling="raf",
        timeout=TIMEOUT_MS,
    )


def map_frame(page: Any) -> Any:
    while True:
        frame = page.wait_for_selector(MAP_IFRAME, timeout=TIMEOUT_MS).content_frame()
        if frame is not None:
            return frame
        page.wait_for_timeout(10)  # an iframe element being replaced has no frame yet


def timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(
    browser: Any, url: str, runs: int, timeline: dict[str, list[float]] | None = None
) -> dict[str, list[float]]:
    """Load, narrow and widen times of ``runs`` visits; with ``timeline``, each counted
    load's milestones are appended to it (see LOAD_TIMELINE_SCRIPT)."""
    figures: dict[str, list[float]] = {"load": [], "narrow": [], "widen": []}
    for run in range(runs + 1):  # the first run warms the caches and is not counted
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        if timeline is not None:
            context.add_init_script(LOAD_TIMELINE_SCRIPT)
        page = context.new_page()

        def load(page: Any = page) -> None:
            page.goto(url)
            marker_count_is(page, None)

        load_s = timed(load)
        if timeline is not None and run:
            marks = page.evaluate(READ_TIMELINE)
            for name in TIMELINE_MARKS:
                timeline.setdefault(name, []).append(float(marks.get(name, float("nan"))))
        frame = map_frame(page)
        total = frame.evaluate("() => document.querySelectorAll('img.leaflet-marker-icon').length")

        def narrow(page: Any = page) -> None:
            page.locator(".st-key-place_filter input").click()
            page.keyboard.type(FILTER_PLACE)
            page.keyboard.press("Enter")
            marker_count_is(page, 1)
            excerpts_only_about(page, FILTER_PLACE)

        narrow_s = timed(narrow)
        page.keyboard.press("Escape")

        def widen(page: Any = page, total: int = total) -> None:
            page.locator(".st-key-place_filter input").click()
            page.keyboard.press("Backspace")  # removes the chosen place
            marker_count_is(page, total)

        widen_s = timed(widen)
        context.close()
        if run:
            figures["load"].append(load_s)
            figures["narrow"].append(narrow_s)
            figures["widen"].append(widen_s)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    parser.add_argument(
        "--timeline", action="store_true", help="split page loads into milestones (see above)"
    )
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    environment = dict(os.environ)
    environment.setdefault("FRONTLINE_CACHE_DIR", str(REPO_ROOT / ".cache"))
    environment["FRONTLINE_TILES_URL"] = ""  # no network; the tiles are not what we time
    results: dict[str, dict[str, list[float]]] = {}
    timelines: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        servers = (
            ("app (layers swapped)", REPO_ROOT / "app.py"),
            ("peer (map rebuilt)", naive_app(Path(scratch))),
        )
        for variant, script in servers:
            marks = timelines.setdefault(variant, {}) if arguments.timeline else None
            with streamlit_server(script, environment) as url:
                results[variant] = measure(browser, url, arguments.runs, marks)
        browser.close()

    if arguments.json:
        print(json.dumps(results, indent=1))
    print(f"median of {arguments.runs} runs, seconds (warm caches, Chromium headless)")
    print(f"{'variant':24} {'load→markers':>13} {'narrow':>8} {'widen':>8}")
    for variant, figures in results.items():
        medians = [statistics.median(figures[key]) for key in ("load", "narrow", "widen")]
        print(f"{variant:24} {medians[0]:13.2f} {medians[1]:8.2f} {medians[2]:8.2f}")
    if arguments.timeline:
        print("page load milestones, median ms from navigation start (in the page):")
        print(f"{'variant':24} " + " ".join(f"{name:>18}" for name in TIMELINE_MARKS))
        for variant, milestones in timelines.items():
            medians = [statistics.median(milestones[name]) for name in TIMELINE_MARKS]
            print(f"{variant:24} " + " ".join(f"{value:18.0f}" for value in medians))
    ours, peer = results["app (layers swapped)"], results["peer (map rebuilt)"]
    for key in ("narrow", "widen"):
        ratio = statistics.median(peer[key]) / statistics.median(ours[key])
        print(f"peer/app {key}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
