"""Readers for the gold corpora in ``../shared/eval`` and for EUPEG's stored output files.

Each corpus has its own offset quirk (described in its SOURCE.md); the readers repair them so
that ``article.text[toponym.start:toponym.end] == toponym.surface`` wherever the data allows.
EUPEG's files are read as they are, quirks included, because the published tables were computed
from them.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from frontline.errors import FrontlineError

logger = logging.getLogger(__name__)

SHARED_EVAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval"

# GeoWebNews annotates many non-toponyms; the paper's toponym set excludes these types.
GWN_NON_TOPONYM_TYPES = frozenset({"Literal_Expression", "Non_Lit_Expression", "Non_Toponym"})
GWN_DEMONYM_TYPES = frozenset({"Demonym", "Language"})
# TR-News spans are off by at most 5 characters (SOURCE.md); search a little wider.
REPAIR_WINDOW = 12

# Endings of English adjectives and nouns of nationality, applied to a mention's last word:
# Turkish, Canadian, Korean, Chinese, Iraqi(s), Greek(s), Mexican(s), Dutch, Long Islanders.
_DEMONYM_LAST_WORD = re.compile(
    r"^(?:[a-z]+(?:ish|ians?|eans?|ese|eks?|ers)|[a-z]*[aeiou][a-z]is?"
    r"|[a-z]*[aeiou][cnrl]?ans?|dutch|czech|french)$"
)


class CorpusError(FrontlineError):
    """A gold corpus or an EUPEG output file is missing or malformed."""


@dataclass(frozen=True, slots=True)
class GoldToponym:
    """One gold toponym; ``start``/``end`` index the article text (end exclusive)."""

    surface: str
    start: int
    end: int
    lat: float | None
    lon: float | None
    geonameid: int | None
    kind: str
    demonym: bool = False


@dataclass(frozen=True, slots=True)
class CorpusArticle:
    id: str
    title: str | None
    text: str
    toponyms: tuple[GoldToponym, ...]


@dataclass(frozen=True, slots=True)
class EupegRecord:
    """One ``name,,surface,,lat,,lon,,start,,end`` record of an EUPEG gold or output file."""

    name: str
    surface: str
    lat: float | None
    lon: float | None
    start: int
    end: int

    @property
    def demonym(self) -> bool:
        # GeoVirus's gold names every place "nonOfficial": no name to compare with, and the
        # corpus has no demonyms (Gritta et al. 2018), so unknown names never count.
        return self.name != "nonOfficial" and looks_like_demonym(self.surface, self.name)


@dataclass(frozen=True, slots=True)
class CorpusSpec:
    """Where a corpus lives and how to read it."""

    name: str
    folder: str
    xml_file: str
    eupeg_prefix: str
    reader: Callable[[Path], tuple[CorpusArticle, ...]]

    def directory(self, eval_dir: Path = SHARED_EVAL_DIR) -> Path:
        return eval_dir / self.folder

    def xml_path(self, eval_dir: Path = SHARED_EVAL_DIR) -> Path:
        return self.directory(eval_dir) / self.xml_file

    def eupeg_dir(self, eval_dir: Path = SHARED_EVAL_DIR) -> Path:
        return self.directory(eval_dir) / "peer_outputs_eupeg"

    def gold_path(self, eval_dir: Path = SHARED_EVAL_DIR) -> Path:
        return self.eupeg_dir(eval_dir) / f"{self.eupeg_prefix}_gold.txt"

    def peer_paths(self, eval_dir: Path = SHARED_EVAL_DIR) -> dict[str, Path]:
        """System name -> stored EUPEG output, for every peer file beside the gold file."""
        prefix = f"{self.eupeg_prefix}_"
        peers = {}
        for path in sorted(self.eupeg_dir(eval_dir).glob(f"{prefix}*.txt")):
            system = path.stem[len(prefix) :]
            if system != "gold":
                peers[system] = path
        return peers

    def read_articles(self, eval_dir: Path = SHARED_EVAL_DIR) -> tuple[CorpusArticle, ...]:
        return self.reader(self.xml_path(eval_dir))


def fold(text: str) -> str:
    """Lower case without diacritics, for comparing names across spellings."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def looks_like_demonym(surface: str, place_name: str | None) -> bool:
    """True for adjectival or demonym mentions ("Turkish" for Turkey, "Syrians" for Syria).

    A mention is demonym-like when it is not the place's name (nor part of it) and its last
    word ends like an English adjective or noun of nationality. ``place_name`` None means the
    name is unknown; the ending alone then decides.
    """
    words = fold(surface).split()
    if not words or not all(word.isalpha() for word in words):
        return False
    if place_name:
        surface_folded, name_folded = " ".join(words), fold(place_name)
        if surface_folded in name_folded:
            return False
    return bool(_DEMONYM_LAST_WORD.match(words[-1]))


def _parse(path: Path) -> ElementTree.Element:
    try:
        return ElementTree.parse(path).getroot()
    except FileNotFoundError as error:
        raise CorpusError(f"corpus file not found: {path}") from error
    except (ElementTree.ParseError, OSError) as error:
        raise CorpusError(f"cannot read corpus file {path}: {error}") from error


def _float_or_none(raw: str | None) -> float | None:
    if raw is None or not raw.strip() or raw.strip().lower() == "null":
        return None
    return float(raw)


def _int_or_none(raw: str | None) -> int | None:
    if raw is None or not raw.strip():
        return None
    return int(raw)


def read_geowebnews(path: Path) -> tuple[CorpusArticle, ...]:
    """GWN.xml: the toponyms by the paper's definition (2,720), each with its GWN type.

    Two toponyms of article 123 carry negative offsets; one is placed where its surface occurs
    exactly once, the other (three occurrences) cannot be placed and is left out, with a warning.
    """
    articles: list[CorpusArticle] = []
    unplaced = 0
    try:
        for element in _parse(path).findall("article"):
            text = element.findtext("text") or ""
            toponyms = []
            for node in element.iter("toponym"):
                kind = node.findtext("type") or ""
                if kind in GWN_NON_TOPONYM_TYPES:
                    continue
                surface = node.findtext("extractedName") or ""
                start = _place_gwn_span(text, surface, int(node.findtext("start") or ""))
                if start is None:
                    unplaced += 1
                    continue
                toponyms.append(
                    GoldToponym(
                        surface=surface,
                        start=start,
                        end=start + len(surface),
                        lat=_float_or_none(node.findtext("latitude")),
                        lon=_float_or_none(node.findtext("longitude")),
                        geonameid=_int_or_none(node.findtext("geonamesID")),
                        kind=kind,
                        demonym=kind in GWN_DEMONYM_TYPES
                        or looks_like_demonym(surface, node.findtext("normalisedName") or None),
                    )
                )
            articles.append(
                CorpusArticle(
                    id=element.get("file", str(len(articles))),
                    title=(element.findtext("title") or "").strip() or None,
                    text=text,
                    toponyms=tuple(toponyms),
                )
            )
    except ValueError as error:
        raise CorpusError(f"malformed number in {path}: {error}") from error
    if unplaced:
        logger.info("%s: %d toponyms left out, their offsets fit no occurrence", path, unplaced)
    return tuple(articles)


def _place_gwn_span(text: str, surface: str, start: int) -> int | None:
    if start >= 0 and text[start : start + len(surface)] == surface:
        return start
    if start >= 0:
        nearby = repair_span(text, surface, start, REPAIR_WINDOW)
        if nearby is not None:
            return nearby
    return text.find(surface) if text.count(surface) == 1 else None


def repair_span(text: str, surface: str, start: int, window: int) -> int | None:
    """Start of the occurrence of ``surface`` nearest to ``start`` within ``window`` characters."""
    if text[start : start + len(surface)] == surface:
        return start
    best: int | None = None
    low = max(0, start - window)
    high = min(len(text), start + window + len(surface))
    position = text.find(surface, low, high)
    while position != -1:
        if best is None or abs(position - start) < abs(best - start):
            best = position
        position = text.find(surface, position + 1, high)
    return best


def read_tr_news(path: Path) -> tuple[CorpusArticle, ...]:
    """TR-News.xml, with the 117 shifted spans moved onto their phrase."""
    articles: list[CorpusArticle] = []
    unrepaired = 0
    try:
        for element in _parse(path).findall("article"):
            text = element.findtext("text") or ""
            toponyms = []
            for node in element.iter("toponym"):
                phrase = node.findtext("phrase") or ""
                start = int(node.findtext("start") or "")
                repaired = repair_span(text, phrase, start, REPAIR_WINDOW)
                if repaired is None:
                    unrepaired += 1
                    repaired = start
                gaztag = node.find("gaztag")
                name = gaztag.findtext("name") if gaztag is not None else None
                feature_code = (gaztag.findtext("fcode") if gaztag is not None else None) or ""
                geonameid = gaztag.get("geonameid") if gaztag is not None else None
                toponyms.append(
                    GoldToponym(
                        surface=phrase,
                        start=repaired,
                        end=repaired + len(phrase),
                        lat=_float_or_none(gaztag.findtext("lat") if gaztag is not None else None),
                        lon=_float_or_none(gaztag.findtext("lon") if gaztag is not None else None),
                        geonameid=_int_or_none(geonameid),
                        kind=feature_code,
                        demonym=looks_like_demonym(phrase, name),
                    )
                )
            articles.append(
                CorpusArticle(
                    id=element.get("docid", str(len(articles))),
                    title=(element.findtext("title") or "").strip() or None,
                    text=text,
                    toponyms=tuple(toponyms),
                )
            )
    except ValueError as error:
        raise CorpusError(f"malformed number in {path}: {error}") from error
    if unrepaired:
        logger.warning("%s: %d spans could not be moved onto their phrase", path, unrepaired)
    return tuple(articles)


def read_geovirus(path: Path) -> tuple[CorpusArticle, ...]:
    """GeoVirus.xml, every span moved one character left (the file's offsets are one too far)."""
    articles: list[CorpusArticle] = []
    try:
        for element in _parse(path).findall("article"):
            text = element.findtext("text") or ""
            toponyms = []
            for node in element.iter("location"):
                name = node.findtext("name") or ""
                start = int(node.findtext("start") or "") - 1
                toponyms.append(
                    GoldToponym(
                        surface=name,
                        start=start,
                        end=start + len(name),
                        lat=_float_or_none(node.findtext("lat")),
                        lon=_float_or_none(node.findtext("lon")),
                        geonameid=None,
                        kind="location",
                        demonym=False,
                    )
                )
            source = (element.findtext("source") or "").strip()
            title = source.rsplit("/", 1)[-1].replace("_", " ") if source else None
            articles.append(
                CorpusArticle(
                    id=source or str(len(articles)),
                    title=title,
                    text=text,
                    toponyms=tuple(toponyms),
                )
            )
    except ValueError as error:
        raise CorpusError(f"malformed number in {path}: {error}") from error
    return tuple(articles)


CORPORA: dict[str, CorpusSpec] = {
    spec.name: spec
    for spec in (
        CorpusSpec("geowebnews", "geowebnews", "GWN.xml", "GeoWebNews", read_geowebnews),
        CorpusSpec("tr-news", "tr-news", "TR-News.xml", "TR-News", read_tr_news),
        CorpusSpec("geovirus", "geovirus", "GeoVirus.xml", "GeoVirus", read_geovirus),
    )
}


def parse_eupeg_line(line: str) -> tuple[EupegRecord, ...]:
    """One article's records; like EUPEG, fragments of one character or less are skipped."""
    records = []
    for fragment in line.rstrip("\r\n").split("||"):
        if len(fragment) <= 1:
            continue
        fields = fragment.split(",,")
        if len(fields) != 6:
            raise ValueError(
                f"expected 6 fields separated by ',,', got {len(fields)}: {fragment!r}"
            )
        name, surface, lat, lon, start, end = fields
        records.append(
            EupegRecord(
                name=name,
                surface=surface,
                lat=_float_or_none(lat),
                lon=_float_or_none(lon),
                start=int(start),
                end=int(end),
            )
        )
    return tuple(records)


def read_eupeg_file(path: Path) -> tuple[tuple[EupegRecord, ...], ...]:
    """An EUPEG gold or output file: one tuple of records per article, in corpus order."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as error:
        raise CorpusError(f"EUPEG file not found: {path}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise CorpusError(f"cannot read EUPEG file {path}: {error}") from error
    articles: list[tuple[EupegRecord, ...]] = []
    for number, line in enumerate(lines, start=1):
        try:
            articles.append(parse_eupeg_line(line))
        except ValueError as error:
            raise CorpusError(f"{path}:{number}: {error}") from error
    return tuple(articles)


def format_eupeg_line(records: tuple[EupegRecord, ...]) -> str:
    """The inverse of parse_eupeg_line, so our predictions can be written in EUPEG's format."""
    return "".join(
        f"{record.name},,{record.surface},,{_blank_if_none(record.lat)},,"
        f"{_blank_if_none(record.lon)},,{record.start},,{record.end}||"
        for record in records
    )


def _blank_if_none(value: float | None) -> str:
    return "" if value is None else repr(value)
