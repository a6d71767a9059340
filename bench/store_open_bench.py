"""Opening the article library, cold and warm: this checkout against another revision.

    .venv/bin/python -m bench.store_open_bench LIBRARY [LIBRARY ...] [--against main]
        [--rounds 3] [--work DIR]

Each library is copied once into WORK through SQLite's backup API (page for page, the WAL's
content included), so a library another process is using is only read (SQLite's read-only
connection leaves an empty -wal and -shm beside a library that had none). Each open is a
fresh process timing ``ArticleStore(path)`` alone (imports excluded), as every CLI command
and every cron ``feed poll`` pays it. The two revisions take turns, the order flipping every
round, each with a cold open and then a warm one:

- cold: the copy's pages dropped from the OS page cache first (fsync, then
  ``posix_fadvise(DONTNEED)``, which needs no root), as for a library nobody read since the
  machine started or since other work pushed it out of memory;
- warm: the same open again at once.

After each cold open of this checkout, how much of the file the OS read (``fincore``:
SQLite's reads and the kernel's read-ahead) is printed too. Then, for this checkout only,
``library check``'s full check (``check_every_page``), cold and warm, once.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.against import REPO_ROOT, worktree

OPEN = """
import json, sys, time
from frontline.store import ArticleStore
options = {"check_every_page": True} if sys.argv[2] == "check" else {}
started = time.perf_counter()
store = ArticleStore(sys.argv[1], **options)
seconds = time.perf_counter() - started
store.close()
print(json.dumps(seconds))
"""


def copy_library(source: Path, target: Path) -> Path:
    target.unlink(missing_ok=True)
    with (
        contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as origin,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        origin.backup(copy)
    return target


def drop_from_page_cache(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)


def cached_bytes(path: Path) -> int | None:
    """How much of the file is in the OS page cache (util-linux's fincore), if it is here."""
    if shutil.which("fincore") is None:
        return None
    completed = subprocess.run(
        ["fincore", "--bytes", "--noheadings", "--output", "RES", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return int(completed.stdout.strip()) if completed.returncode == 0 else None


def open_seconds(tree: Path, library: Path, mode: str = "open") -> float:
    completed = subprocess.run(
        [sys.executable, "-c", OPEN, str(library), mode],
        cwd=tree,
        env=dict(os.environ, PYTHONPATH=str(tree)),
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(completed.stdout))


def measure(library: Path, trees: dict[str, Path], rounds: int) -> dict[str, object]:
    times: dict[str, dict[str, list[float]]] = {name: {"cold": [], "warm": []} for name in trees}
    read_on_open: list[int] = []
    names = list(trees)
    for round_number in range(rounds):
        for name in names if round_number % 2 == 0 else names[::-1]:
            drop_from_page_cache(library)
            times[name]["cold"].append(open_seconds(trees[name], library))
            if name == "this checkout" and (read := cached_bytes(library)) is not None:
                read_on_open.append(read)
            times[name]["warm"].append(open_seconds(trees[name], library))
    drop_from_page_cache(library)
    check_cold = open_seconds(trees["this checkout"], library, "check")
    check_warm = open_seconds(trees["this checkout"], library, "check")
    return {
        "library": str(library),
        "size_mb": round(library.stat().st_size / 1e6, 1),
        "load": os.getloadavg()[0],
        "open_s": {name: {k: sorted(v) for k, v in modes.items()} for name, modes in times.items()},
        "median_s": {
            name: {k: statistics.median(v) for k, v in modes.items()}
            for name, modes in times.items()
        },
        "read_on_cold_open_kb": [round(b / 1024) for b in read_on_open],
        "check_every_page_s": {"cold": check_cold, "warm": check_warm},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("libraries", type=Path, nargs="+")
    parser.add_argument("--against", default="main")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None)
    arguments = parser.parse_args(argv)
    work = arguments.work or Path(tempfile.mkdtemp(prefix="frontline-store-open-"))
    work.mkdir(parents=True, exist_ok=True)
    with worktree(arguments.against) as other:
        trees = {"this checkout": REPO_ROOT, arguments.against: other}
        for number, source in enumerate(arguments.libraries):
            library = copy_library(source, work / f"library-{number}.sqlite3")
            print(f"{source} copied to {library}", file=sys.stderr, flush=True)
            figures = measure(library, trees, arguments.rounds)
            print(json.dumps(figures, indent=2), flush=True)
            library.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
