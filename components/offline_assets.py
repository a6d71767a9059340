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

from frontline.outlines import outlines_file_name, write_outlines

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
# The project's own map script, served beside Leaflet.
PROJECT_ASSETS = Path(__file__).resolve().parent / "assets"
MAP_SCRIPT = "frontline-map.js"
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
    cluster = Path(xstatic_cluster.BASE_DIR)
    cluster_dir = f"markercluster-{xstatic_cluster.VERSION}"
    gesture = Path(xstatic_gesture.BASE_DIR)
    gesture_dir = f"gesturehandling-{xstatic_gesture.VERSION}"
    assets = [
        _Asset(leaflet / "leaflet.js", f"{leaflet_dir}/leaflet.js"),
        _Asset(leaflet / "leaflet.css", f"{leaflet_dir}/leaflet.css"),
        *(
            _Asset(image, f"{leaflet_dir}/images/{image.name}")
            for image in sorted((leaflet / "images").glob("*.png"))
        ),
        _Asset(jquery / "jquery.min.js", f"jquery-{xstatic_jquery.VERSION}/jquery.min.js"),
        _Asset(PROJECT_ASSETS / MAP_SCRIPT, f"frontline/{MAP_SCRIPT}"),
        _Asset(cluster / "leaflet.markercluster.js", f"{cluster_dir}/leaflet.markercluster.js"),
        _Asset(cluster / "MarkerCluster.css", f"{cluster_dir}/MarkerCluster.css"),
        _Asset(cluster / "MarkerCluster.Default.css", f"{cluster_dir}/MarkerCluster.Default.css"),
        _Asset(
            gesture / "leaflet-gesture-handling.min.js",
            f"{gesture_dir}/leaflet-gesture-handling.min.js",
        ),
        _Asset(
            gesture / "leaflet-gesture-handling.min.css",
            f"{gesture_dir}/leaflet-gesture-handling.min.css",
        ),
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
    write_outlines(static_dir / OUTLINES_DIR)
    return static_dir


@lru_cache(maxsize=1)
def _map_script_version() -> str:
    return hashlib.sha256((PROJECT_ASSETS / MAP_SCRIPT).read_bytes()).hexdigest()[:10]


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
        cluster_dir = f"{self.base_url}/markercluster-{xstatic_cluster.VERSION}"
        gesture_dir = f"{self.base_url}/gesturehandling-{xstatic_gesture.VERSION}"
        return [
            ("leaflet", f"{self.leaflet_dir}/leaflet.js"),
            # folium's popup template builds its content with jQuery's $(...).
            ("jquery", f"{self.base_url}/jquery-{xstatic_jquery.VERSION}/jquery.min.js"),
            ("markercluster", f"{cluster_dir}/leaflet.markercluster.js"),
            # Loaded before the map is made: it hooks the map's constructor.
            ("gesturehandling", f"{gesture_dir}/leaflet-gesture-handling.min.js"),
            # The version in the query makes browsers fetch an edited script again.
            ("frontline_map", f"{self.base_url}/frontline/{MAP_SCRIPT}?v={_map_script_version()}"),
        ]

    @property
    def css(self) -> list[tuple[str, str]]:
        cluster_dir = f"{self.base_url}/markercluster-{xstatic_cluster.VERSION}"
        gesture_dir = f"{self.base_url}/gesturehandling-{xstatic_gesture.VERSION}"
        return [
            ("leaflet_css", f"{self.leaflet_dir}/leaflet.css"),
            ("markercluster_css", f"{cluster_dir}/MarkerCluster.css"),
            ("markercluster_default_css", f"{cluster_dir}/MarkerCluster.Default.css"),
            ("gesturehandling_css", f"{gesture_dir}/leaflet-gesture-handling.min.css"),
        ]

    @property
    def font_awesome_css(self) -> tuple[str, str]:
        return (
            "font_awesome_css",
            f"{self.base_url}/fontawesome-{xstatic_font_awesome.VERSION}/css/all.min.css",
        )
