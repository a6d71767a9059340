"""Snapshots a reader uploads, kept in the cache so that every later use finds them.

An upload is checked (it must parse as a snapshot and carry its date, in its file name or its
GeoJSON ``name``) and written as ``deepstatemap_data_YYYYMMDD.geojson`` into the uploads
folder of the territory cache. ``local_first_snapshots`` reads that folder beside the
reader's own folder and the origin's cache, so the app's front line, its date slider, "What
changed hands" and the CLI's ``--territory auto`` all see an upload, after a restart too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from frontline.errors import SnapshotFormatError, TerritoryError
from frontline.files import write_atomically
from frontline.territory.snapshots import (
    MAX_SNAPSHOT_BYTES,
    Snapshot,
    parse_snapshot,
    snapshot_file_name,
)

logger = logging.getLogger(__name__)

UPLOADS_FOLDER = "uploads"


def uploads_dir(territory_cache_dir: Path) -> Path:
    return Path(territory_cache_dir) / UPLOADS_FOLDER


@dataclass(frozen=True, slots=True)
class KeptUpload:
    snapshot: Snapshot
    path: Path
    replaced: bool  # an earlier upload of the same date was there and is replaced


def keep_upload(folder: Path, name: str, data: bytes) -> KeptUpload:
    """Check an uploaded snapshot and keep it in ``folder`` under its date's file name.

    Raises SnapshotFormatError (naming the file) for anything that is not a dated snapshot,
    TerritoryError if the folder cannot be written; nothing is kept then.
    """
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise SnapshotFormatError(
            f"{name} is larger than {MAX_SNAPSHOT_BYTES // 1_000_000} MB; "
            "a DeepStateMap snapshot is under 1 MB"
        )
    snapshot = parse_snapshot(data, source=name)
    target = Path(folder) / snapshot_file_name(snapshot.date)
    replaced = target.is_file()
    if replaced and target.read_bytes() == data:
        return KeptUpload(snapshot, target, replaced=False)
    try:
        write_atomically(target, data)
    except OSError as error:
        raise TerritoryError(
            f"cannot keep the uploaded snapshot {name} in {folder}: {error.strerror or error}"
        ) from error
    logger.info("uploaded snapshot %s kept as %s", name, target)
    return KeptUpload(snapshot, target, replaced=replaced)
