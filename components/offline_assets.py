"""Leaflet, jQuery and Font Awesome served by the app itself, so the map works offline.

folium loads its JavaScript and CSS from public CDNs by default; with no internet the map
is an empty frame. At start-up ``ensure_static_assets`` copies the files the map needs from
the ``xstatic-*`` packages into ``static/`` beside ``app.py`` (Streamlit serves that folder
at ``/app/static/`` when ``server.enableStaticServing`` is on), and ``offline_js``/
``offline_css`` give folium the matching URLs. Bootstrap and the awesome-markers plugin are
left out: the markers are plain Leaflet icons. Leaflet.markercluster (nearby markers gather
into one that spreads on click) and Leaflet.GestureHandling (the page scrolls over the map;
Ctrl/⌘ + wheel zooms) come from their ``xstatic-*`` packages the same way, and the country
outlines drawn when tiles cannot load are written there from Natural Earth's data
(``frontline.outlines``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import xstatic.pkg.font_awesome as xstatic_font_awesome
import xstatic.pkg.jquery as xstatic_jquery
import xstatic.pkg.leaflet as xstatic_leaflet
import xstatic.pkg.leaflet_gesturehandling as xstatic_gesture
import xstatic.pkg.leaflet_markercluster as xstatic_cluster

from frontline.files import write_atomically
from frontline.outlines import outlines_file_name, write_outlines

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
# The project's own map script, served beside Leaflet.
PROJECT_ASSETS = Path(__file__).resolve().parent / "assets"
MAP_SCRIPT = "frontline-map.js"
BUNDLE_DIR = "frontline"
STATIC_ROUTE = "app/static"
OUTLINES_DIR = "outlines"


@dataclass(frozen=True, slots=True)
class _Asset:
    source: Path
    target: str  # path under static/


def _assets() -> tuple[_Asset, ...]:
    leaflet = Path(xstatic_leaflet.BASE_DIR)
    jquery = Path(xstatic_jquery.BASE_DIR)
    font_awesome = Path(xstatic_font_awesome.BASE_DIR)
    leaflet_dir = f"leaflet-{xstatic_leaflet.VERSION}"
    assets = [
        _Asset(leaflet / "leaflet.js", f"{leaflet_dir}/leaflet.js"),
        _Asset(leaflet / "leaflet.css", f"{leaflet_dir}/leaflet.css"),
        *(
            _Asset(image, f"{leaflet_dir}/images/{image.name}")
            for image in sorted((leaflet / "images").glob("*.png"))
        ),
        _Asset(jquery / "jquery.min.js", f"jquery-{xstatic_jquery.VERSION}/jquery.min.js"),
        # Font Awesome for layers that want icon glyphs (not linked into the map by default).
        _Asset(
            font_awesome / "css" / "all.min.css",
            f"fontawesome-{xstatic_font_awesome.VERSION}/css/all.min.css",
        ),
        *(
            _Asset(font, f"fontawesome-{xstatic_font_awesome.VERSION}/webfonts/{font.name}")
            for font in sorted((font_awesome / "webfonts").glob("*.woff2"))
        ),
    ]
    return tuple(assets)


def ensure_static_assets(static_dir: Path = STATIC_DIR) -> Path:
    """Copy the map's JavaScript/CSS into ``static_dir`` unless an identical copy is there.

    Several sessions may start at once: each file is written to a temporary name and renamed
    into place, so a reader never sees half a file.
    """
    for asset in _assets():
        target = static_dir / asset.target
        source = asset.source.stat()
        if target.is_file():
            present = target.stat()
            # A copy is never older than its source: an edited project script is copied again.
            if present.st_size == source.st_size and present.st_mtime >= source.st_mtime:
                continue
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
        os.close(handle)
        shutil.copyfile(asset.source, temporary)
        os.replace(temporary, target)
        logger.info("static asset %s written", target)
    for name, sources in _bundles().items():
        target = static_dir / BUNDLE_DIR / name
        if not target.is_file():
            write_atomically(
                target, b"\n;\n".join(path.read_bytes() for path in sources), mode=0o644
            )
            logger.info("static bundle %s written", target)
    write_outlines(static_dir / OUTLINES_DIR)
    return static_dir


def _plugin_files() -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """The plugins' and the project's map files: (scripts, stylesheets), in load order."""
    cluster = Path(xstatic_cluster.BASE_DIR)
    gesture = Path(xstatic_gesture.BASE_DIR)
    scripts = (
        cluster / "leaflet.markercluster.js",
        # Before the map is made: it hooks the map's constructor.
        gesture / "leaflet-gesture-handling.min.js",
        PROJECT_ASSETS / MAP_SCRIPT,
    )
    styles = (
        cluster / "MarkerCluster.css",
        cluster / "MarkerCluster.Default.css",
        gesture / "leaflet-gesture-handling.min.css",
    )
    return scripts, styles


@lru_cache(maxsize=1)
def _bundles() -> dict[str, tuple[Path, ...]]:
    """One script and one stylesheet for everything the map adds to Leaflet, each named by a
    hash of its content: one request each instead of six (the map's frame loads its scripts
    one after another), and an edited file gets a new name, so no browser keeps an old copy."""
    bundles = {}
    for paths, suffix in zip(_plugin_files(), ("js", "css"), strict=True):
        digest = hashlib.sha256()
        for path in paths:
            digest.update(path.read_bytes())
        bundles[f"map-{digest.hexdigest()[:12]}.{suffix}"] = paths
    return bundles


def _bundle_name(suffix: str) -> str:
    return next(name for name in _bundles() if name.endswith(f".{suffix}"))


@dataclass(frozen=True, slots=True)
class OfflineAssets:
    """URLs of the served files, as folium's ``default_js``/``default_css`` pairs."""

    base_url: str  # e.g. "/app/static" or "/prefix/app/static"

    @classmethod
    def for_base_path(cls, base_url_path: str = "") -> OfflineAssets:
        prefix = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
        return cls(f"{prefix}/{STATIC_ROUTE}")

    @property
    def leaflet_dir(self) -> str:
        return f"{self.base_url}/leaflet-{xstatic_leaflet.VERSION}"

    @property
    def leaflet_images(self) -> str:
        return f"{self.leaflet_dir}/images/"

    @property
    def outlines_url(self) -> str:
        return f"{self.base_url}/{OUTLINES_DIR}/{outlines_file_name()}"

    @property
    def js(self) -> list[tuple[str, str]]:
        return [
            ("leaflet", f"{self.leaflet_dir}/leaflet.js"),
            # folium's popup template builds its content with jQuery's $(...).
            ("jquery", f"{self.base_url}/jquery-{xstatic_jquery.VERSION}/jquery.min.js"),
            # Leaflet.markercluster, Leaflet.GestureHandling and the project's map script.
            ("frontline_map", f"{self.base_url}/{BUNDLE_DIR}/{_bundle_name('js')}"),
        ]

    @property
    def css(self) -> list[tuple[str, str]]:
        return [
            ("leaflet_css", f"{self.leaflet_dir}/leaflet.css"),
            ("frontline_map_css", f"{self.base_url}/{BUNDLE_DIR}/{_bundle_name('css')}"),
        ]

    @property
    def font_awesome_css(self) -> tuple[str, str]:
        return (
            "font_awesome_css",
            f"{self.base_url}/fontawesome-{xstatic_font_awesome.VERSION}/css/all.min.css",
        )
