"""Settings, read once from the environment (``FRONTLINE_*``) with offline-safe defaults.

Modules take the values they need as arguments; only entry points (CLI, app) call
``Settings.from_env()``, so tests pass their own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from frontline.errors import InputError
from frontline.limits import DEFAULT_GEOPARSE_TIME_LIMIT_S, DEFAULT_MAX_ARTICLE_CHARS

DEFAULT_TERRITORY_URL_TEMPLATE = (
    "https://raw.githubusercontent.com/cyterat/deepstate-map-data/main/data/"
    "deepstatemap_data_{date:%Y%m%d}.geojson"
)
DEFAULT_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILES_ATTRIBUTION = "© OpenStreetMap contributors"
DEFAULT_USER_AGENT = "frontline-map/0.1 (+https://github.com/frontline-map)"


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _positive(name: str, default: float) -> float:
    """A limit from the environment: a positive number, else one clear error (not a crash)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise InputError(f"{name} must be a positive number, not {raw!r}")
    return value


def _path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser() if raw else default


@dataclass(frozen=True, slots=True)
class Settings:
    cache_dir: Path = field(default_factory=lambda: Path(platformdirs.user_cache_dir("frontline")))
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("frontline")))
    territory_url_template: str = DEFAULT_TERRITORY_URL_TEMPLATE
    # Off by default: the app works offline, and a user opts in to the network.
    territory_fetch: bool = False
    # A folder of deepstatemap_data_YYYYMMDD.geojson files, looked at before the cache.
    territory_dir: Path | None = None
    allow_private_urls: bool = False
    # Networks (CIDR) fetched even while private addresses are refused: an intranet news server.
    allowed_networks: tuple[str, ...] = ()
    online_geocoding: bool = False
    geocoder: str = "nominatim"
    geocoder_domain: str | None = None
    geocoder_scheme: str = "https"
    user_agent: str = DEFAULT_USER_AGENT
    tiles_url: str = DEFAULT_TILES_URL
    tiles_attribution: str = DEFAULT_TILES_ATTRIBUTION
    # The whole of one download, on the wall clock (frontline.fetch).
    http_timeout_s: float = 10.0
    # GeoNames' per-country export, fetched only by `frontline index --country CODE` or the
    # dashboard's button (frontline/countries.py).
    country_dump_url_template: str = "https://download.geonames.org/export/dump/{code}.zip"
    max_article_bytes: int = 2_000_000
    # One geoparse (frontline.limits).
    max_article_chars: int = DEFAULT_MAX_ARTICLE_CHARS
    geoparse_time_limit_s: float = DEFAULT_GEOPARSE_TIME_LIMIT_S

    @property
    def gazetteer_dir(self) -> Path:
        return self.cache_dir / "gazetteer"

    @property
    def territory_cache_dir(self) -> Path:
        return self.cache_dir / "territory"

    @property
    def store_path(self) -> Path:
        return self.data_dir / "library.sqlite3"

    @classmethod
    def from_env(cls) -> Settings:
        base = cls()
        return cls(
            cache_dir=_path("FRONTLINE_CACHE_DIR", base.cache_dir),
            data_dir=_path("FRONTLINE_DATA_DIR", base.data_dir),
            territory_url_template=os.environ.get(
                "FRONTLINE_TERRITORY_URL_TEMPLATE", base.territory_url_template
            ),
            territory_fetch=_flag("FRONTLINE_TERRITORY_FETCH", base.territory_fetch),
            territory_dir=(
                Path(os.environ["FRONTLINE_TERRITORY_DIR"]).expanduser()
                if os.environ.get("FRONTLINE_TERRITORY_DIR", "").strip()
                else None
            ),
            allow_private_urls=_flag("FRONTLINE_ALLOW_PRIVATE_URLS", base.allow_private_urls),
            allowed_networks=tuple(
                network.strip()
                for network in os.environ.get("FRONTLINE_ALLOWED_NETWORKS", "").split(",")
                if network.strip()
            ),
            online_geocoding=_flag("FRONTLINE_ONLINE_GEOCODING", base.online_geocoding),
            geocoder=os.environ.get("FRONTLINE_GEOCODER", base.geocoder),
            geocoder_domain=os.environ.get("FRONTLINE_GEOCODER_DOMAIN") or None,
            geocoder_scheme=os.environ.get("FRONTLINE_GEOCODER_SCHEME", base.geocoder_scheme),
            user_agent=os.environ.get("FRONTLINE_USER_AGENT", base.user_agent),
            tiles_url=os.environ.get("FRONTLINE_TILES_URL", base.tiles_url),
            tiles_attribution=os.environ.get("FRONTLINE_TILES_ATTRIBUTION", base.tiles_attribution),
            http_timeout_s=_positive("FRONTLINE_HTTP_TIMEOUT_S", base.http_timeout_s),
            country_dump_url_template=os.environ.get(
                "FRONTLINE_COUNTRY_DUMP_URL", base.country_dump_url_template
            ),
            max_article_bytes=int(_positive("FRONTLINE_MAX_ARTICLE_BYTES", base.max_article_bytes)),
            max_article_chars=int(_positive("FRONTLINE_MAX_ARTICLE_CHARS", base.max_article_chars)),
            geoparse_time_limit_s=_positive(
                "FRONTLINE_GEOPARSE_TIME_LIMIT_S", base.geoparse_time_limit_s
            ),
        )
