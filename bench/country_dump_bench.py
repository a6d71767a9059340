"""Build time and size of the index with a GeoNames country export merged, on a generated dump
of realistic size (the real UA.zip cannot be downloaded here).

    python -m bench.country_dump_bench [--rows 30000] [--seed 11]

The generated ``UA.zip`` has GeoNames' 19 columns and the shape of the real export's rows
the index takes: ~30,000 populated places and ~1,600 raions and hromadas, named after the
Ukrainian towns cities500 holds (with the prefixes villages carry: Nova, Velyka, Mala...),
each with its Ukrainian and Russian Cyrillic names (uklatn's reverse transliteration) and
2-4 Latin variants, scattered over Ukraine. The same index is built without it, in the same
run, for the comparison; then a village look-up is timed on both.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

import uklatn

from frontline.countries import keep_country_file
from frontline.gazetteer import Gazetteer, ensure_index
from frontline.settings import Settings

PREFIXES = ("", "", "", "Nova ", "Stara ", "Velyka ", "Mala ", "Verkhnia ", "Nyzhnia ")
# Ukrainian letters that Russian spells otherwise, for the Russian name of each village.
RUSSIAN_SPELLING = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г", "И": "Ы"})


def _base_names(gazetteer: Gazetteer) -> list[str]:
    rows = gazetteer._connection().execute(
        "SELECT name FROM entries WHERE country_code = 'UA' AND feature = 'city'"
    )
    return sorted({str(row[0]) for row in rows if str(row[0]).isascii()})


def _row(
    geonameid: int, name: str, alternates: list[str], code: tuple[str, str], rng: random.Random
) -> str:
    feature_class, feature_code = code
    lat, lon = rng.uniform(44.4, 52.3), rng.uniform(22.2, 40.1)
    admin1 = f"{rng.choice((1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)):02d}"
    fields = [
        geonameid,
        name,
        name,
        ",".join(alternates),
        f"{lat:.5f}",
        f"{lon:.5f}",
        feature_class,
        feature_code,
        "UA",
        "",
        admin1,
        str(rng.randint(1000, 9999)),
        str(rng.randint(10000, 99999)) if feature_code != "ADM2" else "",
        "",
        0 if feature_class == "P" else rng.randint(2000, 60000),
        "",
        150,
        "Europe/Kyiv",
        "2024-05-01",
    ]
    return "\t".join(str(field) for field in fields) + "\n"


def generate_dump(path: Path, base_names: list[str], rows: int, seed: int) -> Path:
    rng = random.Random(seed)
    lines = []
    for index in range(rows):
        name = rng.choice(PREFIXES) + rng.choice(base_names)
        ukrainian = str(uklatn.decode(name))
        russian = ukrainian.translate(RUSSIAN_SPELLING)
        latin = [name.replace("ia", "ya"), name.replace("i", "y", 1), name.replace("kh", "ch")]
        alternates = list(
            dict.fromkeys([ukrainian, russian, *rng.sample(latin, rng.randint(2, 3))])
        )
        if index % 20 == 0:
            code, name = ("A", "ADM3"), f"{name} silska hromada"
            alternates = [f"{ukrainian} сільська громада"]
        elif index % 250 == 0:
            code, name = ("A", "ADM2"), f"{name} Raion"
            alternates = [f"{ukrainian} район"]
        else:
            code = ("P", "PPL")
        lines.append(_row(9_000_000 + index, name, alternates, code, rng))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("UA.txt", "".join(lines))
        archive.writestr("readme.txt", "generated for bench/country_dump_bench.py\n")
    return path


def _lookup_ms(gazetteer: Gazetteer, names: list[str]) -> float:
    times = []
    for name in names:
        started = time.perf_counter()
        gazetteer.candidates(name)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=11)
    arguments = parser.parse_args(argv)

    base = Gazetteer.open(Settings.from_env().gazetteer_dir)
    names = _base_names(base)
    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="country-bench-") as folder:
        dump = generate_dump(Path(folder) / "UA.zip", names, arguments.rows, arguments.seed)
        report["dump_zip_mb"] = round(dump.stat().st_size / 1e6, 2)
        for label, with_dump in (("without", False), ("with", True)):
            index_dir = Path(folder) / label
            index_dir.mkdir()
            if with_dump:
                keep_country_file(dump, index_dir)
            started = time.perf_counter()
            path = ensure_index(index_dir)
            built = time.perf_counter() - started
            started = time.perf_counter()
            gazetteer = Gazetteer(path)
            opened = time.perf_counter() - started
            info = gazetteer.info()
            report[label] = {
                "build_s": round(built, 1),
                "size_mb": round(info.size_bytes / 1e6, 1),
                "entries": info.entries,
                "names": info.names,
                "open_ms": round(opened * 1000, 2),
                "lookup_median_ms": round(_lookup_ms(gazetteer, names[:300]), 3),
            }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
