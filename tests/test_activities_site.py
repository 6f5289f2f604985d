"""Activities with sessions, end to end: a small synthetic curated CSV of activities (written here)
configured into a Chesterfield build appears in the lookup for its interests with day and time, in
"on today", on its venue's page, in the shortlist's print view with walking minutes and a note, in
the sessions download (CSV-neutralised) and in ORUK /services with schedules and service_at_locations."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest

from app_fixtures import in_ci
from assetmap.config import DATA_DIR, load_area
from assetmap.serving.hours import LOCAL

SLUG = "activities"
TODAY = dt.datetime.now(LOCAL).strftime("%A")  # the health walk is on today, whenever the test runs
ROWS = [
    {"id": "sing", "name": "Singing for Wellbeing", "category": "social_centre",
     "venue": "Loundsley Green Community Centre", "postcode": "S40 4NE", "day": "Tuesday", "start": "10:30",
     "end": "12:00", "frequency": "weekly", "cost": "free", "access": "drop_in", "contact": "Ann Example",
     "area_wide": "", "description": "A friendly singing group for everyone"},
    {"id": "walk", "name": "Health walk", "category": "park", "venue": "Loundsley Green Park", "postcode": "S40 4NB",
     "day": TODAY, "start": "00:00", "end": "23:59", "frequency": "weekly", "cost": "free", "access": "drop_in",
     "contact": "", "area_wide": "", "description": "A gentle walking group, about an hour"},
    {"id": "garden", "name": "Gardening club", "category": "allotment", "venue": "Ashgate Road Allotments",
     "postcode": "S40 1JE", "day": "1st Saturday", "start": "10am", "end": "12pm", "frequency": "monthly",
     "cost": "£2", "access": "self_referral", "contact": "=HYPERLINK(\"http://x\")", "area_wide": "",
     "description": "Growing vegetables together"},
    {"id": "knit", "name": "Knit and natter", "category": "arts_centre", "venue": "The Knitting Room",
     "postcode": "S40 4NE", "day": "Wed", "start": "14:00", "end": "16:00", "frequency": "fortnightly",
     "cost": "free", "access": "drop_in", "contact": "", "area_wide": "", "description": "Knitting and a chat"},
    {"id": "phone", "name": "Telephone befriending", "category": "support_group", "venue": "", "postcode": "S40 1LP",
     "day": "Monday", "start": "09:00", "end": "17:00", "frequency": "weekly", "cost": "free", "access": "referral",
     "contact": "", "area_wide": "true", "description": "A weekly friendly phone call"},
    {"id": "seeds", "name": "Seed swap", "category": "allotment", "venue": "Hunloke Community Gardens", "postcode": "",
     "day": "Sunday", "start": "11:00", "end": "13:00", "frequency": "last", "cost": "free", "access": "drop_in",
     "contact": "", "area_wide": "", "description": "Swap seeds and seedlings"},
    {"id": "lost", "name": "Lost club", "category": "social_centre", "venue": "Nowhere Hall", "postcode": "",
     "day": "Friday", "start": "19:00", "end": "21:00", "frequency": "weekly", "cost": "", "access": "",
     "contact": "", "area_wide": "", "description": "A venue no map knows"},
]


def write_activities_area(tmp: Path) -> Path:
    """Chesterfield's configuration plus the activities CSV, as an area file."""
    path = tmp / "activities.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(ROWS[0]))
        w.writeheader()
        w.writerows(ROWS)
    text = (DATA_DIR / "areas" / "chesterfield.toml").read_text(encoding="utf-8")
    text, n = re.subn(r'(?m)^slug\s*=\s*".*"$', f'slug = "{SLUG}"', text)
    assert n == 1
    text += f"""
[sources.activities]
kind = "curated"
file = "{path}"
label = "Activities (test)"
licence = "Test data"
attribution = "Activities (test)"
date = "2026-11-01"
record_kind = "service"
category_field = "category"
fields = {{ id = "id", name = "name", venue = "venue", postcode = "postcode", day = "day", start = "start", end = "end", frequency = "frequency", cost = "cost", access = "access", contact_name = "contact", area_wide = "area_wide", description = "description" }}

[gaps]
session_weighted = ["warm_space", "social_centre"]
"""
    area = tmp / f"{SLUG}.toml"
    area.write_text(text, encoding="utf-8")
    return area


@pytest.fixture(scope="module")
def built(tmp_path_factory, data_root):
    from assetmap.build import build_area

    tmp = tmp_path_factory.mktemp("activities")
    cfg = load_area(write_activities_area(tmp), data_root)
    missing = [s.path(data_root) for s in cfg.sources.values() if not s.present(data_root)]
    if missing:
        (pytest.fail if in_ci() else pytest.skip)(f"source files missing: {missing[:2]}")
    report = build_area(cfg, tmp / "build" / SLUG, echo=lambda m: None)
    return tmp / "build", report


@pytest.fixture(scope="module")
def site(built):
    from app import create_app

    return create_app({"ASSETMAP_BUILD_ROOT": str(built[0]), "TESTING": True})


@pytest.fixture()
def web(site):
    return site.test_client()


def _view(site):
    return site.extensions["assetmap"].views[SLUG]


def _asset(site, name: str) -> str:
    return next(k for k, p in _view(site).asset_pages.items() if p["title"] == name)


def _text(html: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&amp;", "&")
    return re.sub(r" ([,.:;])", r"\1", text)


def test_the_build_joins_activities_to_their_venues(built, site):
    report = built[1]["sessions"]
    assert report["venues"] == {"activities": 7, "joined_to_venue": 4, "own_place": 1, "venue_not_found": 1}
    assert report["by_source"]["activities"] == 7 and report["area_wide"] == 1 and report["not_at_a_place"] == 1
    s = _view(site).sessions
    centre = _asset(site, "Loundsley Green Community Centre")
    assert [r["when"] for r in s.at(centre) if r["service_name"] == "Singing for Wellbeing"] == ["Tuesdays 10:30–12:00"]
    assert [r["when"] for r in s.at(_asset(site, "Ashgate Road Allotments"))
            if r["source"] == "activities"] == ["1st Saturday of the month 10:00–12:00"]
    assert [r["when"] for r in s.at(_asset(site, "The Knitting Room"))] == ["every other Wednesday 14:00–16:00"]
    # no postcode: joined by its venue's name alone
    assert [r["when"] for r in s.at(_asset(site, "Hunloke Community Gardens"))] == ["last Sunday of the month 11:00–13:00"]
    assert not any(p["title"] in ("Lost club", "Nowhere Hall") for p in _view(site).asset_pages.values())
    assert [r["service_name"] for r in s.area_wide] == ["Telephone befriending"]


def test_lookup_finds_the_singing_group_with_its_day_and_time(web, site):
    html = web.get("/lookup?postcode=S40+4NE&q=singing").get_data(as_text=True)
    text = _text(html)
    assert re.search(r"Singing for Wellbeing, Tuesdays 10:30–12:00, Loundsley Green Community Centre, free, "
                     r"drop in — \d+ min walk", text), text[:3000]
    garden = _text(web.get("/lookup?postcode=S40+1JE&q=gardening").get_data(as_text=True))
    assert "Gardening club, 1st Saturday of the month 10:00–12:00, Ashgate Road Allotments, £2, self-referral" in garden


def test_area_wide_activities_are_offered_beside_the_places(web):
    text = _text(web.get("/lookup?postcode=S40+4NE&q=lonely").get_data(as_text=True))
    assert "not at one place" in text and "Telephone befriending, Mondays 09:00–17:00, free, by referral" in text
    assert "Telephone befriending" not in _text(web.get("/lookup?postcode=S40+4NE&q=gardening").get_data(as_text=True))


def test_on_today(web):
    html = web.get("/lookup?postcode=S40+4NB&q=walking&open=today").get_data(as_text=True)
    text = _text(html)
    assert f"Health walk, {TODAY}s 00:00–23:59, Loundsley Green Park, free, drop in" in text
    assert re.search(r"Health walk.{0,200}on (now|today)", text)
    other_day = (dt.datetime.now(LOCAL) + dt.timedelta(days=3)).strftime("%A").lower()
    later = _text(web.get(f"/lookup?postcode=S40+4NB&q=walking&open={other_day}").get_data(as_text=True))
    assert "Health walk" not in later  # the park has no hours, and the walk is not on that day


def test_the_venue_page_lists_what_happens_there(web, site):
    centre = _asset(site, "Loundsley Green Community Centre")
    text = _text(web.get(f"/area/{SLUG}/asset/{centre}").get_data(as_text=True))
    assert "What happens here, and when" in text
    assert "Singing for Wellbeing, Tuesdays 10:30–12:00, free, drop in" in text
    assert "Contact: Ann Example" in text and "Source: Activities (test), last checked 1 November 2026" in text


def test_the_shortlist_prints_sessions_walks_and_a_note(web, site):
    centre = _asset(site, "Loundsley Green Community Centre")
    resp = web.get(f"/shortlist?ids={SLUG}:{centre}&postcode=S40+4NE&note=Ask+for+Ann+at+the+door")
    text = _text(resp.get_data(as_text=True))
    assert "Singing for Wellbeing, Tuesdays 10:30–12:00, free, drop in —" in text
    assert re.search(r"Walk \d+ min from S40 4NE", text) and "Ask for Ann at the door" in text


def test_the_sessions_download_is_neutralised(built):
    rows = list(csv.DictReader(io.StringIO((built[0] / SLUG / "downloads" / "sessions.csv").read_text())))
    garden = next(r for r in rows if r["service_name"] == "Gardening club")
    assert garden["contact_name"].startswith("'=") and garden["byday"] == "1SA" and garden["freq"] == "MONTHLY"
    assert next(r for r in rows if r["service_name"] == "Telephone befriending")["area_wide"] == "True"


def test_oruk_services_publish_activities_with_schedules(web, site):
    from test_oruk import assert_valid, validator

    hits = web.get("/api/oruk/services?search=singing+wellbeing").get_json()["contents"]
    sid = next(h["id"] for h in hits if h["name"] == "Singing for Wellbeing")
    svc = web.get(f"/api/oruk/services/{sid}").get_json()
    assert_valid(validator("compiled/service.json"), svc)
    assert [(s["freq"], s["byday"], s["opens_at"], s["closes_at"]) for s in svc["schedules"]] == \
        [("WEEKLY", "TU", "10:30", "12:00")]
    loc = svc["service_at_locations"][0]["location"]
    assert loc["external_identifier"] == _asset(site, "Loundsley Green Community Centre")
    assert svc["fees_description"] == "free" and svc["application_process"] == "Drop in"


@pytest.fixture(scope="module")
def live(site):
    from browser_support import LiveServer

    s = LiveServer(site)
    yield s
    s.stop()


@pytest.fixture()
def tab(browser, live):
    from browser_support import Watched

    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        yield Watched(ctx.new_page(), live.url)
    finally:
        ctx.close()


@pytest.mark.browser
def test_browser_lookup_shows_sessions_and_on_today(tab):
    tab.goto("/lookup?postcode=S40+4NE&q=singing")
    item = tab.page.locator("ol.result-list > li", has_text="Singing for Wellbeing")
    assert item.count() == 1
    line = item.locator(".result-sessions li", has_text="Singing for Wellbeing").inner_text()
    assert "Tuesdays 10:30–12:00" in line and "Loundsley Green Community Centre" in line and "free, drop in" in line
    assert re.search(r"— \d+ min walk", line)
    tab.goto("/lookup?postcode=S40+4NB&q=walking&open=today")
    walk = tab.page.locator(".result-sessions li", has_text="Health walk").first.inner_text()
    assert f"{TODAY}s 00:00–23:59" in walk and re.search(r"on (now|today)", walk)
    assert tab.page.evaluate("() => document.documentElement.scrollWidth") <= 1400
    tab.assert_clean()


@pytest.mark.browser
def test_browser_shortlist_print_view_has_times_walks_and_note(tab, site):
    centre = _asset(site, "Loundsley Green Community Centre")
    tab.goto(f"/shortlist?ids={SLUG}:{centre}")
    tab.page.fill("#shortlist-postcode", "S40 4NE")
    tab.page.fill("#shortlist-note", "Ann meets newcomers at the door")
    tab.page.locator(".shortlist-extras button[type=submit]").click()
    tab.page.wait_for_url("**postcode=S40*")
    tab.page.emulate_media(media="print")
    assert not tab.page.locator(".shortlist-extras").is_visible()
    sessions = tab.page.locator(".shortlist-sessions")
    assert sessions.is_visible()
    text = sessions.inner_text()
    assert "Singing for Wellbeing, Tuesdays 10:30–12:00, free, drop in" in text and re.search(r"— \d+ min walk", text)
    assert tab.page.locator(".shortlist-note").is_visible()
    assert "Ann meets newcomers at the door" in tab.page.locator(".shortlist-note").inner_text()
    assert re.search(r"\d+ min from S40 4NE", tab.page.locator(".shortlist-item").inner_text())
    assert "note=Ann" in tab.page.input_value("#shortlist-link")  # the link keeps the note
    tab.assert_clean()


@pytest.mark.browser
def test_browser_sessions_pages_pass_axe_and_fit_a_phone(browser, live, site):
    from browser_support import Watched, axe_violations

    centre = _asset(site, "Loundsley Green Community Centre")
    ctx = browser.new_context(viewport={"width": 360, "height": 800})
    try:
        w = Watched(ctx.new_page(), live.url)
        for path in (f"/area/{SLUG}/asset/{centre}", f"/shortlist?ids={SLUG}:{centre}&postcode=S40+4NE&note=Hello",
                     "/lookup?postcode=S40+4NE&q=singing"):
            w.goto(path)
            assert w.page.locator("text=Singing for Wellbeing").first.is_visible()
            axe_violations(w.page, path, map_pins=".leaflet-marker-pane")
            assert w.page.evaluate("() => document.documentElement.scrollWidth") <= 360, path
        w.assert_clean()
    finally:
        ctx.close()


def test_chesterfield_reads_the_2026_warm_spaces_not_the_2024_list(built, site):
    """Chesterfield's area file chooses the August 2026 tiles: the 2024 list's records (such as "Tea and
    Toast Tuesdays", gone from the 2026 list) are not in the build, so never shown, let alone open."""
    view = _view(site)
    refs = [ref for a in view.ar.assets["sources"] for ref in a]
    assert not any(ref.startswith("warm_spaces:") for ref in refs)
    assert sum(ref.startswith("warm_spaces_2026:") for ref in refs) >= 40
    assert not any(p["title"] == "Tea and Toast Tuesdays" for p in view.asset_pages.values())
    warm = [r for r in view.sessions.rows if r["source"] == "warm_spaces_2026"]
    assert len(warm) >= 50 and {(r["valid_from"], r["valid_to"]) for r in warm} == {("2026-08-17", "2027-03-31")}
    assert built[1]["curated"]["warm_spaces_2026"]["rows"] == 247


def test_the_gap_measure_counts_sessions_a_week_within_the_walk(built, site):
    """[gaps] session_weighted: the singing group (once a week, the only social-centre session) gives
    the neighbourhoods around its hall sessions a week within the walk, and none far away."""
    assert built[1]["gaps"]["session_weighted"] == ["social_centre", "warm_space"]
    nb = _view(site).ar.neighbourhoods.set_index("lsoa21_code")
    sing = nb["sessions_wk_social_centre"]
    home = _view(site).asset_pages[_asset(site, "Loundsley Green Community Centre")]["lsoa_code"]
    assert 0.5 < sing[home] <= 1.0 and sing.max() <= 1.0 and (sing == 0).sum() >= 10  # 30 min: not everywhere
    warm = nb["sessions_wk_warm_space"]
    assert warm.max() > 5 and (nb["sessions_e2sfca_warm_space"] > 0).sum() > len(nb) / 2
