"""Sessions (assetmap.activities): HSDS schedules and weekly hours into the sessions table, times in
words, "on today / this week" and "open now" honouring the season, the session columns of a
curated CSV, and the August 2026 warm spaces read from their map tiles."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from assetmap.activities import columns, words
from assetmap.activities.table import as_table, normalise, season, session_rows

TUE = dt.date(2026, 12, 1)  # a Tuesday, the first of its month


def _s(**kw):
    base = {"freq": "WEEKLY", "interval": 1, "byday": "TU", "opens_at": "10:30", "closes_at": "12:00",
            "valid_from": None, "valid_to": None, "service_name": "Singing group"}
    return {**base, **kw}


@pytest.mark.parametrize("s, text", [
    (_s(), "Tuesdays 10:30–12:00"),
    (_s(byday="MO,WE", opens_at="10:00"), "Mondays and Wednesdays 10:00–12:00"),
    (_s(byday="MO,TU,WE,TH,FR", opens_at="09:00", closes_at="17:00"), "Monday to Friday 09:00–17:00"),
    (_s(interval=2, byday="TH"), "every other Thursday 10:30–12:00"),
    (_s(freq="MONTHLY", byday="1TU"), "1st Tuesday of the month 10:30–12:00"),
    (_s(freq="MONTHLY", byday="1TU,3TU"), "1st and 3rd Tuesday of the month 10:30–12:00"),
    (_s(freq="MONTHLY", byday="-1FR", closes_at=None), "last Friday of the month from 10:30"),
])
def test_when_in_words(s, text):
    assert words.when_words(s) == text


def test_summary_line():
    s = _s(cost="free", access="drop_in")
    assert words.summary(s, "St Mary's Hall", "9 min walk") == \
        "Singing group, Tuesdays 10:30–12:00, St Mary's Hall, free, drop in — 9 min walk"


def test_on_today_this_week_and_now():
    s = _s()
    assert words.occurs_on(s, TUE) and not words.occurs_on(s, TUE + dt.timedelta(days=1))
    assert words.open_now(s, dt.datetime(2026, 12, 1, 11, 0))
    assert not words.open_now(s, dt.datetime(2026, 12, 1, 12, 0))
    assert words.status(s, dt.datetime(2026, 12, 1, 9, 0)) == "on today"
    assert words.status(s, dt.datetime(2026, 12, 1, 11, 0)) == "on now"
    assert words.status(s, dt.datetime(2026, 11, 29, 9, 0)) == "next on Tuesday"  # a Sunday
    assert words.status(_s(byday="FR"), dt.datetime(2026, 12, 1, 9, 0)) == "on Friday this week"
    monthly = _s(freq="MONTHLY", byday="1TU")
    assert words.occurs_on(monthly, TUE) and not words.occurs_on(monthly, TUE + dt.timedelta(days=7))
    last = _s(freq="MONTHLY", byday="-1TU")
    assert words.occurs_on(last, dt.date(2026, 12, 29)) and not words.occurs_on(last, dt.date(2026, 12, 22))


def test_an_expired_season_is_never_open_now():
    """Last winter's warm space, open on Tuesdays until 31 March 2025: never open in December 2026."""
    old = _s(valid_from="2024-10-23", valid_to="2025-03-31")
    now = dt.datetime(2026, 12, 1, 11, 0)
    assert not words.open_now(old, now)
    assert not words.occurs_on(old, now.date())
    assert words.status(old, now) == "season ended 31 March 2025"
    assert words.open_now(_s(valid_from="2026-08-17", valid_to="2027-03-31"), now)
    assert not words.open_now(_s(valid_from="2027-01-01"), now)  # not begun


def test_season_rule():
    assert season("2026-08-17", "03-31") == ("2026-08-17", "2027-03-31")
    assert season("2024-10-23", "03-31") == ("2024-10-23", "2025-03-31")
    assert season("2025-02-01", "03-31") == ("2025-02-01", "2025-03-31")
    assert season(None, "03-31") == (None, None)


def test_hsds_schedule_objects_and_opening_hours_become_sessions():
    rec = {"source_id": "a1", "name": "Warm hub", "category": "warm_space",
           "opening_hours": "Mo 10:00-12:00; We 10:00-13:00,13:30-17:00; Fr 10:00-12:00; PH off"}
    rows = session_rows(rec, "warm", "cur-1", ("2026-08-17", "2027-03-31"), True, "2026-08-17")
    assert [(r["byday"], r["opens_at"], r["closes_at"]) for r in rows] == \
        [("MO,FR", "10:00", "12:00"), ("WE", "10:00", "13:00"), ("WE", "13:30", "17:00")]  # same times: one row
    assert {r["valid_to"] for r in rows} == {"2027-03-31"}
    assert session_rows(rec, "warm", "cur-1", (None, None), False, None) == []  # hours only when told
    sched = [{"freq": "MONTHLY", "byday": "1TU", "opens_at": "10:30", "closes_at": "12:00", "valid_to": "2026-12-31"},
             {"description": "one-off"}]
    rows = session_rows({**rec, "schedules": json.dumps(sched), "cost": "free"}, "x", "cur-1", (None, None), False, None)
    assert len(rows) == 1 and rows[0]["freq"] == "MONTHLY" and rows[0]["valid_to"] == "2026-12-31"
    assert normalise({"freq": "WEEKLY", "byday": "1TU", "opens_at": "10:00"})["freq"] == "MONTHLY"
    assert normalise({"freq": "WEEKLY", "byday": "XX", "opens_at": "10:00"}) is None
    assert len(as_table(rows + rows)) == 1


@pytest.mark.parametrize("day, start, end, freq, expected", [
    ("Tuesday", "10:30", "12:00", "weekly", {"freq": "WEEKLY", "byday": "TU", "opens_at": "10:30", "closes_at": "12:00"}),
    ("Mon and Wed", "10am", "12.30pm", "", {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "10:00",
                                            "closes_at": "12:30"}),
    ("Thu", "2pm", "4pm", "fortnightly", {"freq": "WEEKLY", "byday": "TH", "opens_at": "14:00", "closes_at": "16:00",
                                          "interval": 2}),
    ("1st Tuesday", "1030", "", "monthly", {"freq": "MONTHLY", "byday": "1TU", "opens_at": "10:30"}),
    ("Friday", "10:00", "11:00", "last", {"freq": "MONTHLY", "byday": "-1FR", "opens_at": "10:00",
                                          "closes_at": "11:00"}),
    ("someday", "10:00", "11:00", "weekly", None),
    ("Tuesday", "soon", "", "weekly", None),
])
def test_session_columns(day, start, end, freq, expected):
    assert columns.schedule(day, start, end, freq) == expected


def test_warm_spaces_2026_tiles_read_as_sessions(data_root):
    """The August 2026 warm spaces, read from their zoom-10 tiles through the configured glob."""
    from assetmap.config import load_area
    from assetmap.ingest.curated import read_curated
    from assetmap.taxonomy import load_taxonomy

    class NoGeocoder:
        def locate_many(self, s):
            import pandas as pd
            return pd.DataFrame({"postcode": None, "x": float("nan"), "y": float("nan")}, index=s.index)

    cfg = load_area("chesterfield", data_root)
    assert "warm_spaces" not in cfg.sources and "warm_spaces_2026" in cfg.sources  # the area file chose
    src = cfg.sources["warm_spaces_2026"]
    recs = read_curated(src, data_root, load_taxonomy(), NoGeocoder()).records
    assert len(recs) == 247  # the five tiles
    hall = recs[recs["name"].str.contains("Christ Church Worksop", na=False)].iloc[0]
    rows = session_rows(hall.to_dict(), src.name, "x", season(src.option("date"), src.option("season_end")),
                        True, src.option("date"))
    assert [(r["byday"], r["opens_at"], r["closes_at"], r["valid_to"]) for r in rows] == \
        [("WE", "13:00", "14:00", "2027-03-31"), ("FR", "10:00", "12:00", "2027-03-31")]


def test_an_area_without_a_tile_keeps_the_2024_list(tmp_path, data_root):
    """The 2026 tiles are on only where an area file turns them on: a new area keeps the 2024 list."""
    from assetmap.config import load_area

    path = tmp_path / "elsewhere.toml"
    path.write_text('[area]\nslug = "elsewhere"\nlads = ["E07000035"]\n[osm]\nfile = "x.osm.pbf"\n')
    cfg = load_area(path, data_root)
    assert "warm_spaces" in cfg.sources and "warm_spaces_2026" not in cfg.sources
    assert cfg.sources["warm_spaces"].option("season_end") == "03-31"
    assert season(cfg.sources["warm_spaces"].option("date"), "03-31")[1] == "2025-03-31"


def test_sessions_a_week():
    import pandas as pd

    from assetmap.activities.supply import per_week, weekly_supply

    assert per_week(_s(byday="MO,WE,FR")) == 3 and per_week(_s(interval=2)) == 0.5
    assert per_week(_s(freq="MONTHLY", byday="1TU,3TU")) == pytest.approx(24 / 52)
    table = pd.DataFrame([_s(asset_id="a", category="lunch_club", byday="MO,TU"),
                          _s(asset_id="b", category="lunch_club", valid_to="2025-03-31"),  # season over
                          _s(asset_id="b", category="choir")])
    supply = weekly_supply(table, ["a", "b"], ("lunch_club",), dt.date(2026, 12, 1))
    assert list(supply) == ["lunch_club"] and supply["lunch_club"].tolist() == [2.0, 0.0]


def test_a_glob_source_is_present_when_it_matches_a_file(tmp_path):
    from assetmap.config import present

    (tmp_path / "10" / "507").mkdir(parents=True)
    pattern = tmp_path / "10" / "*" / "*.geojson"
    assert not present(pattern)
    (tmp_path / "10" / "507" / "332.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    assert present(pattern) and present(tmp_path / "10" / "507" / "332.geojson")
