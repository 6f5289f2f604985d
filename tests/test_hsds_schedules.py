"""OSM opening_hours -> HSDS 3.0 schedules (assetmap.oruk.schedules), on rules taken from the real
Chesterfield data, and on every rule the build holds."""
from __future__ import annotations

import pytest

from assetmap.oruk.schedules import LOCAL_NOTE, schedules


def rows(raw):
    return [(s.get("freq"), s.get("byday"), s.get("opens_at"), s.get("closes_at")) for s in
            schedules(raw, lambda key: key, {"service_id": "s"})]


@pytest.mark.parametrize("raw, expected", [
    ("Mo-Fr 09:00-18:00; Sa 09:00-13:00",
     [("WEEKLY", "MO,TU,WE,TH,FR", "09:00", "18:00"), ("WEEKLY", "SA", "09:00", "13:00")]),
    ("Mo 09:00-12:30,14:00-20:00; Tu 08:00-12:30,14:00-18:00",
     [("WEEKLY", "MO", "09:00", "12:30"), ("WEEKLY", "MO", "14:00", "20:00"),
      ("WEEKLY", "TU", "08:00", "12:30"), ("WEEKLY", "TU", "14:00", "18:00")]),
    ("Mo 10:00-15:00; We 10:00-15:00; Th 12:00-15:00; Fr[1,3] 10:00-12:00",
     [("WEEKLY", "MO", "10:00", "15:00"), ("WEEKLY", "WE", "10:00", "15:00"), ("WEEKLY", "TH", "12:00", "15:00"),
      ("MONTHLY", "1FR,3FR", "10:00", "12:00")]),
    ("Mo-Fr 09:30-19:00; Sa 09:00-23:00; Su 11:00-13:00; Su[-1] 11:00-17:00",
     [("WEEKLY", "MO,TU,WE,TH,FR", "09:30", "19:00"), ("WEEKLY", "SA", "09:00", "23:00"),
      ("WEEKLY", "SU", "11:00", "13:00"), ("MONTHLY", "-1SU", "11:00", "17:00")]),
    ("Mo-Su 09:00-23:00", [("WEEKLY", "MO,TU,WE,TH,FR,SA,SU", "09:00", "23:00")]),
    ("Tu 10:30-02:30", [("WEEKLY", "TU", "10:30", "02:30")]),
    ("Mo 09:00-12:00; Mo 14:00-16:00", [("WEEKLY", "MO", "14:00", "16:00")]),  # a later rule replaces
    ("Sunday Services: 08:00 - Said Mass 09:30 - Holy Communion", [(None, None, None, None)]),
    ("Mo-Fr 09:00-17:00; PH off", [("WEEKLY", "MO,TU,WE,TH,FR", "09:00", "17:00"), (None, None, None, None)]),
    (None, []), ("", []), (float("nan"), []),
])
def test_real_rules(raw, expected):
    assert rows(raw) == expected


def test_notes_and_descriptions_keep_what_cannot_be_expressed():
    over, = [s for s in schedules("Tu 10:30-02:30", str, {})]
    assert "next day" in over["notes"] and over["description"] == "Tu 10:30-02:30"
    last_sunday = schedules("Su 11:00-13:00; Su[-1] 11:00-17:00", str, {})[1]
    assert "replace" in last_sunday["notes"] and LOCAL_NOTE in last_sunday["notes"]
    raw = "Sunday Services: 08:00 - Said Mass 09:30 - Holy Communion"
    free, = schedules(raw, str, {"service_id": "s"})
    assert free["description"] == raw and raw in free["notes"] and free["service_id"] == "s"
    assert len({s["id"] for s in schedules("Mo 09:00-12:30,14:00-20:00; Tu 08:00-12:30", str, {})}) == 3


def test_every_rule_of_the_build_is_kept(chesterfield_ar):
    """Each asset with hours gets schedules; a rule is either converted or kept as written."""
    hours = chesterfield_ar.assets["opening_hours"].dropna()
    assert len(hours) > 40
    converted = 0
    for raw in hours:
        out = schedules(raw, str, {})
        assert out
        parts = [p.strip() for p in raw.split(";") if p.strip()]
        assert {s["description"] for s in out} <= set(parts)
        converted += all("freq" in s for s in out)
        for s in out:
            if "freq" in s:
                assert s["opens_at"][2] == ":" and s["byday"] and s["freq"] in ("WEEKLY", "MONTHLY")
    assert converted >= len(hours) - 2  # only free text ("Sunday Services: …") is left as written


def test_public_holidays_off_is_said_in_words():
    closed = schedules("Mo-Fr 09:00-17:00; PH off", str, {})[1]
    assert closed["description"] == "Closed on public holidays (PH off)" and "freq" not in closed


def test_phone_numbers_and_their_kind():
    from assetmap.oruk.records import phones

    got = phones("07984589456; +44 7700 900123;01246 220166 ; +44 1246 550033", "s", "area", "a1")
    assert [(p["number"], p["type"]) for p in got] == [("07984589456", "cell"), ("+44 7700 900123", "cell"),
                                                        ("01246 220166", "voice"), ("+44 1246 550033", "voice")]
    assert len({p["id"] for p in got}) == 4 and phones(None, "s", "area", "a1") == []
