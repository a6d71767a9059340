"""This checkout against another revision, measured in turn call by call, so that the load of
a shared machine falls on both alike.

    .venv/bin/python -m bench.against REVISION [--rounds 40] [--dashboard-visits 0]

The revision is checked out into a temporary worktree (removed afterwards) that uses this
checkout's virtualenv and gazetteer index. Two long-lived worker processes, one per tree,
then take turns, the order flipping every round:

- geoparse: the sample article and the three golden texts, recognition and resolution
  timed apart;
- resolve: resolution alone, over toponyms recognised once (20 resolves a sample);
- rerun: the dashboard's script rerun on a place-filter change (Streamlit's AppTest, the
  front line drawn from ../shared/frontline when it is there), four changes a sample;
- with ``--dashboard-visits N``, also N page visits a tree in Chromium (load, narrow,
  widen; see ``bench.dashboard_bench``), alternating between two servers.

Printed: medians, their ratio (this checkout / the revision) and the median of the ratios
of paired samples, which is what to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TEXTS = (
    "data/articles/trump-zelensky-tomahawks.txt",
    "tests/golden/texts/front-line-report.txt",
    "tests/golden/texts/paris-texas.txt",
    "tests/golden/texts/seas-and-regions.txt",
)

GEOPARSE_WORKER = """
import json, sys, time
from frontline.article import article_from_file
from frontline.pipeline import Geoparser
from frontline.settings import Settings
geoparser = Geoparser.load(Settings.from_env())
articles = [article_from_file(path) for path in sys.argv[1:]]
toponyms = [geoparser.recognizer.recognize(article) for article in articles]
for article in articles:
    geoparser.geoparse(article)
print("ready", flush=True)
for line in sys.stdin:
    what, index = line.split()
    index = int(index)
    if what == "geoparse":
        started = time.perf_counter()
        geoparser.geoparse(articles[index])
        timing = geoparser.last_timing
        print(json.dumps([time.perf_counter() - started, timing.recognize_s, timing.resolve_s]))
    else:
        started = time.perf_counter()
        for _ in range(20):
            geoparser.resolver.resolve(toponyms[index])
        print(json.dumps([(time.perf_counter() - started) / 20]), flush=True)
    sys.stdout.flush()
"""

RERUN_WORKER = """
import json, sys, time
from streamlit.testing.v1 import AppTest
sys.argv = ["app.py"]
app = AppTest.from_file("app.py", default_timeout=300)
app.run()
assert not app.exception, app.exception
FILTERS = (["Pokrovsk"], [], ["Budapest", "Kupiansk"], [])
for names in FILTERS:
    app.multiselect(key="place_filter").set_value(names).run()
print("ready", flush=True)
for line in sys.stdin:
    times = []
    for names in FILTERS:
        started = time.perf_counter()
        app.multiselect(key="place_filter").set_value(names).run()
        times.append(time.perf_counter() - started)
    assert not app.exception, app.exception
    print(json.dumps(times), flush=True)
"""


@contextmanager
def worktree(revision: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="frontline-against-")) / "tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(folder), revision],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    try:
        (folder / ".venv").symlink_to(REPO_ROOT / ".venv")
        yield folder
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(folder)], cwd=REPO_ROOT, check=False
        )


def environment(tree: Path) -> dict[str, str]:
    data = tempfile.mkdtemp(prefix="frontline-against-data-")
    values = dict(
        os.environ,
        PYTHONPATH=str(tree),
        FRONTLINE_CACHE_DIR=str(REPO_ROOT / ".cache"),
        FRONTLINE_DATA_DIR=data,
        FRONTLINE_TILES_URL="",
        FRONTLINE_TERRITORY_FETCH="0",
        FRONTLINE_ONLINE_GEOCODING="0",
    )
    shared = REPO_ROOT.parent / "shared" / "frontline"
    if shared.is_dir():
        values["FRONTLINE_TERRITORY_DIR"] = str(shared)
    return values


class Worker:
    def __init__(self, tree: Path, script: str, *arguments: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", script, *arguments],
            cwd=tree,
            env=environment(tree),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout
        ready = self.stdout.readline().strip()
        if ready != "ready":
            raise RuntimeError(f"a worker in {tree} did not start")

    def ask(self, line: str) -> list[float]:
        self.stdin.write(line + "\n")
        self.stdin.flush()
        answer: list[float] = json.loads(self.stdout.readline())
        return answer

    def close(self) -> None:
        self.stdin.close()
        self.process.wait(timeout=60)


def in_turn(rounds: int, workers: dict[str, Worker], line: str) -> dict[str, list[list[float]]]:
    samples: dict[str, list[list[float]]] = {name: [] for name in workers}
    names = list(workers)
    for index in range(rounds):
        for name in names if index % 2 == 0 else names[::-1]:
            samples[name].append(workers[name].ask(line))
    return samples


def report(label: str, ours: list[float], theirs: list[float], scale: float = 1000.0) -> None:
    mine, other = statistics.median(ours), statistics.median(theirs)
    paired = statistics.median(a / b for a, b in zip(ours, theirs, strict=True))
    unit = "ms" if scale == 1000.0 else "s"
    print(
        f"{label:44} {other * scale:9.1f} {mine * scale:9.1f} {unit}  "
        f"{mine / other:6.3f}x  paired {paired:6.3f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revision")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--dashboard-visits", type=int, default=0)
    arguments = parser.parse_args()
    with worktree(arguments.revision) as other:
        trees = {"this checkout": REPO_ROOT, arguments.revision: other}
        print(f"{'':44} {arguments.revision[:9]:>9} {'this':>9}     this/them")
        texts = [text for text in TEXTS if all((tree / text).is_file() for tree in trees.values())]
        geoparsers = {name: Worker(tree, GEOPARSE_WORKER, *texts) for name, tree in trees.items()}
        for index, text in enumerate(texts):
            name = Path(text).name
            samples = in_turn(arguments.rounds, geoparsers, f"geoparse {index}")
            ours, theirs = samples["this checkout"], samples[arguments.revision]
            report(f"geoparse {name}", [s[0] for s in ours], [s[0] for s in theirs])
            report("  of which resolve", [s[2] for s in ours], [s[2] for s in theirs])
            samples = in_turn(arguments.rounds, geoparsers, f"resolve {index}")
            report(
                f"resolve alone {name}",
                [s[0] for s in samples["this checkout"]],
                [s[0] for s in samples[arguments.revision]],
            )
        for worker in geoparsers.values():
            worker.close()
        reruns = {name: Worker(tree, RERUN_WORKER) for name, tree in trees.items()}
        samples = in_turn(max(5, arguments.rounds // 4), reruns, "go")
        report(
            "dashboard rerun on a filter change",
            [t for s in samples["this checkout"] for t in s],
            [t for s in samples[arguments.revision] for t in s],
        )
        for worker in reruns.values():
            worker.close()
        if arguments.dashboard_visits:
            visits(trees, arguments.revision, arguments.dashboard_visits)


def visits(trees: dict[str, Path], revision: str, count: int) -> None:
    from playwright.sync_api import sync_playwright

    from bench.chromium import CHROMIUM, CHROMIUM_ARGS
    from bench.dashboard_bench import measure, streamlit_server

    figures: dict[str, dict[str, list[float]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with (
            streamlit_server(trees["this checkout"] / "app.py", environment(REPO_ROOT)) as mine,
            streamlit_server(trees[revision] / "app.py", environment(trees[revision])) as theirs,
        ):
            urls = {"this checkout": mine, revision: theirs}
            for url in urls.values():
                measure(browser, url, 1)  # warm both
            names = list(urls)
            for index in range(count):
                for name in names if index % 2 == 0 else names[::-1]:
                    for key, values in measure(browser, urls[name], 1).items():
                        figures.setdefault(name, {}).setdefault(key, []).extend(values)
        browser.close()
    for key in ("load", "narrow", "widen"):
        report(
            f"dashboard {key} (Chromium, one visit each)",
            figures["this checkout"][key],
            figures[revision][key],
            scale=1.0,
        )


if __name__ == "__main__":
    main()
