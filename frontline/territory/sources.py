"""Where snapshots come from: a folder, the public origin (cached), a file or URL the user
names, and ``auto``, which tries them in the settings' order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import requests

from frontline.errors import (
    FetchError,
    FetchStatusError,
    SnapshotFetchError,
    SnapshotFormatError,
    SnapshotNotAtOriginError,
    SnapshotUnavailableError,
    TerritoryError,
    URLRefusedError,
)
from frontline.fetch import (
    DEFAULT_CONNECT_TIMEOUT_S,
    TIMEOUT_SETTING,
    AddressPolicy,
    NetworkPolicy,
    fetch_bytes,
)
from frontline.files import write_atomically
from frontline.model import Article, GeoparseResult
from frontline.settings import Settings
from frontline.territory.distance import annotate_places
from frontline.territory.projection import LonLatBox
from frontline.territory.snapshots import (
    MAX_SNAPSHOT_BYTES,
    SOURCE_CREDIT,
    UKRAINE,
    Snapshot,
    load_snapshot,
    parse_snapshot,
    snapshot_date_from_name,
    snapshot_dates,
    snapshot_file_name,
)
from frontline.territory.uploads import uploads_dir

logger = logging.getLogger(__name__)

DEFAULT_MAX_STEP_BACK_DAYS = 14


@dataclass(frozen=True, slots=True)
class SnapshotChoice:
    """Which snapshot serves an article, where it came from, and how old it is."""

    snapshot: Snapshot
    article_date: dt.date | None
    origin: str
    from_cache: bool = False

    @property
    def age_days(self) -> int | None:
        """Days from the snapshot to the article (0: same day); None if the article is undated."""
        if self.article_date is None:
            return None
        return (self.article_date - self.snapshot.date).days

    def describe(self) -> str:
        text = f"front line of {self.snapshot.date.isoformat()} ({SOURCE_CREDIT})"
        age = self.age_days
        if age is not None:
            if age == 0:
                text += ", same day as the article"
            elif age > 0:
                text += f", {age} day{'s' if age != 1 else ''} before the article"
            else:
                text += f", {-age} day{'s' if age != -1 else ''} after the article"
        if self.from_cache:
            text += ", from cache"
        return text


class SnapshotProvider(Protocol):
    def snapshot_for(self, article_date: dt.date) -> SnapshotChoice: ...


class FolderSnapshots:
    """Snapshots in a local folder of ``deepstatemap_data_YYYYMMDD.geojson`` files."""

    def __init__(self, folder: str | os.PathLike[str], *, region: LonLatBox = UKRAINE) -> None:
        self.folder = Path(folder)
        self.region = region

    def available_dates(self) -> list[dt.date]:
        if not self.folder.is_dir():
            raise SnapshotUnavailableError(f"snapshot folder {self.folder} does not exist")
        try:
            names = [path.name for path in self.folder.iterdir()]
        except OSError as error:
            raise TerritoryError(
                f"cannot list snapshot folder {self.folder}: {error.strerror or error}"
            ) from error
        return snapshot_dates(names)

    def path_for(self, date: dt.date) -> Path:
        return self.folder / snapshot_file_name(date)

    def snapshot_for(self, article_date: dt.date) -> SnapshotChoice:
        dates = self.available_dates()
        if not dates:
            raise SnapshotUnavailableError(f"no deepstatemap_data_*.geojson in {self.folder}")
        earlier = [date for date in dates if date <= article_date]
        if not earlier:
            raise SnapshotUnavailableError(
                f"no snapshot on or before {article_date.isoformat()} in {self.folder}; "
                f"the first is {dates[0].isoformat()}"
            )
        path = self.path_for(earlier[-1])
        snapshot = load_snapshot(path, snapshot_date=earlier[-1], region=self.region)
        return SnapshotChoice(snapshot=snapshot, article_date=article_date, origin=str(path))


def snapshot_policy(addresses: AddressPolicy, timeout_s: float) -> NetworkPolicy:
    """The network policy of one snapshot download: ``addresses``, ``timeout_s`` for the
    whole of it on the wall clock, at most MAX_SNAPSHOT_BYTES."""
    return NetworkPolicy(
        addresses=addresses,
        total_timeout_s=timeout_s,
        connect_timeout_s=min(DEFAULT_CONNECT_TIMEOUT_S, timeout_s),
        max_bytes=MAX_SNAPSHOT_BYTES,
        time_setting=TIMEOUT_SETTING,
    )


def _fetch_bytes(url: str, *, session: requests.Session, policy: NetworkPolicy) -> bytes:
    """The snapshot at ``url``, downloaded under ``policy`` (``fetch.fetch_bytes``: address
    checks on every hop, one wall-clock budget, a size cap). A refused address stays a
    URLRefusedError; any other failure is a SnapshotFetchError, so that the cache fallbacks
    apply, or SnapshotNotAtOriginError for a 404."""
    try:
        return fetch_bytes(url, policy, session=session).body
    except FetchStatusError as error:
        if error.status == 404:
            raise SnapshotNotAtOriginError(
                f"cannot fetch snapshot {url}: HTTP 404 Not Found"
            ) from error
        raise SnapshotFetchError(f"cannot fetch snapshot {url}: HTTP {error.status}") from error
    except URLRefusedError:
        raise
    except FetchError as error:
        raise SnapshotFetchError(str(error)) from error


def _cache_copy(path: Path, data: bytes) -> None:
    """Keep a fetched snapshot; a cache that cannot be written only costs a refetch later."""
    try:
        write_atomically(path, data)
    except OSError as error:
        logger.warning("cannot cache snapshot in %s: %s", path, error.strerror or error)


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class OriginSnapshots:
    """Snapshots fetched from the public origin by date, cached on disk once fetched.

    The origin misses some days, and today's file appears only in the early morning, so a
    missing day (404) steps back one day at a time, at most ``max_step_back_days``. When the
    origin cannot be reached, the latest cached snapshot within that window is used.
    """

    def __init__(
        self,
        url_template: str,
        *,
        session: requests.Session,
        cache_dir: str | os.PathLike[str],
        fetch: bool = True,
        timeout_s: float = 10.0,
        max_step_back_days: int = DEFAULT_MAX_STEP_BACK_DAYS,
        region: LonLatBox = UKRAINE,
        today: Callable[[], dt.date] = _utc_today,
        addresses: AddressPolicy | None = None,
    ) -> None:
        """``timeout_s`` is each download's whole budget; ``addresses`` (default: the strict
        policy) vets every download and redirect: a mirror on the intranet is reached only
        where the settings allow its network (FRONTLINE_ALLOWED_NETWORKS)."""
        self.url_template = url_template
        self.session = session
        # One folder per template, so that switching origins never mixes their files.
        template_key = hashlib.sha256(url_template.encode()).hexdigest()[:12]
        self.cache_folder = Path(cache_dir) / template_key
        self.fetch = fetch
        self.timeout_s = timeout_s
        self.policy = snapshot_policy(addresses or AddressPolicy.build(), timeout_s)
        self.max_step_back_days = max_step_back_days
        self.region = region
        self.today = today
        self._missing_at_origin: set[dt.date] = set()

    def url_for(self, date: dt.date) -> str:
        return self.url_template.format(date=date)

    def cached_path(self, date: dt.date) -> Path:
        return self.cache_folder / snapshot_file_name(date)

    def load_cached(self, date: dt.date, article_date: dt.date) -> SnapshotChoice | None:
        """The cached snapshot of ``date``, or None (an unreadable copy is discarded)."""
        path = self.cached_path(date)
        if not path.is_file():
            return None
        try:
            snapshot = load_snapshot(path, snapshot_date=date, region=self.region)
        except SnapshotFormatError:
            logger.warning("discarding unreadable cached snapshot %s", path)
            path.unlink(missing_ok=True)
            return None
        return SnapshotChoice(snapshot, article_date, origin=self.url_for(date), from_cache=True)

    def cached_dates(self) -> list[dt.date]:
        """Dates of the snapshots in this origin's cache folder, oldest first."""
        try:
            names = [path.name for path in self.cache_folder.iterdir()]
        except OSError:
            return []
        return snapshot_dates(names)

    def snapshot_for(
        self, article_date: dt.date, *, after: dt.date | None = None
    ) -> SnapshotChoice:
        """The latest snapshot on or before ``article_date`` (and after ``after``, when a
        caller already holds that one), from the cache, else from the origin."""
        window = [
            day
            for day in (
                article_date - dt.timedelta(days=n) for n in range(self.max_step_back_days + 1)
            )
            if after is None or day > after
        ]
        if not window:
            raise SnapshotUnavailableError(
                f"no snapshot after {after} and on or before {article_date} to look for"
            )
        fetch_failure: SnapshotFetchError | None = None
        for date in window:
            cached = self.load_cached(date, article_date)
            if cached is not None:
                return cached
            if not self.fetch or fetch_failure is not None or date in self._missing_at_origin:
                continue
            url = self.url_for(date)
            try:
                data = _fetch_bytes(url, session=self.session, policy=self.policy)
            except SnapshotNotAtOriginError:
                logger.info("no snapshot for %s at the origin; stepping back a day", date)
                # Today's and yesterday's files may still appear; older gaps are for good.
                if date < self.today() - dt.timedelta(days=1):
                    self._missing_at_origin.add(date)
                continue
            except SnapshotFetchError as error:
                # Keep walking back through the cache only: an older cached line beats none.
                logger.warning("%s; looking for an earlier cached snapshot", error)
                fetch_failure = error
                continue
            snapshot = parse_snapshot(data, source=url, snapshot_date=date, region=self.region)
            _cache_copy(self.cached_path(date), data)
            return SnapshotChoice(snapshot, article_date, origin=url)

        first, last = window[-1].isoformat(), window[0].isoformat()
        if fetch_failure is not None:
            raise SnapshotFetchError(
                f"{fetch_failure}; and no snapshot from {first} to {last} is cached in "
                f"{self.cache_folder}"
            )
        if not self.fetch:
            raise SnapshotUnavailableError(
                f"no snapshot from {first} to {last} is cached in {self.cache_folder} and "
                "fetching is off (set FRONTLINE_TERRITORY_FETCH=1, or supply a snapshot file)"
            )
        raise SnapshotUnavailableError(
            f"the origin has no snapshot from {first} to {last} "
            f"({self.url_template.format(date=window[0])} and the {self.max_step_back_days} "
            "days before)"
        )


class LocalFirstSnapshots:
    """What ``auto`` means: snapshots already on this machine first (a folder the user
    names, the snapshots the reader uploaded, then the origin's cache), the origin itself
    only when fetching is on.

    The latest local snapshot on or before the article's date is used as it is when it is
    of that very day or fetching is off; with fetching on, the origin is asked only for the
    days between it and the article, and a failing origin falls back to it.
    """

    def __init__(
        self,
        origin: OriginSnapshots,
        folder: FolderSnapshots | None = None,
        uploads: FolderSnapshots | None = None,
    ) -> None:
        self.origin = origin
        self.folder = folder
        self.uploads = uploads

    def _folders(self) -> list[FolderSnapshots]:
        return [folder for folder in (self.folder, self.uploads) if folder is not None]

    def _folder_dates(self) -> list[dt.date]:
        dates: set[dt.date] = set()
        for folder in self._folders():
            # The uploads folder appears with the first upload.
            if folder is self.uploads and not folder.folder.is_dir():
                continue
            dates.update(folder.available_dates())
        return sorted(dates)

    def available_dates(self) -> list[dt.date]:
        """Every snapshot date on this machine (folder and cache), oldest first."""
        return sorted(set(self._folder_dates()) | set(self.origin.cached_dates()))

    def _local(self, date: dt.date, article_date: dt.date) -> SnapshotChoice | None:
        for folder in self._folders():
            path = folder.path_for(date)
            if path.is_file():
                snapshot = load_snapshot(path, snapshot_date=date, region=folder.region)
                return SnapshotChoice(snapshot, article_date, origin=str(path))
        return self.origin.load_cached(date, article_date)

    def snapshot_of(self, date: dt.date, article_date: dt.date | None) -> SnapshotChoice:
        """The snapshot of exactly ``date`` from this machine (a date ``available_dates``
        listed), told relative to ``article_date``."""
        choice = self._local(date, article_date or date)
        if choice is None:
            raise SnapshotUnavailableError(f"no snapshot of {date.isoformat()} on this machine")
        return replace(choice, article_date=article_date)

    def snapshot_for(self, article_date: dt.date) -> SnapshotChoice:
        local_dates = [date for date in self.available_dates() if date <= article_date]
        best = self._local(local_dates[-1], article_date) if local_dates else None
        if best is not None and (best.snapshot.date == article_date or not self.origin.fetch):
            return best
        if self.origin.fetch:
            after = best.snapshot.date if best is not None else None
            try:
                return self.origin.snapshot_for(article_date, after=after)
            except TerritoryError as error:
                if best is None:
                    raise
                logger.info("%s; using the local snapshot of %s", error, best.snapshot.date)
                return best
        where = [f"in {folder.folder}" for folder in self._folders()]
        where.append(f"cached in {self.origin.cache_folder}")
        raise SnapshotUnavailableError(
            f"no front-line snapshot on or before {article_date.isoformat()} "
            f"{' or '.join(where)}, and fetching is off: set FRONTLINE_TERRITORY_FETCH=1 to "
            f"fetch it from {self.origin.url_for(article_date)}, set FRONTLINE_TERRITORY_DIR "
            "to a folder of deepstatemap_data_YYYYMMDD.geojson files, or give a snapshot file"
        )


def load_snapshot_url(
    url: str,
    *,
    session: requests.Session,
    cache_dir: str | os.PathLike[str],
    timeout_s: float = 10.0,
    snapshot_date: dt.date | None = None,
    region: LonLatBox = UKRAINE,
    addresses: AddressPolicy | None = None,
) -> SnapshotChoice:
    """A snapshot a user names by URL, cached; the cached copy is used if the URL fails.

    The URL came from a user, so ``addresses`` (default: the strict policy, no private,
    loopback or link-local address) vets it and every redirect; ``timeout_s`` is the whole
    download's budget. A refused URL is refused even when a copy is cached.
    """
    url_key = hashlib.sha256(url.encode()).hexdigest()[:16]
    cached = Path(cache_dir) / "by-url" / f"{url_key}.geojson"
    date = snapshot_date or snapshot_date_from_name(url)
    try:
        policy = snapshot_policy(addresses or AddressPolicy.build(), timeout_s)
        data = _fetch_bytes(url, session=session, policy=policy)
    except (SnapshotNotAtOriginError, SnapshotFetchError) as error:
        message = str(error)
        if cached.is_file():
            logger.warning("%s; using the cached copy %s", message, cached)
            snapshot = parse_snapshot(
                cached.read_bytes(), source=url, snapshot_date=date, region=region
            )
            return SnapshotChoice(snapshot, None, origin=url, from_cache=True)
        raise SnapshotFetchError(f"{message}; no cached copy") from error
    snapshot = parse_snapshot(data, source=url, snapshot_date=date, region=region)
    _cache_copy(cached, data)
    return SnapshotChoice(snapshot, None, origin=url)


def choose_snapshot(
    spec: str,
    article_date: dt.date | None,
    *,
    provider: SnapshotProvider | None,
    session: requests.Session | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    timeout_s: float = 10.0,
    addresses: AddressPolicy | None = None,
) -> SnapshotChoice:
    """Resolve a user's choice: ``auto`` (the provider, by the article's date), a URL, a
    snapshot file, or a folder of ``deepstatemap_data_YYYYMMDD.geojson`` files."""
    if spec == "auto":
        if article_date is None:
            raise SnapshotUnavailableError(
                "the article has no date, so no snapshot can be chosen for it; "
                "give a snapshot file or URL instead"
            )
        if provider is None:
            raise SnapshotUnavailableError("no snapshot source is configured")
        return provider.snapshot_for(article_date)
    if spec.startswith(("http://", "https://")):
        if session is None or cache_dir is None:
            raise TerritoryError(f"cannot fetch {spec}: no HTTP session or cache folder given")
        choice = load_snapshot_url(
            spec, session=session, cache_dir=cache_dir, timeout_s=timeout_s, addresses=addresses
        )
        return replace(choice, article_date=article_date)
    if Path(spec).is_dir():
        if article_date is None:
            raise SnapshotUnavailableError(
                f"the article has no date, so no snapshot in {spec} can be chosen for it"
            )
        return FolderSnapshots(spec).snapshot_for(article_date)
    snapshot = load_snapshot(spec)
    return SnapshotChoice(snapshot, article_date, origin=spec)


def settings_addresses(settings: Settings) -> AddressPolicy:
    """The settings' address rules (FRONTLINE_ALLOW_PRIVATE_URLS, FRONTLINE_ALLOWED_NETWORKS)."""
    return AddressPolicy.build(
        allow_private=settings.allow_private_urls, allowed_networks=settings.allowed_networks
    )


def origin_snapshots(settings: Settings, session: requests.Session) -> OriginSnapshots:
    """The public origin as the settings describe it (template, cache, fetch on or off)."""
    return OriginSnapshots(
        settings.territory_url_template,
        session=session,
        cache_dir=settings.territory_cache_dir,
        fetch=settings.territory_fetch,
        timeout_s=settings.http_timeout_s,
        addresses=settings_addresses(settings),
    )


def local_first_snapshots(settings: Settings, session: requests.Session) -> LocalFirstSnapshots:
    """``auto`` as the settings describe it: ``territory_dir``, the uploads kept in the cache
    and the origin's cache first, then the origin if ``territory_fetch`` is on."""
    folder = FolderSnapshots(settings.territory_dir) if settings.territory_dir else None
    uploads = FolderSnapshots(uploads_dir(settings.territory_cache_dir))
    return LocalFirstSnapshots(origin_snapshots(settings, session), folder, uploads)


class ArticleSnapshots:
    """The CLI's ``--territory SOURCE``: the snapshot of each article.

    ``auto`` picks the snapshot by each article's date (``local_first_snapshots``: the
    settings' folder and cache, the origin only when fetching is on), and so does a folder;
    a file or URL is read once, up front, so a bad source fails before any work. Each date's
    choice is made once.
    """

    def __init__(
        self, spec: str, settings: Settings, *, session: requests.Session | None = None
    ) -> None:
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = settings.user_agent
        self.spec = spec
        self.provider = local_first_snapshots(settings, session)
        self.fixed: SnapshotChoice | None = None
        if spec != "auto" and not Path(spec).is_dir():
            self.fixed = choose_snapshot(
                spec,
                None,
                provider=self.provider,
                session=session,
                cache_dir=settings.territory_cache_dir,
                timeout_s=settings.http_timeout_s,
                addresses=settings_addresses(settings),
            )
            logger.info("territory: %s", self.fixed.describe())
        # Each date's answer, a failure too: the geoparse asks first (for the front line it
        # weighs), the front-line step again, and a slow origin is waited for once.
        self._by_date: dict[dt.date, SnapshotChoice | TerritoryError] = {}

    def choice_for(self, article: Article) -> SnapshotChoice:
        """The article's snapshot (SnapshotUnavailableError for an undated article when the
        source is chosen by date)."""
        if self.fixed is not None:
            return self.fixed
        date = article.date
        if date is None:
            raise SnapshotUnavailableError(
                f"{article.source} has no date, so no snapshot can be chosen for "
                "it; give --territory a snapshot file or URL"
            )
        if date not in self._by_date:
            try:
                choice = choose_snapshot(self.spec, date, provider=self.provider)
            except TerritoryError as error:
                self._by_date[date] = error
                raise
            self._by_date[date] = choice
            logger.info("territory for %s: %s", article.source, choice.describe())
        answer = self._by_date[date]
        if isinstance(answer, TerritoryError):
            raise answer
        return answer

    def annotate(self, result: GeoparseResult) -> GeoparseResult:
        """``result`` with each place's status from its article's snapshot."""
        return annotate_places(result, self.choice_for(result.article).snapshot)


def annotator_for(
    spec: str, settings: Settings, *, session: requests.Session | None = None
) -> Callable[[GeoparseResult], GeoparseResult]:
    """The CLI's ``--territory SOURCE``: fills each place's status from ``SOURCE``
    (``ArticleSnapshots``)."""
    return ArticleSnapshots(spec, settings, session=session).annotate
