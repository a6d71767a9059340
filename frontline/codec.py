"""The model's values as JSON-ready dicts and back: one place for every conversion.

Three shapes, each with its own readers:

- **stored** (the library file, corrections included): lossless, so that a result read back
  is equal to the one written (``result_from_json(result_to_json(r)) == r``). Evidence is
  kept as words; reading restores each reason's kind and each mention's NER label from
  them (``frontline.evidence``).
- **contract** (the CLI's JSON and the exports, DESIGN.md): one way, flat and rounded.
- **geocode cache**: what the geocoder's cache keeps of an answer.

Changing a shape changes files users have: the stored one is versioned
(``RESULT_FORMAT_VERSION``), the contract is documented in docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any, cast, get_args

from frontline.corrections import AddMention, ChooseCandidate, Correction, MovePin, RemovePlace
from frontline.errors import StoreError
from frontline.evidence import ner_label_from_words, reason_from_words
from frontline.model import (
    Article,
    Candidate,
    FeatureKind,
    GeoparseResult,
    Mention,
    Place,
    Sentence,
    TerritoryStatus,
)

RESULT_FORMAT_VERSION = 1
# The language a result without a "language" entry is in (all written before others were read).
ENGLISH = "en"

# ---------------------------------------------------------------------------- stored


def candidate_to_dict(candidate: Candidate) -> dict[str, Any]:
    return {
        "geonameid": candidate.geonameid,
        "name": candidate.name,
        "lat": candidate.lat,
        "lon": candidate.lon,
        "feature": candidate.feature,
        "country_code": candidate.country_code,
        "admin1": candidate.admin1,
        "population": candidate.population,
        "admin1_code": candidate.admin1_code,
        "source": candidate.source,
    }


def candidate_from_dict(data: Mapping[str, Any]) -> Candidate:
    return Candidate(
        geonameid=data["geonameid"],
        name=data["name"],
        lat=data["lat"],
        lon=data["lon"],
        feature=data["feature"],
        country_code=data["country_code"],
        admin1=data["admin1"],
        population=data.get("population", 0),
        admin1_code=data.get("admin1_code"),
        source=data.get("source", "geonames"),
    )


def mention_to_stored_dict(mention: Mention) -> dict[str, Any]:
    return {
        "text": mention.text,
        "start": mention.start,
        "end": mention.end,
        "sentence_index": mention.sentence_index,
        "evidence": list(mention.evidence),
    }


def mention_from_stored_dict(data: Mapping[str, Any]) -> Mention:
    return Mention(
        data["text"],
        data["start"],
        data["end"],
        data["sentence_index"],
        tuple(data["evidence"]),
        ner_label_from_words(data["evidence"]),
    )


def territory_to_stored_dict(territory: TerritoryStatus) -> dict[str, Any]:
    return {
        "status": territory.status,
        "distance_km": territory.distance_km,
        "snapshot": territory.snapshot.isoformat(),
        "distance_to_edge_km": territory.distance_to_edge_km,
    }


def territory_from_stored_dict(data: Mapping[str, Any]) -> TerritoryStatus:
    return TerritoryStatus(
        status=data["status"],
        distance_km=data["distance_km"],
        snapshot=dt.date.fromisoformat(data["snapshot"]),
        distance_to_edge_km=data.get("distance_to_edge_km"),
    )


def place_to_stored_dict(place: Place) -> dict[str, Any]:
    territory = place.territory
    named = {} if place.name_in_text is None else {"name_in_text": place.name_in_text}
    return {
        "name": place.name,
        **named,
        "candidate": candidate_to_dict(place.candidate) if place.candidate else None,
        "score": place.score,
        "evidence": list(place.evidence),
        "alternatives": [candidate_to_dict(c) for c in place.alternatives],
        "mentions": [mention_to_stored_dict(m) for m in place.mentions],
        "territory": None if territory is None else territory_to_stored_dict(territory),
    }


def place_from_stored_dict(data: Mapping[str, Any]) -> Place:
    territory = data["territory"]
    return Place(
        name=data["name"],
        name_in_text=data.get("name_in_text"),
        candidate=candidate_from_dict(data["candidate"]) if data["candidate"] else None,
        score=data["score"],
        evidence=tuple(reason_from_words(words) for words in data["evidence"]),
        alternatives=tuple(candidate_from_dict(c) for c in data["alternatives"]),
        mentions=tuple(mention_from_stored_dict(m) for m in data["mentions"]),
        territory=None if territory is None else territory_from_stored_dict(territory),
    )


def places_to_json(result: GeoparseResult) -> str:
    """A result's places as the library keeps them (the article is kept in its own columns):
    a list, as always, for an English text; with the language beside it for another."""
    places = [place_to_stored_dict(place) for place in result.places]
    if result.language == ENGLISH:
        return json.dumps(places, ensure_ascii=False)
    return json.dumps({"language": result.language, "places": places}, ensure_ascii=False)


def places_from_json(text: str) -> tuple[tuple[Place, ...], str]:
    """The places ``places_to_json`` wrote, and the language of their text."""
    data = json.loads(text)
    language, places = (
        (ENGLISH, data) if isinstance(data, list) else (data["language"], data["places"])
    )
    return tuple(place_from_stored_dict(place) for place in places), language


def sentence_spans(article: Article) -> list[list[int]]:
    return [[s.start, s.end] for s in article.sentences]


def sentences_from_spans(spans: Sequence[Sequence[int]]) -> tuple[Sentence, ...]:
    return tuple(Sentence(index, int(start), int(end)) for index, (start, end) in enumerate(spans))


def article_to_stored_dict(article: Article) -> dict[str, Any]:
    return {
        "text": article.text,
        "source": article.source,
        "title": article.title,
        "date": article.date.isoformat() if article.date else None,
        "sentences": sentence_spans(article),
    }


def article_from_stored_dict(data: Mapping[str, Any]) -> Article:
    return Article(
        text=data["text"],
        source=data["source"],
        title=data["title"],
        date=dt.date.fromisoformat(data["date"]) if data["date"] else None,
        sentences=sentences_from_spans(data["sentences"]),
    )


def result_to_json(result: GeoparseResult) -> str:
    """The whole result, article included, as JSON that ``result_from_json`` reads back equal."""
    return json.dumps(
        {
            "format": RESULT_FORMAT_VERSION,
            "article": article_to_stored_dict(result.article),
            **_language_entry(result),
            "places": [place_to_stored_dict(place) for place in result.places],
        },
        ensure_ascii=False,
    )


def result_from_json(text: str) -> GeoparseResult:
    try:
        data = json.loads(text)
        if data.get("format") != RESULT_FORMAT_VERSION:
            raise ValueError(f"unknown format {data.get('format')!r}")
        return GeoparseResult(
            article_from_stored_dict(data["article"]),
            tuple(place_from_stored_dict(place) for place in data["places"]),
            language=str(data.get("language", ENGLISH)),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise StoreError(f"not a stored geoparse result: {error}") from error


def correction_to_dict(correction: Correction) -> dict[str, Any]:
    match correction:
        case ChooseCandidate(place_name=name, geonameid=geonameid, reason=reason):
            return {
                "kind": "choose_candidate",
                "place_name": name,
                "geonameid": geonameid,
                "reason": reason,
            }
        case MovePin(place_name=name, candidate=candidate, reason=reason):
            return {
                "kind": "move_pin",
                "place_name": name,
                "candidate": candidate_to_dict(candidate),
                "reason": reason,
            }
        case RemovePlace(place_name=name, reason=reason):
            return {"kind": "remove_place", "place_name": name, "reason": reason}
        case AddMention(start=start, end=end, text=text, candidate=candidate, reason=reason):
            return {
                "kind": "add_mention",
                "start": start,
                "end": end,
                "text": text,
                "candidate": candidate_to_dict(candidate),
                "reason": reason,
            }
    raise TypeError(f"not a correction: {correction!r}")


def correction_from_dict(data: Mapping[str, Any]) -> Correction:
    try:
        kind = data["kind"]
        reason = str(data.get("reason", ""))
        if kind == "choose_candidate":
            return ChooseCandidate(str(data["place_name"]), int(data["geonameid"]), reason)
        if kind == "move_pin":
            candidate = candidate_from_dict(data["candidate"])
            return MovePin(str(data["place_name"]), candidate, reason)
        if kind == "remove_place":
            return RemovePlace(str(data["place_name"]), reason)
        if kind == "add_mention":
            candidate = candidate_from_dict(data["candidate"])
            return AddMention(
                int(data["start"]), int(data["end"]), str(data["text"]), candidate, reason
            )
    except (KeyError, TypeError, ValueError) as error:
        raise StoreError(f"malformed correction {dict(data)!r}: {error}") from error
    raise StoreError(f"unknown correction kind {data.get('kind')!r}")


# ---------------------------------------------------------------------------- contract


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
    # The text's own form where ``name`` is the English one («Покровська» for Pokrovsk).
    named = {} if place.name_in_text is None else {"name_in_text": place.name_in_text}
    return {
        "name": place.name,
        **named,
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
    return {
        "source": article.source,
        "title": article.title,
        "date": article.date.isoformat() if article.date else None,
        **_language_entry(result),
        "places": [place_to_dict(place, article) for place in chosen],
    }


def _language_entry(result: GeoparseResult) -> dict[str, str]:
    """``{"language": code}`` for a text not in English; nothing for English, whose output
    is as it was before other languages were read."""
    return {} if result.language == ENGLISH else {"language": result.language}


# ---------------------------------------------------------------------------- geocode cache


def cached_candidate_to_dict(candidate: Candidate, description: str) -> dict[str, Any]:
    return {
        "name": candidate.name,
        "lat": candidate.lat,
        "lon": candidate.lon,
        "feature": candidate.feature,
        "country_code": candidate.country_code,
        "admin1": candidate.admin1,
        "description": description,
    }


def cached_candidate_from_dict(entry: Mapping[str, Any], source: str) -> Candidate:
    return Candidate(
        geonameid=None,
        name=str(entry["name"]),
        lat=float(entry["lat"]),
        lon=float(entry["lon"]),
        feature=_checked_feature(entry["feature"]),
        country_code=entry.get("country_code"),
        admin1=entry.get("admin1"),
        source=source,
    )


_FEATURES: frozenset[str] = frozenset(get_args(FeatureKind))


def _checked_feature(value: object) -> FeatureKind:
    if value not in _FEATURES:
        raise ValueError(f"unknown feature {value!r}")
    return cast(FeatureKind, value)
