"""In Chromium under the site's strict CSP: a curator adds a session to a service through the form and
sees it in words; the services pages and the activity suggestion form pass axe-core (WCAG 2.2 AA)
at 1400 and 360 px and do not scroll sideways on a phone."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assetmap.registry.models_services import Schedule
from browser_support import LiveServer, Watched, axe_violations
from curate_support import PASSWORD
from test_curate_services import _place

pytestmark = pytest.mark.browser


def _login(w: Watched) -> None:
    w.goto("/curate/login")
    w.page.fill("#field-username", "mo")
    w.page.fill("#field-password", PASSWORD)
    w.page.click("main button[type=submit]")
    w.page.wait_for_url(re.compile(r"/curate/$"))


def _new_service(w: Watched) -> str:
    w.goto("/curate/services/new")
    w.page.fill("#field-name", "Singing group")
    w.page.select_option("#field-category", "community_centre")
    w.page.fill("#field-cost", "free")
    w.page.select_option("#field-access", "drop_in")
    w.page.click("form.stacked-form button[type=submit]")
    w.page.wait_for_url(re.compile(r"/curate/services/[0-9a-f-]{36}$"))
    return w.page.url


def test_curator_adds_a_session_in_the_browser(browser, capp, engine):
    _place(engine)
    server = LiveServer(capp)
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        w = Watched(ctx.new_page(), server.url)
        _login(w)
        url = _new_service(w)
        w.page.fill("#field-byday", "Tuesday")
        w.page.fill("#field-opens_at", "10:30")
        w.page.fill("#field-closes_at", "09:00")
        w.page.click("text=Add the session")
        assert "is not after the start" in w.page.locator("#error-summary").text_content()
        w.page.fill("#field-closes_at", "12:00")
        w.page.click("text=Add the session")
        w.page.wait_for_url(url)
        assert "Tuesdays 10:30–12:00" in w.page.locator("ul.sessions").text_content()
        w.page.fill("#place-q", "mary")
        w.page.click("#places ~ form button[type=submit]")
        w.page.get_by_role("button", name="Link St Mary's Hall").click()
        w.page.wait_for_url(url)
        assert "St Mary's Hall" in w.page.locator("#places + ul").text_content()
        with Session(engine) as s:
            assert s.scalars(select(Schedule.byday)).all() == ["TU"]
        w.errors = [e for e in w.errors if "status of 400" not in e]  # the refused session, on purpose
        w.assert_clean()
    finally:
        ctx.close()
        server.stop()


@pytest.mark.parametrize("width", [1400, 360])
def test_services_pages_pass_axe_and_fit_a_phone(browser, capp, engine, width):
    server = LiveServer(capp)
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    try:
        w = Watched(ctx.new_page(), server.url)
        _login(w)
        url = _new_service(w)
        w.page.fill("#field-byday", "Tuesday")
        w.page.fill("#field-opens_at", "10:30")
        w.page.click("text=Add the session")
        w.page.wait_for_url(url)
        with Session(engine) as s:
            sched = s.scalar(select(Schedule.id))
        paths = ["/curate/services", url.removeprefix(server.url), url.removeprefix(server.url) + f"/sessions/{sched}",
                 "/curate/services/new", "/suggest?kind=activity"]
        for path in paths:
            w.goto(path)
            axe_violations(w.page, f"{path} @ {width}px")
            if width == 360:
                wide = w.page.evaluate("() => document.documentElement.scrollWidth")
                assert wide <= 360, f"{path}: the page is {wide} px wide at 360 px"
        w.page.fill("#field-activity", "Choir")  # a form with its errors shown passes too
        w.page.click("main form.stacked-form button[type=submit]")
        assert w.page.locator("#error-summary").count() == 1
        axe_violations(w.page, f"suggest activity with errors @ {width}px")
        w.errors = [e for e in w.errors if "status of 400" not in e]
        w.assert_clean()
    finally:
        ctx.close()
        server.stop()
