"""Occupied-territory snapshots: load, pick by date, status and distance of places, change.

A snapshot is one DeepStateMap layer (a GeoJSON FeatureCollection of (Multi)Polygons in
lon/lat, CRS84) with the date it was drawn. Sources: a local folder of
``deepstatemap_data_YYYYMMDD.geojson`` files, the public origin by URL template (cached on
disk), or a file or URL the user names.


The package's parts: ``snapshots`` (parse and validate one layer), ``sources`` (folder,
origin, cache, ``auto``), ``uploads`` (snapshots a reader uploads, kept in the cache),
``distance`` (status and distance of places), ``front_line`` (the line itself, for the
resolver's prior), ``change`` (what changed hands), ``display`` (GeoJSON for the map),
``projection`` (the equal-area projection they share). Everything other modules use is
imported from here.
"""

from __future__ import annotations

from frontline.territory.change import TerritoryChange, territory_change
from frontline.territory.display import (
    change_geojson,
    display_geojson,
    display_geometry,
    drop_small_parts,
    geojson_size_bytes,
)
from frontline.territory.distance import (
    annotate_places,
    territory_lookup,
    territory_status,
    territory_statuses,
)
from frontline.territory.projection import LonLatBox
from frontline.territory.snapshots import (
    MAX_SNAPSHOT_BYTES,
    SOURCE_CREDIT,
    SOURCE_LICENSE,
    SOURCE_NAME,
    UKRAINE,
    Snapshot,
    load_snapshot,
    parse_snapshot,
    snapshot_date_from_name,
    snapshot_dates,
    snapshot_file_name,
)
from frontline.territory.sources import (
    ArticleSnapshots,
    FolderSnapshots,
    LocalFirstSnapshots,
    OriginSnapshots,
    SnapshotChoice,
    SnapshotProvider,
    annotator_for,
    choose_snapshot,
    load_snapshot_url,
    local_first_snapshots,
    origin_snapshots,
)
from frontline.territory.uploads import UPLOADS_FOLDER, KeptUpload, keep_upload, uploads_dir

__all__ = [
    "MAX_SNAPSHOT_BYTES",
    "SOURCE_CREDIT",
    "SOURCE_LICENSE",
    "SOURCE_NAME",
    "UKRAINE",
    "UPLOADS_FOLDER",
    "ArticleSnapshots",
    "FolderSnapshots",
    "KeptUpload",
    "LocalFirstSnapshots",
    "LonLatBox",
    "OriginSnapshots",
    "Snapshot",
    "SnapshotChoice",
    "SnapshotProvider",
    "TerritoryChange",
    "annotate_places",
    "annotator_for",
    "change_geojson",
    "choose_snapshot",
    "display_geojson",
    "display_geometry",
    "drop_small_parts",
    "geojson_size_bytes",
    "keep_upload",
    "load_snapshot",
    "load_snapshot_url",
    "local_first_snapshots",
    "origin_snapshots",
    "parse_snapshot",
    "snapshot_date_from_name",
    "snapshot_dates",
    "snapshot_file_name",
    "territory_change",
    "territory_lookup",
    "territory_status",
    "territory_statuses",
    "uploads_dir",
]
