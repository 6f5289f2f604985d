"""Opening hours in words for the public lookup: the week summed up in a line and "open now, until …"
/ "closed, opens …" (assetmap.serving.hours.week_words / status_words), in UK time; checked on fixed
rules at fixed times, on every rule of the real Chesterfield build, and on the lookup page."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from assetmap.serving.hours import open_now, status_words, week_words, weekly_hours

UK = ZoneInfo("Europe/London")
THU_NOON = datetime(2026, 12, 3, 12, 0, tzinfo=UK)  # a Thursday
RAW_SYNTAX = re.compile(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)\b|\d\d:\d\d-\d\d:\d\d")


def _h(rule: str):
    return weekly_hours(rule, today=THU_NOON.date())


@pytest.mark.parametrize(("rule", "week"), [
    ("Mo-Fr 09:00-17:00", "Mon–Fri 09:00–17:00"),
    ("Mo-Su 09:00-23:00", "Every day 09:00–23:00"),
    ("Mo-Fr 09:00-18:00; Sa 09:00-13:00", "Mon–Fri 09:00–18:00; Sat 09:00–13:00"),
    ("Mo 09:00-17:00; Tu 09:00-17:00; We 09:00-19:00; Sa 09:00-16:00",
     "Mon–Tue 09:00–17:00; Wed 09:00–19:00; Sat 09:00–16:00"),
    ("Mo 09:00-12:30,14:00-20:00", "Mon 09:00–12:30, 14:00–20:00"),
    ("24/7", "Open 24 hours, every day"),
    ("off", "Closed every day"),
])
def test_the_week_in_a_line(rule, week):
    assert week_words(_h(rule)) == week


def test_a_rule_that_does_not_parse_has_no_words():
    assert week_words(weekly_hours("Sunday Services: 08:00 - Said Mass")) is None
    assert week_words(None) is None and status_words(None) is None


@pytest.mark.parametrize(("rule", "at", "words"), [
    ("Mo-Fr 09:00-17:00", THU_NOON, "Open now, until 17:00"),
    ("Mo-Fr 09:00-17:00", THU_NOON.replace(hour=8), "Closed, opens at 09:00"),
    ("Mo-Fr 09:00-17:00", THU_NOON.replace(hour=18), "Closed, opens tomorrow 09:00"),
    ("Tu 09:00-12:00", THU_NOON, "Closed, opens Tuesday 09:00"),
    ("Mo-Fr 09:00-17:00", datetime(2026, 12, 4, 18, 0, tzinfo=UK), "Closed, opens Monday 09:00"),
    ("Mo-Fr 16:00-00:00", THU_NOON.replace(hour=20), "Open now, until midnight"),
    ("Th 22:00-02:30", THU_NOON.replace(hour=23), "Open now, until tomorrow 02:30"),
    ("24/7", THU_NOON, "Open 24 hours"),
    ("off", THU_NOON, None),
])
def test_open_now_until_or_closed_opens(rule, at, words):
    assert status_words(_h(rule), at) == words


def test_the_time_is_the_uks_whatever_the_clock_of_the_server():
    """12:30 UTC in July is 13:30 in London: a place open 09:00–13:00 is closed by then."""
    summer = datetime(2026, 7, 2, 12, 30, tzinfo=UTC)
    assert status_words(_h("Mo-Fr 09:00-13:00"), summer) == "Closed, opens tomorrow 09:00"
    winter = datetime(2026, 12, 3, 12, 30, tzinfo=UTC)
    assert status_words(_h("Mo-Fr 09:00-13:00"), winter) == "Open now, until 13:00"


def test_every_rule_of_the_real_build_in_words(chesterfield_ar):
    """Each parsed rule of the Chesterfield build reads as words with no OSM syntax left, and its
    "open now" agrees with the rule's own state."""
    rules = sorted({r for r in chesterfield_ar.assets["opening_hours"] if isinstance(r, str) and r.strip()})
    assert len(rules) > 20
    parsed = 0
    for rule in rules:
        h = weekly_hours(rule, today=THU_NOON.date())
        if not h.parsed:
            assert week_words(h) is None
            continue
        parsed += 1
        week = week_words(h)
        assert week and not RAW_SYNTAX.search(week), (rule, week)
        for hour in (3, 9, 12, 17, 21):
            at = THU_NOON.replace(hour=hour)
            words = status_words(h, at)
            state = open_now(h, at)
            if words is not None:
                assert words.startswith("Open") == (state == "open"), (rule, at, words)
    assert parsed > 20


def test_the_lookup_shows_hours_in_words_and_keeps_the_rule_for_curators(client, chesterfield_ar):
    html = client.get("/lookup?postcode=S41+7TD&q=warm+space").get_data(as_text=True)
    lines = re.findall(r'<p class="result-hours">(.*?)</p>', html)
    assert lines
    for line in lines:
        shown = re.sub(r"<[^>]+>", "", line)
        assert re.search(r"Open now, until|Closed, opens|Open 24 hours", shown), shown
        assert not RAW_SYNTAX.search(shown), shown
        assert 'title="As recorded: ' in line  # the rule as written, for curators
