"""What the tests of recognition and resolution share: one text geoparsed, its places by name."""

from __future__ import annotations

from typing import Any

from frontline.article import article_from_text
from frontline.model import Place


def places_by_name(geoparser: Any, text: str) -> dict[str, Place]:
    result = geoparser.geoparse(article_from_text(text, source="test", title=None))
    return {place.name: place for place in result.places}
