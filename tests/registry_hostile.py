"""A generated CSV of ~1,000 rows with malformed and hostile rows mixed in, and what each should cause.

``hostile_csv(path)`` writes the file and returns ``(n_rows, expected, verbatim)``: ``expected``
maps a 1-based row number to the reasons it must be quarantined with, each as
``(field prefix, words in the reason)``; every other row must be accepted. ``verbatim`` maps
row numbers of accepted hostile rows to the text that must be stored exactly.
"""
from __future__ import annotations

import csv
import io
import random

from registry_support import POSTCODES

HEADER = ["id", "name", "category", "description", "address", "postcode", "lat", "lon", "url", "email", "phone",
          "opening_hours", "wheelchair", "last_verified"]
BAD_BYTES = "\u0001BADBYTES\u0001"  # replaced by b"\xff\xfe" after encoding
CATEGORIES = ["library", "Village hall", "food bank", "park", "gp", "community_centre", "Warm Space", "allotments"]

# name -> (change to a good row, expected reasons)
FAULTS = {
    "lat_range": ({"lat": "91.5"}, [("lat:", "not a latitude")]),
    "outside_uk": ({"lat": "48.8566", "lon": "2.3522"}, [("lat:", "outside the UK"), ("lon:", "outside the UK")]),
    "nan": ({"lat": "NaN"}, [("lat:", "not a finite number")]),
    "inf": ({"lon": "-inf"}, [("lon:", "not a finite number")]),
    "not_number": ({"lat": "53,2"}, [("lat:", "not a number")]),
    "half_coords": ({"lon": ""}, [("lat/lon:", "only one of them")]),
    "blank_name": ({"name": ""}, [("name:", "required")]),
    "space_name": ({"name": "   \t "}, [("name:", "required")]),
    "bad_postcode": ({"lat": "", "lon": "", "postcode": "NOT A PC"}, [("postcode:", "not a UK postcode")]),
    "unknown_postcode": ({"lat": "", "lon": "", "postcode": "S40 9ZZ"}, [("postcode:", "not a known postcode")]),
    "no_location": ({"lat": "", "lon": "", "postcode": ""}, [("no location:", "neither coordinates")]),
    "long_description": ({"description": "x" * 5000}, [("description:", "too long (5000 characters)")]),
    "long_name": ({"name": "N" * 201}, [("name:", "too long (201 characters)")]),
    "unknown_category": ({"category": "spaceship"}, [("category:", "'spaceship' is not an assetmap category")]),
    "js_url": ({"url": "javascript:alert(1)"}, [("url:", "'javascript:' addresses are not allowed")]),
    "js_url_case": ({"url": "JaVaScRiPt:alert(document.cookie)"}, [("url:", "addresses are not allowed")]),
    "data_url": ({"url": "data:text/html,<script>alert(1)</script>"}, [("url:", "addresses are not allowed")]),
    "nul": ({"name": "Bad\x00Name"}, [("name:", "U+0000 NUL")]),
    "escape": ({"address": "1 High St\x1b[31m"}, [("address:", "U+001B ESC")]),
    "invalid_utf8": ({"name": f"Caf{BAD_BYTES} Bar"}, [("name:", "not UTF-8")]),
    "bad_email": ({"email": "not-an-email"}, [("email:", "not an e-mail address")]),
    "bad_phone": ({"phone": "12345"}, [("phone:", "not a UK phone number")]),
    "bad_date": ({"last_verified": "31/12/2024"}, [("last_verified:", "not a date")]),
    "future_date": ({"last_verified": "2030-01-01"}, [("last_verified:", "not between")]),
    "bad_wheelchair": ({"wheelchair": "sometimes"}, [("wheelchair:", "not one of yes, no, limited")]),
    "line_break_name": ({"name": "Two\nLines"}, [("name:", "line break")]),
    "everything": ({"name": "", "category": "", "url": "javascript:void(0)", "lat": "1e999", "email": "a@"},
                   [("name:", "required"), ("category:", "required"), ("url:", "not allowed"),
                    ("lat:", "not a finite number"), ("email:", "not an e-mail")]),
}
HOSTILE_TEXT = {
    "name": ["<script>alert(1)</script>", "=HYPERLINK(\"http://evil.example\",\"Click\")", "+SUM(A1:A9)",
             "@cmd|' /C calc'!A0", "-2+3", "Café Ñandú — 日本語 ☕", "Robert'); DROP TABLE curated_asset;--"],
    "description": ["<img src=x onerror=alert(1)>", "Line one,\n\"quoted\", line two\r\nthree", "=1+1"],
}


def _good(i: int, rng: random.Random) -> dict[str, str]:
    row = {h: "" for h in HEADER}
    row.update(id=f"r{i:04d}", name=f"Place {i}", category=CATEGORIES[i % len(CATEGORIES)],
               description=f"Meets weekly ({i})", address=f"{i} High Street, Chesterfield")
    if i % 5 == 0:  # located by postcode only
        row["postcode"] = list(POSTCODES)[i % 4]
    else:
        row["lat"], row["lon"] = f"{rng.uniform(53.20, 53.27):.6f}", f"{rng.uniform(-1.50, -1.38):.6f}"
        row["postcode"] = "s40 1lp" if i % 7 == 0 else ""
    if i % 3 == 0:
        row.update(url="www.example.org/place", email=f"place{i}@example.org", phone="+44 (0)1246 345345",
                   opening_hours="Mo-Fr 09:00-17:00", wheelchair="Yes", last_verified="2024-03-01")
    if i % 11 == 0:
        row["id"] = ""  # gets an id from name and postcode
    return row


def hostile_csv(path, n: int = 1000, seed: int = 7):
    rng = random.Random(seed)
    rows = [_good(i, rng) for i in range(1, n + 1)]
    expected: dict[int, list[tuple[str, str]]] = {}
    verbatim: dict[int, tuple[str, str]] = {}
    slots = iter(rng.sample(range(2, n + 1), n - 1))
    for _ in range(3):
        for change, reasons in FAULTS.values():
            k = next(slots)
            rows[k - 1].update(change)
            expected[k] = reasons
    for _ in range(4):  # duplicate ids: a later row repeats an earlier accepted row's id
        k = next(slots)
        first = min(j for j in range(1, k) if j not in expected and rows[j - 1]["id"])
        rows[k - 1]["id"] = rows[first - 1]["id"]
        expected[k] = [("id:", f"duplicate id '{rows[first - 1]['id']}', first used in row {first}")]
    for fld, texts in HOSTILE_TEXT.items():
        for t in texts:
            k = next(slots)
            rows[k - 1][fld] = t
            verbatim[k] = (fld, t)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADER)
    for r in rows:
        w.writerow([r[h] for h in HEADER])
    path.write_bytes(buf.getvalue().encode("utf-8").replace(BAD_BYTES.encode(), b"\xff\xfe"))
    return n, expected, verbatim
