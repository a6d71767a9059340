"""``python -m frontline library ...``: the article library (the app's SQLite store) from a shell.

    library add PATH|URL [PATH|URL ...] [--store FILE] [--format text|json] [--jobs N]
                [--territory SOURCE]
    library import DIR [--store FILE]
    library list [--store FILE] [--format table|json]
    library check [--store FILE]
    library export ID [--store FILE] [--format geojson|csv|json|kml] [--territory SOURCE]
                      [--online]

The store is ``Settings.store_path`` (``FRONTLINE_DATA_DIR``/library.sqlite3) unless
``--store`` names another file; the app reads the same file.

Adding an article whose text is already stored does not make a second copy: the text is
geoparsed again and the new result replaces the stored one, keeping the reader's
corrections, which apply to it (a correction that no longer fits is skipped and counted).
The stored title and date are kept, since a reader may have edited the date. An article is
identified by its text, not its source: a page whose text changed since it was added is
stored as a new article, because corrections point at character offsets in the old text.

Each input is read and geoparsed before the store is written, and each is saved in one
transaction, so a bad input or a failure stores nothing for that input; the other inputs
are still added, and the exit status is non-zero. ``--jobs N`` geoparses in N processes
(``frontline.batch``); the articles are still kept one by one in input order, so the
library is the one a single job writes. ``import DIR`` loads what ``batch --out DIR``
wrote, each partition file in one transaction.

Opening the library checks its structure only (a few pages, whatever its size); damage
elsewhere is one error where a command meets it, and the library is refused from then on.
``check`` reads every page (``PRAGMA integrity_check``: about 2 s per 100 MB from a cold disk).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from frontline import export, service
from frontline.article import display_title
from frontline.cli_common import (
    DEMONYMS_HELP,
    EXIT_ERROR,
    ONLINE_HELP,
    TERRITORY_HELP,
    lookup_failure_note,
    open_store,
    progress_bar,
    report_error,
    report_note,
    report_offline,
)
from frontline.cli_common import store_option as common_store_option
from frontline.errors import FrontlineError, InputError
from frontline.model import Article
from frontline.service import STDIN_SOURCE, AddOutcome
from frontline.settings import Settings
from frontline.store import StoredArticleSummary
from frontline.terminal import json_for_terminal, printable

EXPORT_FORMATS = ("geojson", "csv", "json", "kml")


def summary_to_dict(summary: StoredArticleSummary) -> dict[str, Any]:
    return {
        "id": summary.id,
        "title": summary.title,
        "date": summary.date.isoformat() if summary.date else None,
        "source": summary.source,
        "places": summary.places,
    }


def format_table(summaries: Sequence[StoredArticleSummary]) -> str:
    """A plain-text table, one article a line, for people rather than scripts."""
    rows = [
        (
            str(s.id),
            s.date.isoformat() if s.date else "-",
            str(s.places),
            # One line, as the app names it, whatever the title holds: terminal escapes.
            printable(display_title(s.title, s.source)),
            printable(s.source),
        )
        for s in summaries
    ]
    header = ("ID", "DATE", "PLACES", "TITLE", "SOURCE")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = [
        f"{row[0]:>{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  "
        f"{row[3]:<{widths[3]}}  {row[4]}".rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(lines) + "\n"


def _article_id(raw: str) -> int:
    if not re.fullmatch(r"[1-9][0-9]{0,17}", raw.strip()):
        raise InputError(f"an article id is a whole number from 'library list', not {raw!r}")
    return int(raw)


def absolute_source(article: Article) -> Article:
    """A file's source as an absolute path: a relative one would mean nothing once the
    shell is somewhere else. URLs and standard input stay as they are."""
    if service.is_url(article.source) or article.source == STDIN_SOURCE:
        return article
    return replace(article, source=str(Path(article.source).resolve()))


def command_add(arguments: argparse.Namespace, settings: Settings) -> int:
    from frontline.batch import Failure, GeoparseOptions, geoparse_all

    jobs = _jobs(arguments.jobs)
    # The store is opened first, so a file that is not a library fails before any fetch.
    with open_store(arguments, settings, create=True) as store:
        articles, failures = service.read_inputs(arguments.inputs, settings, on_error=report_error)
        if not articles:
            return EXIT_ERROR
        # As the dashboard adds articles: the front line of the article's date, where a
        # snapshot is at hand, weighs namesakes; --territory names the source instead. Each
        # worker builds its own from these options.
        options = GeoparseOptions(
            settings, include_demonyms=arguments.demonyms, territory=arguments.territory
        )
        if arguments.territory and jobs > 1:
            # A bad source is one line here, not a worker failing to start.
            service.front_line(arguments.territory, settings)
        outcomes: list[AddOutcome] = []
        with progress_bar("articles", total=len(articles)) as bar:
            # Geoparsed in ``jobs`` processes, kept here in input order: the same library
            # as one job writes.
            results = geoparse_all(
                [absolute_source(article) for article in articles],
                options,
                jobs=jobs,
                on_done=lambda _outcome: bar.update(1),
            )
            for outcome in results:
                try:
                    if isinstance(outcome, Failure):
                        raise outcome.error()
                    outcomes.append(service.keep_in_library(store, outcome))
                except FrontlineError as error:
                    bar.clear()
                    report_error(error)
                    failures += 1
        _write_outcomes(outcomes, arguments.format, store.path, sys.stdout)
    return EXIT_ERROR if failures else 0


def _jobs(value: int | None) -> int:
    if value is None:
        return 1
    if value < 0:
        raise InputError(f"--jobs takes a number of processes (0: one per core), not {value}")
    return value or os.cpu_count() or 1


def command_import(arguments: argparse.Namespace, settings: Settings) -> int:
    """Load a batch folder (``batch --out DIR``) into the library: each partition file in
    one transaction; the inputs that failed in the batch are listed, not stored."""
    from frontline.batch import Failure, read_batch

    folder = Path(arguments.folder).expanduser()
    added = refreshed = failed = 0
    with open_store(arguments, settings, create=True) as store:
        for path, outcomes in read_batch(folder):
            results = [outcome for outcome in outcomes if not isinstance(outcome, Failure)]
            for outcome in outcomes:
                if isinstance(outcome, Failure):
                    failed += 1
                    report_error(
                        InputError(f"{outcome.source} (in {path.name}): {outcome.message}")
                    )
            kept = store.keep_many(results)
            added += sum(1 for _id, created in kept if created)
            refreshed += sum(1 for _id, created in kept if not created)
    print(
        f"{added} articles added, {refreshed} already in the library (their results "
        f"replaced, corrections kept), {failed} inputs had failed in the batch"
    )
    return EXIT_ERROR if failed else 0


def _write_outcomes(
    outcomes: Sequence[AddOutcome], output_format: str, store_path: Path, out: TextIO
) -> None:
    if output_format == "json":
        payload = [
            {**summary_to_dict(outcome.summary), "added": outcome.created} for outcome in outcomes
        ]
        out.write(json_for_terminal(json.dumps(payload, ensure_ascii=False, indent=2)))
        out.write("\n")
        return
    for outcome in outcomes:
        summary = outcome.summary
        label = printable(display_title(summary.title, summary.source))
        if outcome.created:
            out.write(f"added article {summary.id} ({summary.places} places): {label}\n")
            continue
        skipped = (
            f", {outcome.skipped_corrections} no longer apply"
            if outcome.skipped_corrections
            else ""
        )
        out.write(
            f"article {summary.id} was already in {printable(store_path)}: geoparsed again "
            f"with its {outcome.corrections} corrections{skipped} "
            f"({summary.places} places): {label}\n"
        )


def command_list(arguments: argparse.Namespace, settings: Settings) -> int:
    with open_store(arguments, settings) as store:
        summaries = store.list()
    if arguments.format == "json":
        listed = json.dumps([summary_to_dict(s) for s in summaries], ensure_ascii=False, indent=2)
        sys.stdout.write(json_for_terminal(listed))
        sys.stdout.write("\n")
    elif summaries:
        sys.stdout.write(format_table(summaries))
    else:
        print(f"no articles in {printable(store.path)}")
    return 0


def command_check(arguments: argparse.Namespace, settings: Settings) -> int:
    """Every page of the library read for damage; one error line if there is any."""
    store = open_store(arguments, settings, check_every_page=True)
    with store, store.snapshot("check") as connection:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        articles = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(
        f"no damage found in {printable(store.path)}: {pages:,} pages read, {articles:,} articles"
    )
    return 0


def command_export(arguments: argparse.Namespace, settings: Settings) -> int:
    """The article's places with its corrections applied (then, if asked, the online
    look-up and the front line), in the format asked."""
    article_id = _article_id(arguments.article_id)
    with open_store(arguments, settings) as store:
        stored = store.get(article_id)
    online = settings.online_geocoding if arguments.online is None else arguments.online
    steps = service.Steps(
        online=(
            service.online_step(
                settings,
                on_offline=report_offline,
                on_failure=lambda failure: report_note(lookup_failure_note(failure)),
            )
            if online
            else None
        ),
        front_line=(
            service.front_line_step(arguments.territory, settings) if arguments.territory else None
        ),
    )
    result = service.corrected_result(stored, steps)
    export.write([result], arguments.format, sys.stdout, as_list=False)
    return 0


def add_library_commands(commands: Any) -> None:
    """Register ``library add|list|export`` under the CLI's subcommands (called by cli.py)."""
    store_option = common_store_option()

    library = commands.add_parser("library", help="the saved article library (SQLite)")
    actions = library.add_subparsers(dest="library_command", required=True)

    add = actions.add_parser(
        "add",
        parents=[store_option],
        help="geoparse articles and save them; re-adding a text re-geoparses it, corrections kept",
    )
    add.add_argument("inputs", nargs="+", metavar="PATH|URL", help="file, URL, or - for stdin")
    add.add_argument("--format", choices=("text", "json"), default="text")
    add.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="geoparse in N processes (0: one per core; default 1); the library is the same",
    )
    add.add_argument(
        "--demonyms", action=argparse.BooleanOptionalAction, default=True, help=DEMONYMS_HELP
    )
    add.add_argument(
        "--territory",
        metavar="SOURCE",
        help="the front line that weighs namesakes in sentences about fighting: "
        + TERRITORY_HELP
        + "; default: the snapshot of the article's date if one is on this machine",
    )
    add.set_defaults(handler=command_add)

    load = actions.add_parser(
        "import", parents=[store_option], help="load a batch's JSON Lines folder (batch --out)"
    )
    load.add_argument("folder", metavar="DIR", help="the folder 'batch --out DIR' wrote")
    load.set_defaults(handler=command_import)

    listing = actions.add_parser("list", parents=[store_option], help="the stored articles")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(handler=command_list)

    check = actions.add_parser(
        "check", parents=[store_option], help="read every page of the library for damage"
    )
    check.set_defaults(handler=command_check)

    export = actions.add_parser(
        "export", parents=[store_option], help="one stored article's places, corrections applied"
    )
    export.add_argument("article_id", metavar="ID", help="the article's id (see 'library list')")
    export.add_argument("--format", choices=EXPORT_FORMATS, default="geojson")
    export.add_argument(
        "--territory",
        metavar="SOURCE",
        help=TERRITORY_HELP,
    )
    export.add_argument(
        "--online", action=argparse.BooleanOptionalAction, default=None, help=ONLINE_HELP
    )
    export.set_defaults(handler=command_export)
