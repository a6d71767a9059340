"""Gold corpus readers: small hand-made files, then the shared corpora themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.corpora import (
    CORPORA,
    CorpusError,
    EupegRecord,
    format_eupeg_line,
    looks_like_demonym,
    parse_eupeg_line,
    read_eupeg_file,
    read_geovirus,
    read_geowebnews,
    read_tr_news,
    repair_span,
)

SHARED_EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"

GWN_SAMPLE = """<?xml version="1.0" ?>
<articles>
  <article file="7">
    <title>Shelling near Kharkiv</title>
    <link>http://example.org/a</link>
    <text>Ukrainian forces near Kharkiv held the line, the city said.</text>
    <toponyms>
      <toponym><extractedName>Ukrainian</extractedName><type>Non_Literal_Modifier</type>
        <start>0</start><end>9</end><geonamesID>690791</geonamesID>
        <latitude>49</latitude><longitude>32</longitude></toponym>
      <toponym><extractedName>Kharkiv</extractedName><normalisedName>Kharkiv</normalisedName>
        <type>Literal</type><start>22</start><end>29</end><geonamesID>706483</geonamesID>
        <latitude>49.98081</latitude><longitude>36.25272</longitude></toponym>
      <toponym><extractedName>city</extractedName><type>Literal_Expression</type>
        <start>50</start><end>54</end><geonamesID/><latitude/><longitude/></toponym>
      <toponym><extractedName>forces</extractedName><type>Non_Lit_Expression</type>
        <start>10</start><end>16</end></toponym>
    </toponyms>
  </article>
</articles>
"""

TR_NEWS_SAMPLE = """<?xml version="1.0" encoding="utf-8"?>
<articles>
  <article docid="42">
    <title>Attack in Ankara
    </title>
    <text><![CDATA[A Turkish court in Ankara met. Ankara said so.]]></text>
    <toponyms>
      <toponym><phrase>Turkish</phrase><start>2</start><end>9</end>
        <gaztag geonameid="298795"><name>Turkey</name><fcode>PCLI</fcode>
          <lat>39</lat><lon>35</lon></gaztag></toponym>
      <toponym><phrase>Ankara</phrase><start>22</start><end>28</end>
        <gaztag geonameid="323786"><name>Ankara</name><fcode>PPLC</fcode>
          <lat>39.91987</lat><lon>32.85427</lon></gaztag></toponym>
      <toponym><phrase>Ankara</phrase><start>34</start><end>40</end></toponym>
    </toponyms>
  </article>
</articles>
"""

GEOVIRUS_SAMPLE = """<articles>
  <article>
    <source>https://en.wikinews.org/wiki/Cholera_in_Haiti</source>
    <text>Cholera spread in Haiti and Port-au-Prince.</text>
    <locations>
      <location><name>Haiti</name><start>19</start><end>24</end>
        <lat>19</lat><lon>-72.42</lon><page>https://en.wikipedia.org/wiki/Haiti</page></location>
      <location><name>Port-au-Prince</name><start>29</start><end>43</end>
        <lat>18.53</lat><lon>-72.33</lon><page>x</page></location>
    </locations>
  </article>
</articles>
"""


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_geowebnews_keeps_toponyms_only_with_their_type(tmp_path: Path) -> None:
    (article,) = read_geowebnews(write(tmp_path, "GWN.xml", GWN_SAMPLE))
    assert (article.id, article.title) == ("7", "Shelling near Kharkiv")
    assert [toponym.surface for toponym in article.toponyms] == ["Ukrainian", "Kharkiv"]
    ukrainian, kharkiv = article.toponyms
    assert ukrainian.kind == "Non_Literal_Modifier" and ukrainian.demonym
    assert not kharkiv.demonym
    assert (kharkiv.geonameid, kharkiv.lat, kharkiv.lon) == (706483, 49.98081, 36.25272)
    assert article.text[kharkiv.start : kharkiv.end] == "Kharkiv"


def test_tr_news_moves_shifted_spans_onto_their_phrase(tmp_path: Path) -> None:
    (article,) = read_tr_news(write(tmp_path, "TR-News.xml", TR_NEWS_SAMPLE))
    assert article.title == "Attack in Ankara"
    turkish, ankara, second_ankara = article.toponyms
    assert article.text[ankara.start : ankara.end] == "Ankara"
    assert ankara.start == 19  # the file says 22: three characters too far right
    assert (second_ankara.start, second_ankara.end) == (31, 37)
    assert second_ankara.lat is None and second_ankara.geonameid is None
    assert turkish.demonym and not ankara.demonym
    assert (ankara.kind, ankara.geonameid) == ("PPLC", 323786)


def test_geovirus_offsets_move_one_character_left(tmp_path: Path) -> None:
    (article,) = read_geovirus(write(tmp_path, "GeoVirus.xml", GEOVIRUS_SAMPLE))
    for toponym in article.toponyms:
        assert article.text[toponym.start : toponym.end] == toponym.surface
    assert article.toponyms[0].start == 18
    assert article.title == "Cholera in Haiti"


def test_repair_span_picks_the_nearest_occurrence() -> None:
    text = "Lviv, then Lviv again, then Lviv."
    assert repair_span(text, "Lviv", 11, 12) == 11
    assert repair_span(text, "Lviv", 14, 12) == 11
    assert repair_span(text, "Lviv", 25, 12) == 28
    assert repair_span(text, "Odesa", 5, 12) is None


@pytest.mark.parametrize(
    ("surface", "name", "expected"),
    [
        ("Turkish", "Turkey", True),
        ("Canadians", "Canada", True),
        ("Iraqi", "Iraq", True),
        ("Dutch", "Netherlands", True),
        ("South Korean", "Republic of Korea", True),
        ("Ukrainian", None, True),
        ("Sudan", "Republic of the Sudan", False),
        ("Pakistan", None, False),
        ("Kyiv", "Kiev", False),
        ("U.S.", "United States", False),
        ("Holy Redeemer Church", "Church of the Holy Redeemer", False),
        ("Mexican", "Mexican Riviera", False),
    ],
)
def test_demonym_heuristic(surface: str, name: str | None, expected: bool) -> None:
    assert looks_like_demonym(surface, name) is expected


def test_eupeg_line_round_trip() -> None:
    line = "Kyiv,,Kiev,,50.45,,30.52,,10,,14||Nowhere,,Atlantis,,,,,,20,,28||"
    records = parse_eupeg_line(line)
    assert records == (
        EupegRecord("Kyiv", "Kiev", 50.45, 30.52, 10, 14),
        EupegRecord("Nowhere", "Atlantis", None, None, 20, 28),
    )
    assert parse_eupeg_line(format_eupeg_line(records)) == records
    assert parse_eupeg_line("") == ()
    assert parse_eupeg_line("|") == ()


def test_eupeg_records_of_geovirus_gold_are_never_demonyms() -> None:
    assert not EupegRecord("nonOfficial", "Italian", 42.0, 12.0, 0, 7).demonym
    assert EupegRecord("Italy", "Italian", 42.0, 12.0, 0, 7).demonym


def test_bad_files_raise_one_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="not found"):
        read_eupeg_file(tmp_path / "missing.txt")
    broken = write(tmp_path, "broken.txt", "ok,,Kyiv,,1,,2,,0,,4||\nKyiv,,50.4,,30.5||\n")
    with pytest.raises(CorpusError, match=r"broken\.txt:2"):
        read_eupeg_file(broken)
    with pytest.raises(CorpusError, match=r"GWN\.xml"):
        read_geowebnews(write(tmp_path, "GWN.xml", "<articles><article>"))
    bad_number = TR_NEWS_SAMPLE.replace("<start>2</start>", "<start>two</start>")
    with pytest.raises(CorpusError, match="malformed"):
        read_tr_news(write(tmp_path, "TR.xml", bad_number))
    with pytest.raises(CorpusError, match="not found"):
        read_geovirus(tmp_path / "nope.xml")


# Counts stated in each corpus's SOURCE.md.
SHARED_COUNTS = {"geowebnews": (200, 2401), "tr-news": (118, 1275), "geovirus": (229, 2167)}


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_shared_corpus_spans_fit_the_text_and_align_with_eupeg(corpus: str) -> None:
    spec = CORPORA[corpus]
    if not spec.xml_path(SHARED_EVAL).exists():
        pytest.skip(f"{spec.xml_path(SHARED_EVAL)} is absent")
    articles = spec.read_articles(SHARED_EVAL)
    gold = read_eupeg_file(spec.gold_path(SHARED_EVAL))
    article_count, gold_count = SHARED_COUNTS[corpus]
    assert len(articles) == article_count == len(gold)
    assert sum(len(records) for records in gold) == gold_count
    for article in articles:
        for toponym in article.toponyms:
            assert article.text[toponym.start : toponym.end] == toponym.surface, article.id
    assert len(spec.peer_paths(SHARED_EVAL)) == 9
    # EUPEG's gold line i belongs to article i: most of its surfaces sit near where it says.
    near = total = 0
    for article, records in zip(articles, gold, strict=True):
        for gold_record in records:
            total += 1
            window = article.text[max(0, gold_record.start - 6) : gold_record.end + 6]
            near += gold_record.surface in window
    assert near / total > 0.95


def test_shared_geowebnews_has_the_papers_toponym_count() -> None:
    spec = CORPORA["geowebnews"]
    if not spec.xml_path(SHARED_EVAL).exists():
        pytest.skip(f"{spec.xml_path(SHARED_EVAL)} is absent")
    articles = spec.read_articles(SHARED_EVAL)
    # 2,720 in the paper; one toponym of article 123 has offsets that fit no occurrence.
    assert sum(len(article.toponyms) for article in articles) == 2719
