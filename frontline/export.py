"""Writers: the CLI's JSON object (DESIGN.md's contract, from ``codec``), GeoJSON, CSV and KML.

Article text is untrusted. In CSV, a cell that starts like a formula is prefixed with a
quote (OWASP's rule for CSV injection), so a spreadsheet shows ``=HYPERLINK(...)`` instead of
running it. In KML, characters XML 1.0 forbids (ESC, VT, SOH, ...) are dropped, so the file
stays well-formed; everything else is escaped as XML text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal, TextIO
from xml.sax.saxutils import escape

from frontline.article import display_title
from frontline.codec import place_to_dict, result_to_dict
from frontline.model import Article, GeoparseResult, Place
from frontline.terminal import json_for_terminal

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


# A cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Everything outside XML 1.0's Char production (controls but tab and line breaks, lone
# surrogates, U+FFFE and U+FFFF).
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def neutralise_formula(value: Any) -> Any:
    """A text cell that a spreadsheet would evaluate, shown as text; other values as given."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def xml_text(text: str) -> str:
    """``text`` as XML 1.0 character data: forbidden characters dropped, the rest escaped."""
    return escape(_NOT_XML_CHAR.sub("", text))


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
    writer.writerows(
        {column: neutralise_formula(value) for column, value in row.items()}
        for row in csv_rows(places, article)
    )
    return buffer.getvalue()


def to_kml(places: Iterable[Place], article: Article) -> str:
    placemarks = []
    for place in places:
        if not place.has_point:
            continue
        first = article.sentence_text(place.mentions[0].sentence_index) if article.sentences else ""
        placemarks.append(
            "<Placemark>"
            f"<name>{xml_text(place.name)}</name>"
            f"<description>{xml_text(first)}</description>"
            f"<Point><coordinates>{place.lon},{place.lat}</coordinates></Point>"
            "</Placemark>"
        )
    # Forbidden characters become spaces before the title is made one line: none is left
    # standing at its end once they are gone.
    title = xml_text(display_title(_NOT_XML_CHAR.sub(" ", article.title or ""), article.source))
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
        # C1 controls and bidirectional overrides escaped: the same JSON, safe in a terminal.
        out.write(json_for_terminal(json.dumps(payload, ensure_ascii=False, indent=2)) + "\n")
    elif output_format == "geojson":
        features = [
            feature
            for result in results
            for feature in to_geojson(result.places, result.article)["features"]
        ]
        collection = {"type": "FeatureCollection", "features": features}
        out.write(json_for_terminal(json.dumps(collection, ensure_ascii=False)) + "\n")
    elif output_format == "csv":
        for index, result in enumerate(results):
            out.write(to_csv(result.places, result.article, header=index == 0))
    else:
        for result in results:
            out.write(to_kml(result.places, result.article))
