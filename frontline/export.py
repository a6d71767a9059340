"""Writers: the CLI's JSON object (DESIGN.md's contract, from ``codec``), GeoJSON, CSV and KML."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any, Literal, TextIO
from xml.sax.saxutils import escape

from frontline.article import display_title
from frontline.codec import place_to_dict, result_to_dict
from frontline.model import Article, GeoparseResult, Place

OutputFormat = Literal["json", "csv", "geojson", "kml"]
FORMATS: tuple[OutputFormat, ...] = ("json", "csv", "geojson", "kml")


def to_geojson(places: Iterable[Place], article: Article) -> dict[str, Any]:
    """A FeatureCollection; places without a point keep a null geometry (RFC 7946 §3.2)."""
    features = []
    for place in places:
        properties = place_to_dict(place, article)
        lat, lon = properties.pop("lat"), properties.pop("lon")
        properties["source"] = article.source
        properties["article_date"] = article.date.isoformat() if article.date else None
        geometry = (
            {"type": "Point", "coordinates": [lon, lat]}
            if lat is not None and lon is not None
            else None
        )
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


CSV_COLUMNS = (
    "source",
    "article_date",
    "name",
    "geonameid",
    "lat",
    "lon",
    "country_code",
    "admin1",
    "feature",
    "score",
    "mention_count",
    "first_sentence",
    "territory_status",
    "distance_km",
    "territory_snapshot",
    "evidence",
)


def csv_rows(places: Iterable[Place], article: Article) -> list[dict[str, Any]]:
    rows = []
    for place in places:
        record = place_to_dict(place, article)
        territory = record["territory"] or {}
        rows.append(
            {
                "source": article.source,
                "article_date": article.date.isoformat() if article.date else "",
                "name": record["name"],
                "geonameid": record["geonameid"] if record["geonameid"] is not None else "",
                "lat": record["lat"] if record["lat"] is not None else "",
                "lon": record["lon"] if record["lon"] is not None else "",
                "country_code": record["country_code"] or "",
                "admin1": record["admin1"] or "",
                "feature": record["feature"],
                "score": record["score"],
                "mention_count": len(record["mentions"]),
                "first_sentence": record["mentions"][0]["sentence"] if record["mentions"] else "",
                "territory_status": territory.get("status", ""),
                "distance_km": territory.get("distance_km", ""),
                "territory_snapshot": territory.get("snapshot", ""),
                "evidence": "; ".join(record["evidence"]),
            }
        )
    return rows


def to_csv(places: Iterable[Place], article: Article, *, header: bool = True) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    if header:
        writer.writeheader()
    writer.writerows(csv_rows(places, article))
    return buffer.getvalue()


def to_kml(places: Iterable[Place], article: Article) -> str:
    placemarks = []
    for place in places:
        if not place.has_point:
            continue
        first = article.sentence_text(place.mentions[0].sentence_index) if article.sentences else ""
        placemarks.append(
            "<Placemark>"
            f"<name>{escape(place.name)}</name>"
            f"<description>{escape(first)}</description>"
            f"<Point><coordinates>{place.lon},{place.lat}</coordinates></Point>"
            "</Placemark>"
        )
    title = escape(display_title(article.title, article.source))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<name>{title}</name>{''.join(placemarks)}</Document></kml>\n"
    )


def write(
    results: Sequence[GeoparseResult], output_format: str, out: TextIO, *, as_list: bool = True
) -> None:
    """Write ``results`` in one of ``FORMATS``; JSON is one object when ``as_list`` is false
    (a single input), GeoJSON one collection, CSV one header."""
    if output_format == "json":
        payload: Any = [result_to_dict(result) for result in results]
        if not as_list:
            (payload,) = payload
        json.dump(payload, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif output_format == "geojson":
        features = [
            feature
            for result in results
            for feature in to_geojson(result.places, result.article)["features"]
        ]
        json.dump({"type": "FeatureCollection", "features": features}, out, ensure_ascii=False)
        out.write("\n")
    elif output_format == "csv":
        for index, result in enumerate(results):
            out.write(to_csv(result.places, result.article, header=index == 0))
    else:
        for result in results:
            out.write(to_kml(result.places, result.article))
