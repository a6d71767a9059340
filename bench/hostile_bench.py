"""Hostile input against the bounds: wall time and peak memory of one CLI process per input.

    python -m bench.hostile_bench [--runs N]

Inputs (written to a temporary folder, never committed):

- ``one-line``: 1.9 MB of news sentences on one line (issue 15: not done in 300 s, 1.4 GB);
- ``kyiv``: 1.8 MB of "Kyiv. " (issue 15: 180 s, 2.25 GB, 39 MB of JSON);
- ``news-at-cap``: the sample article repeated to just under the character limit, the
  largest text a geoparse takes (a peer for the two above: what a legitimate maximum costs);
- ``tokens-at-cap``: "a a a ..." to the same length, the costliest text per character for
  spaCy found so far, which meets the time limit;
- ``snapshot-100mb``: ``--territory`` on a 100 MB snapshot file (issue: 155 s, 2.9 GB);
- ``crossing-polygon``: ``--territory`` on a 65 kB ring of 3,000 random vertices crossing
  itself a million times (issue: 18.8 s, 1 GB for an 80 kB one);
- ``drip``: ``library add URL`` against a server sending one byte every 2 s, with
  FRONTLINE_HTTP_TIMEOUT_S=3; the time is the whole command's, the budget is 3 s.

Each is one ``python -m frontline`` process (interpreter start and spaCy's load included);
peak memory is the process's maximum resident set (``wait4``'s rusage). Median of N runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE = REPO_ROOT / "data" / "articles" / "trump-zelensky-tomahawks.txt"
NEWS = (
    "Russian forces shelled Kharkiv and Kupiansk overnight, officials in Kyiv said. "
    "Air defences shot down drones over Odesa and Mykolaiv, the regional governor wrote. "
    "Fighting continued near Pokrovsk, Kostiantynivka and Bakhmut in Donetsk Oblast. "
    "Ministers met in Brussels and Warsaw to discuss aid before talks in Washington. "
)


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_mb: float
    status: int
    stderr: str


def run(arguments: list[str], env: dict[str, str]) -> Measure:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "frontline", *arguments],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    stderr = process.stderr.read().decode("utf-8", "replace")
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    return Measure(elapsed, usage.ru_maxrss / 1024, process.returncode, stderr.strip())


def write_inputs(folder: Path) -> dict[str, Callable[[], list[str]]]:
    from frontline.limits import DEFAULT_MAX_ARTICLE_CHARS

    one_line = folder / "one-line.txt"
    one_line.write_text((NEWS * 6_000)[:1_900_000])
    kyiv = folder / "kyiv.txt"
    kyiv.write_text(("Kyiv. " * 300_000)[:1_800_000])
    sample = SAMPLE.read_text() + "\n\n"
    news_at_cap = folder / "news-at-cap.txt"
    news_at_cap.write_text(sample * ((DEFAULT_MAX_ARTICLE_CHARS - 1) // len(sample)))
    tokens = folder / "tokens-at-cap.txt"
    tokens.write_text(("a " * DEFAULT_MAX_ARTICLE_CHARS)[: DEFAULT_MAX_ARTICLE_CHARS - 1])
    short = folder / "short.txt"
    short.write_text("Shelling hit Kharkiv and Pokrovsk overnight.\n")
    big_snapshot = folder / "deepstatemap_data_20251017.geojson"
    with big_snapshot.open("wb") as stream:
        stream.truncate(100_000_000)
    random = np.random.default_rng(15)
    ring = np.column_stack([random.uniform(30, 40, 3000), random.uniform(45, 52, 3000)])
    coordinates = [[*map(float, point)] for point in ring.round(5)]
    crossing = folder / "crossing" / "deepstatemap_data_20251017.geojson"
    crossing.parent.mkdir()
    crossing.write_text(
        json.dumps({"type": "Polygon", "coordinates": [[*coordinates, coordinates[0]]]})
    )
    return {
        "one-line (1.9 MB)": lambda: ["geoparse", str(one_line)],
        "kyiv (1.8 MB)": lambda: ["geoparse", str(kyiv)],
        "news-at-cap (300 k chars)": lambda: ["geoparse", str(news_at_cap)],
        "tokens-at-cap (300 k chars)": lambda: ["geoparse", str(tokens)],
        "snapshot-100mb": lambda: ["geoparse", str(short), "--territory", str(big_snapshot)],
        "crossing-polygon (65 kB)": lambda: ["geoparse", str(short), "--territory", str(crossing)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="run the inputs whose name contains this")
    options = parser.parse_args()
    from tests.hostile.server import hostile_server

    with tempfile.TemporaryDirectory() as temporary, hostile_server() as server:
        folder = Path(temporary)
        inputs = write_inputs(folder)
        store = folder / "library.sqlite3"
        inputs["drip (budget 3 s)"] = lambda: [
            "library", "add", server.url("/drip?every=2&length=100000"), "--store", str(store),
        ]  # fmt: skip
        env = {"FRONTLINE_HTTP_TIMEOUT_S": "3", "FRONTLINE_ALLOWED_NETWORKS": "127.0.0.1/32"}
        print("| input | median s | runs (s) | peak RSS MB (max) | exit | message |")
        print("|---|---:|---|---:|---:|---|")
        for name, arguments in inputs.items():
            if options.only and options.only not in name:
                continue
            measures = [run(arguments(), env) for _ in range(options.runs)]
            seconds = [m.seconds for m in measures]
            message = measures[-1].stderr.splitlines()[-1][:110] if measures[-1].stderr else ""
            print(
                f"| {name} | {statistics.median(seconds):.1f} | "
                f"{', '.join(f'{s:.1f}' for s in seconds)} | "
                f"{max(m.peak_mb for m in measures):.0f} | {measures[-1].status} | {message} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
