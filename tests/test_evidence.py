"""Evidence as data: reasons carry their kind and mentions their NER label, fresh from the
geoparser and read back from the library, where only the words are kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from frontline.article import article_from_file
from frontline.codec import result_from_json, result_to_json
from frontline.corrections import RemovePlace, apply_corrections
from frontline.evidence import (
    NOT_IN_GAZETTEER,
    Reason,
    ner_label_from_words,
    reason_from_words,
)
from frontline.geocode import GeocodeOutcome
from frontline.model import Candidate, GeoparseResult
from frontline.online import place_from_outcome, unresolved_places
from frontline.store import ArticleStore

from .conftest import SAMPLE_ARTICLE

TEXTS = sorted((Path(__file__).parent / "golden" / "texts").glob("*.txt"))


@pytest.fixture(scope="module")
def results(geoparser: Any) -> list[GeoparseResult]:
    return [geoparser.geoparse(article_from_file(path)) for path in [SAMPLE_ARTICLE, *TEXTS]]


def test_every_reason_has_a_kind_its_words_give_back(results: list[GeoparseResult]) -> None:
    kinds = set()
    for result in results:
        for place in result.places:
            for reason in place.evidence:
                assert isinstance(reason, Reason), reason
                assert reason.kind != "other", reason
                assert reason_from_words(str(reason)).kind == reason.kind, reason
                kinds.add(reason.kind)
    # The texts exercise the resolver's whole vocabulary but the reader's and the geocoder's.
    assert kinds >= {
        "recognition",
        "support",
        "withheld",
        "not_in_gazetteer",
        "population",
        "name",
        "capital",
        "named_in_text",
        "qualifier",
        "nearby",
        "runner_up",
    }


def test_every_mention_has_the_label_its_words_give_back(results: list[GeoparseResult]) -> None:
    labels = set()
    for result in results:
        for place in result.places:
            for mention in place.mentions:
                assert ner_label_from_words(mention.evidence) == mention.ner_label
                labels.add(mention.ner_label)
    assert {"GPE", "LOC", "ORG", None} <= labels


def test_corrections_and_the_geocoder_give_their_kinds(results: list[GeoparseResult]) -> None:
    sample = results[0]
    corrected = apply_corrections(sample, [RemovePlace("Budapest"), RemovePlace("nowhere")])
    assert len(corrected.places) == len(sample.places) - 1

    unresolved = next(p for r in results for p in r.places if NOT_IN_GAZETTEER in p.evidence)
    point = Candidate(None, unresolved.name, 45.0, 30.0, "city", "UA", None, source="geocoder:X")
    geocoder_reason = Reason("geocoder", "geocoder: X")
    found = place_from_outcome(
        unresolved,
        GeocodeOutcome(unresolved.name, "q", "hit", (point,), evidence=(geocoder_reason,)),
    )
    assert [reason.kind for reason in found.evidence[-2:]] == ["not_in_gazetteer", "geocoder"]
    missed = place_from_outcome(
        unresolved, GeocodeOutcome(unresolved.name, "q", "miss", evidence=(geocoder_reason,))
    )
    assert (missed.evidence[-1], missed.evidence[-1].kind) == ("geocoder: X: no match", "geocoder")


def test_a_stored_result_keeps_its_kinds_and_labels(results: list[GeoparseResult]) -> None:
    for result in results:
        restored = result_from_json(result_to_json(result))
        assert restored == result
        for place, again in zip(result.places, restored.places, strict=True):
            assert [r.kind for r in place.evidence] == [r.kind for r in again.evidence]
            assert [m.ner_label for m in place.mentions] == [m.ner_label for m in again.mentions]


def test_the_online_step_sends_the_same_names_for_a_stored_article(
    results: list[GeoparseResult], tmp_path: Path
) -> None:
    """The app looks names up for the article it read from the library: the names NER
    called places must still be known as such there."""
    seas = next(
        result for result in results if result.article.source.endswith("seas-and-regions.txt")
    )
    fresh = [place.name for _, place in unresolved_places(seas)]
    assert fresh, "the text names places the gazetteer lacks"
    with ArticleStore(tmp_path / "library.sqlite3") as store:
        stored = store.get(store.add(seas.article, seas))
    assert [place.name for _, place in unresolved_places(stored.result)] == fresh


def test_words_no_version_wrote_keep_their_words() -> None:
    reason = reason_from_words("checked by hand")
    assert (reason, reason.kind) == ("checked by hand", "other")
    assert ner_label_from_words(["landmark list"]) is None
