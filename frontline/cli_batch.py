"""``python -m frontline batch INPUT... --out DIR [--scheduler ADDRESS]``: the pipeline on a
Dask cluster, for archives that outgrow one machine.

Each partition of the inputs becomes ``DIR/part-NNNNN.jsonl`` (``frontline.batch``), which
``library import DIR`` loads. Without ``--scheduler`` a local cluster of worker processes
(one per core, or ``--workers N``) runs it. Each input that failed is one line on standard
error (and one line in its partition file); the exit status is then 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from frontline.cli_common import DEMONYMS_HELP, EXIT_ERROR, progress_bar, report_error
from frontline.errors import InputError
from frontline.settings import Settings


def _inputs(values: list[str]) -> list[str]:
    """Files and URLs as given; ``@LIST`` reads one input per line from a file (an archive
    has more inputs than a command line holds)."""
    inputs: list[str] = []
    for value in values:
        if value.startswith("@"):
            listing = Path(value[1:]).expanduser()
            try:
                lines = listing.read_text(encoding="utf-8").splitlines()
            except OSError as error:
                raise InputError(f"{listing}: cannot read the list of inputs ({error})") from error
            inputs.extend(line.strip() for line in lines if line.strip())
        elif value == "-":
            raise InputError("batch reads files and URLs, not standard input")
        else:
            inputs.append(value)
    return inputs


def _absolute(source: str) -> str:
    """A file as an absolute path: a worker runs elsewhere, and the library keeps it."""
    if source.lower().startswith(("http://", "https://")):
        return source
    return str(Path(source).expanduser().resolve())


def command_batch(arguments: argparse.Namespace, settings: Settings) -> int:
    from frontline.batch import GeoparseOptions, PartitionReport, run_batch

    if not arguments.verbose:
        # The cluster's own INFO lines (scheduler, nannies, workers) would bury the report.
        for name in ("distributed", "dask"):
            logging.getLogger(name).setLevel(logging.WARNING)
    sources = [_absolute(source) for source in _inputs(arguments.inputs)]
    if not sources:
        raise InputError("no inputs to geoparse")
    if arguments.partition_size < 1:
        raise InputError("--partition-size is at least 1")
    out_dir = Path(arguments.out).expanduser().resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    failures = 0
    with progress_bar("inputs", total=len(sources)) as bar:

        def done(report: PartitionReport) -> None:
            nonlocal failures
            bar.update(report.articles + len(report.failures))
            for failure in report.failures:
                failures += 1
                bar.clear()
                report_error(failure.error())

        reports = run_batch(
            sources,
            out_dir,
            GeoparseOptions(settings, include_demonyms=arguments.demonyms),
            scheduler=arguments.scheduler,
            partition_size=arguments.partition_size,
            workers=arguments.workers,
            on_partition=done,
        )
    articles = sum(report.articles for report in reports)
    print(
        f"{articles} articles geoparsed into {len(reports)} partitions in {out_dir}"
        f" ({failures} inputs failed); load them with: library import {out_dir}",
        file=sys.stdout,
    )
    return EXIT_ERROR if failures else 0


def add_batch_command(commands: Any) -> None:
    batch = commands.add_parser(
        "batch", help="geoparse many inputs on a Dask cluster into JSON Lines partitions"
    )
    batch.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="files, URLs, or @FILE listing one a line"
    )
    batch.add_argument("--out", required=True, metavar="DIR", help="where the partitions go")
    batch.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler (tcp://host:8786); default: a local cluster on this machine",
    )
    batch.add_argument(
        "--partition-size", type=int, default=100, metavar="N", help="inputs per partition"
    )
    batch.add_argument(
        "--workers", type=int, metavar="N", help="local cluster: worker processes (default: cores)"
    )
    batch.add_argument(
        "--demonyms", action=argparse.BooleanOptionalAction, default=True, help=DEMONYMS_HELP
    )
    batch.set_defaults(handler=command_batch)
