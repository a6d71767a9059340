"""Named entities in Russian text: natasha's offline news NER (slovnet over navec embeddings).

The model and its embeddings ship inside the ``natasha`` wheel (27 MB), so nothing is
downloaded at run time; they are loaded once, on the first Russian text (about 1 s), and
shared. Ukrainian has no such model on the registries: Ukrainian texts go without, and the
gazetteer, capitalisation and war-report patterns carry recognition (cyrillic/recognize.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import util
from pathlib import Path
from typing import Any

from frontline.errors import FrontlineError

# natasha's tags as the resolver reads NER labels (spaCy's names): its LOC covers towns,
# regions and countries alike, which is spaCy's GPE.
LABELS = {"LOC": "GPE", "PER": "PERSON", "ORG": "ORG"}
_EMBEDDINGS = "data/emb/navec_news_v1_1B_250K_300d_100q.tar"
_MODEL = "data/model/slovnet_ner_news_v1.tar"


@dataclass(frozen=True, slots=True)
class Entity:
    start: int
    end: int
    label: str


class RussianNer:
    _shared: Any = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self.model = self._load()

    @classmethod
    def _load(cls) -> Any:
        with cls._lock:
            if cls._shared is None:
                spec = util.find_spec("natasha")
                if spec is None or spec.origin is None:
                    raise FrontlineError(
                        "natasha (Russian NER) is not installed: pip install -r requirements.txt"
                    )
                from navec import Navec
                from slovnet import NER

                folder = Path(spec.origin).parent
                model = NER.load(str(folder / _MODEL))
                model.navec(Navec.load(str(folder / _EMBEDDINGS)))
                cls._shared = model
            return cls._shared

    def entities(self, text: str) -> list[Entity]:
        markup = self.model(text)
        return [
            Entity(span.start, span.stop, LABELS[span.type])
            for span in markup.spans
            if span.type in LABELS
        ]
