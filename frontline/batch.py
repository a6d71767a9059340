"""Many articles at once: on every core of this machine, or on a Dask cluster.

- ``geoparse_all`` geoparses articles in ``jobs`` worker processes (``library add --jobs``).
  Each worker loads the geoparser once; results come back in input order, so the library
  written from them is the one a single job writes (same ids, same results).
- ``run_batch`` runs the same pipeline (read an input, geoparse it) on a Dask cluster
  (``python -m frontline batch``; without a scheduler address, a local cluster of worker
  processes): the inputs are cut into partitions, and each partition is written by the
  worker that ran it as one JSON Lines file, ``part-00000.jsonl``, one line per input (the
  whole result, article included: ``codec.result_to_json``; or the error that input met).
  ``read_batch`` reads such a folder back (``library import``).

Partitions are written under a temporary name and renamed, so a folder never holds half a
partition. With a remote cluster the output folder must be one every worker can write
(a shared file system).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from frontline.codec import result_from_json, result_to_json
from frontline.errors import FrontlineError, InputError
from frontline.files import write_atomically
from frontline.model import Article, GeoparseResult
from frontline.settings import Settings

if TYPE_CHECKING:
    from frontline.service import Geoparse

logger = logging.getLogger(__name__)

PARTITION_PATTERN = "part-{index:05d}.jsonl"
PARTITION_GLOB = "part-*.jsonl"
DEFAULT_PARTITION_SIZE = 100


@dataclass(frozen=True, slots=True)
class GeoparseOptions:
    """What a worker needs to build the same geoparser as the command's own process."""

    settings: Settings
    include_demonyms: bool = True
    # The front line that weighs namesakes (a ``--territory`` source); None: the snapshot
    # of the article's date where one is at hand, as the dashboard and ``library add`` do.
    territory: str | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """An input that could not be read or geoparsed, and the one line that says why."""

    source: str
    message: str

    def error(self) -> FrontlineError:
        return InputError(self.message)


Outcome = GeoparseResult | Failure

# One geoparse per worker process (the geoparser and its front lines), built on its first
# article.
_geoparses: dict[GeoparseOptions, Geoparse] = {}


def _geoparse(options: GeoparseOptions) -> Geoparse:
    geoparse = _geoparses.get(options)
    if geoparse is None:
        from frontline import service
        from frontline.pipeline import Geoparser

        geoparser = Geoparser.load(options.settings, include_demonyms=options.include_demonyms)
        prior_for = (
            service.front_line(options.territory, options.settings).prior_for
            if options.territory
            else service.front_line_at_hand(options.settings)
        )
        geoparse = service.weighing_front_line(geoparser.geoparse, prior_for)
        _geoparses[options] = geoparse
    return geoparse


def geoparse_one(article: Article, options: GeoparseOptions) -> Outcome:
    """Recognise and resolve ``article`` with this process's geoparser (a worker's task)."""
    from frontline import service

    geoparse = _geoparse(options)
    try:
        return service.geoparse(geoparse, article)
    except FrontlineError as error:
        return Failure(article.source, str(error))


def _start_worker(options: GeoparseOptions) -> None:
    _geoparse(options)


def geoparse_all(
    articles: Sequence[Article],
    options: GeoparseOptions,
    *,
    jobs: int,
    on_done: Callable[[Outcome], None] | None = None,
) -> Iterator[Outcome]:
    """Each article's result (or failure), in input order, from ``jobs`` processes (1: this
    one). Workers start fresh (``spawn``): nothing of this process, open files or threads,
    is carried into them."""
    if jobs <= 1 or len(articles) <= 1:
        for article in articles:
            outcome = geoparse_one(article, options)
            if on_done is not None:
                on_done(outcome)
            yield outcome
        return
    workers = min(jobs, len(articles))
    # Several articles per task keep the pipes busy without holding results back long.
    chunk = max(1, min(8, len(articles) // (workers * 4)))
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(options,),
    ) as pool:
        for outcome in pool.map(geoparse_one, articles, [options] * len(articles), chunksize=chunk):
            if on_done is not None:
                on_done(outcome)
            yield outcome


# ---------------------------------------------------------------------------- Dask


@dataclass(frozen=True, slots=True)
class PartitionReport:
    index: int
    path: str
    articles: int
    failures: tuple[Failure, ...]


def outcome_line(outcome: Outcome) -> str:
    if isinstance(outcome, Failure):
        return json.dumps({"source": outcome.source, "error": outcome.message}, ensure_ascii=False)
    return result_to_json(outcome)


def outcome_from_line(line: str, where: str) -> Outcome:
    try:
        data = json.loads(line)
    except ValueError as error:
        raise InputError(f"{where}: not a JSON line ({error})") from error
    if isinstance(data, dict) and "error" in data:
        return Failure(str(data.get("source", "?")), str(data["error"]))
    try:
        return result_from_json(line)
    except FrontlineError as error:
        raise InputError(f"{where}: {error}") from error


def run_partition(
    index: int, sources: Sequence[str], out_dir: str, options: GeoparseOptions
) -> PartitionReport:
    """A worker's task: read, geoparse and write one partition (see the module doc)."""
    from frontline import service

    lines: list[str] = []
    failures: list[Failure] = []
    articles = 0
    with service.http_session(options.settings) as session:
        for source in sources:
            try:
                article = service.read_input(source, options.settings, session)
            except FrontlineError as error:
                outcome: Outcome = Failure(source, str(error))
            else:
                outcome = geoparse_one(article, options)
            if isinstance(outcome, Failure):
                failures.append(outcome)
            else:
                articles += 1
            lines.append(outcome_line(outcome))
    target = Path(out_dir) / PARTITION_PATTERN.format(index=index)
    write_atomically(target, "".join(line + "\n" for line in lines))
    return PartitionReport(index, str(target), articles, tuple(failures))


def partitions(sources: Sequence[str], size: int) -> list[list[str]]:
    step = max(1, size)
    return [list(sources[i : i + step]) for i in range(0, len(sources), step)]


def run_batch(
    sources: Sequence[str],
    out_dir: Path,
    options: GeoparseOptions,
    *,
    scheduler: str | None = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    workers: int | None = None,
    on_partition: Callable[[PartitionReport], None] | None = None,
) -> list[PartitionReport]:
    """Run every partition on the cluster at ``scheduler`` (or on a local cluster of
    ``workers`` processes, default one per core); the reports in partition order."""
    from distributed import Client, LocalCluster, as_completed

    parts = partitions(sources, partition_size)
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="30s")
        else:
            cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as error:
        raise InputError(f"cannot reach the Dask scheduler {scheduler}: {error}") from error
    reports: list[PartitionReport] = []
    try:
        futures = [
            client.submit(run_partition, index, part, str(out_dir), options, pure=False)
            for index, part in enumerate(parts)
        ]
        for future in as_completed(futures):
            report = future.result()
            reports.append(report)
            if on_partition is not None:
                on_partition(report)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return sorted(reports, key=lambda report: report.index)


def read_batch(folder: Path) -> Iterator[tuple[Path, list[Outcome]]]:
    """Each partition file of a batch folder, in order, with its outcomes."""
    files = sorted(folder.glob(PARTITION_GLOB)) if folder.is_dir() else []
    if not files:
        raise InputError(f"{folder}: no {PARTITION_GLOB} files (the output of 'batch --out')")
    for path in files:
        with path.open(encoding="utf-8") as lines:
            outcomes = [
                outcome_from_line(line, f"{path.name} line {number}")
                for number, line in enumerate(lines, 1)
                if line.strip()
            ]
        yield path, outcomes
