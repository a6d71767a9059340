"""Writers: the CLI's JSON object (DESIGN.md's contract, from ``codec``), GeoJSON, CSV and KML."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

from frontline.codec import place_to_dict
from frontline.model import Article, Place


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
    title = escape(article.title or article.source)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<name>{title}</name>{''.join(placemarks)}</Document></kml>\n"
    )
