"""Writers: the CLI's JSON object (DESIGN.md's contract), GeoJSON, CSV and KML."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from frontline.model import Article, GeoparseResult, Place, TerritoryStatus


def territory_to_dict(territory: TerritoryStatus | None) -> dict[str, Any] | None:
    if territory is None:
        return None
    payload: dict[str, Any] = {
        "status": territory.status,
        "distance_km": round(territory.distance_km, 2),
        "snapshot": territory.snapshot.isoformat(),
    }
    if territory.distance_to_edge_km is not None:
        payload["distance_to_edge_km"] = round(territory.distance_to_edge_km, 2)
    return payload


def place_to_dict(place: Place, article: Article) -> dict[str, Any]:
    candidate = place.candidate
    payload: dict[str, Any] = {"name": place.name}
    if place.name_in_text:
        # The text's own form where ``name`` is the English one («Покровська» for Pokrovsk).
        payload["name_in_text"] = place.name_in_text
    return payload | {
        "geonameid": candidate.geonameid if candidate else None,
        "lat": candidate.lat if candidate else None,
        "lon": candidate.lon if candidate else None,
        "country_code": candidate.country_code if candidate else None,
        "admin1": candidate.admin1 if candidate else None,
        "feature": place.feature,
        "score": place.score,
        "evidence": list(place.evidence),
        "mentions": [
            {
                "text": mention.text,
                "start": mention.start,
                "end": mention.end,
                "sentence": article.sentence_text(mention.sentence_index)
                if article.sentences
                else article.text,
            }
            for mention in place.mentions
        ],
        "territory": territory_to_dict(place.territory),
    }


def result_to_dict(result: GeoparseResult, places: Sequence[Place] | None = None) -> dict[str, Any]:
    article = result.article
    chosen = result.places if places is None else places
    payload: dict[str, Any] = {
        "source": article.source,
        "title": article.title,
        "date": article.date.isoformat() if article.date else None,
    }
    if result.language != "en":
        # English output is as it always was; a Ukrainian or Russian text says so.
        payload["language"] = result.language
    payload["places"] = [place_to_dict(place, article) for place in chosen]
    return payload


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
