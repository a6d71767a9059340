"""A small GeoNames country export written for the tests, in GeoNames' own format.

GeoNames' ``XX.zip`` holds ``XX.txt`` (19 tab-separated columns, UTF-8) and a readme. These
rows are made up for the tests (real names, approximate points): villages the cities500 list
lacks, two namesakes in different oblasts, raions and a hromada, and rows the index must skip.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

# geonameid, name, asciiname, alternates, lat, lon, class, code, admin1, admin2, admin3, pop
ROWS = (
    (
        990001,
        "Klishchiivka",
        "Klishchiivka",
        "Klishcheevka,Кліщіївка,Клещеевка",
        48.5286,
        37.9436,
        "P",
        "PPL",
        "05",
        "1412",
        "14120",
        0,
    ),
    (
        990002,
        "Robotyne",
        "Robotyne",
        "Rabotino,Роботине,Работино",
        47.4486,
        35.8372,
        "P",
        "PPL",
        "26",
        "2322",
        "23220",
        0,
    ),
    # Two villages of one name: Zatyshok near Pokrovsk (Donetsk) and in Kyiv Oblast.
    (
        990003,
        "Zatyshok",
        "Zatyshok",
        "Затишок,Затишек",
        48.3000,
        37.2000,
        "P",
        "PPL",
        "05",
        "1409",
        "14090",
        0,
    ),
    (
        990004,
        "Zatyshok",
        "Zatyshok",
        "Затишок",
        50.2000,
        30.9000,
        "P",
        "PPL",
        "13",
        "3221",
        "32210",
        0,
    ),
    # Tsyrkuny hromada (Kharkiv raion) and an Oleksandrivka in it; a namesake in Kirovohrad.
    (
        990010,
        "Tsyrkunivska silska hromada",
        "Tsyrkunivska silska hromada",
        "Tsyrkuny hromada,Циркунівська сільська громада",
        50.1300,
        36.4000,
        "A",
        "ADM3",
        "07",
        "6310",
        "63100",
        0,
    ),
    (
        990011,
        "Oleksandrivka",
        "Oleksandrivka",
        "Aleksandrovka,Олександрівка,Александровка",
        50.1500,
        36.4300,
        "P",
        "PPL",
        "07",
        "6310",
        "63100",
        0,
    ),
    (
        990012,
        "Oleksandrivka",
        "Oleksandrivka",
        "Олександрівка",
        48.6000,
        32.2000,
        "P",
        "PPL",
        "10",
        "3522",
        "35220",
        0,
    ),
    (
        990020,
        "Kharkivskyi Raion",
        "Kharkivskyi Raion",
        "Kharkiv Raion,Харківський район",
        50.0,
        36.3,
        "A",
        "ADM2",
        "07",
        "6310",
        "",
        0,
    ),
    # Not taken: a stream, a section of a city, a historical place.
    (990030, "Bakhmutka", "Bakhmutka", "Бахмутка", 48.6, 38.0, "H", "STM", "05", "", "", 0),
    (990031, "Zabakhmutka", "Zabakhmutka", "", 48.59, 37.99, "P", "PPLX", "05", "", "", 0),
    (990032, "Old Hryhorivka", "Old Hryhorivka", "", 48.4, 37.4, "P", "PPLH", "05", "", "", 0),
)


def dump_line(row: tuple[object, ...], country: str = "UA") -> str:
    geonameid, name, ascii_name, alternates, lat, lon, fclass, fcode, a1, a2, a3, pop = row
    fields = [
        geonameid,
        name,
        ascii_name,
        alternates,
        lat,
        lon,
        fclass,
        fcode,
        country,
        "",
        a1,
        a2,
        a3,
        "",
        pop,
        "",
        150,
        "Europe/Kyiv",
        "2024-05-01",
    ]
    return "\t".join(str(field) for field in fields) + "\n"


def write_dump(
    path: Path,
    rows: tuple[tuple[object, ...], ...] = ROWS,
    country: str = "UA",
    member: str | None = None,
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member or f"{country}.txt", "".join(dump_line(r, country) for r in rows))
        archive.writestr("readme.txt", "GeoNames export for the tests (CC BY 4.0 format).\n")
    return path
