"""The official Open Referral UK validator's HSDS-UK-3.0 profile, run faithfully (tests/oruk_validator.py)
against the real Chesterfield build: Level 1 (required) and Level 2 (recommended) must both pass."""
from __future__ import annotations

import pytest

from oruk_validator import ProfileRunner, load_profile, report

BASE = "http://localhost/api/oruk"


def _get(client):
    def get(url: str) -> tuple[int, str]:
        resp = client.get(url.removeprefix("http://localhost"), headers={"User-Agent": "oruk"},
                          follow_redirects=True)  # as HttpClient does
        return resp.status_code, resp.get_data(as_text=True)
    return get


def test_the_profile_is_the_validators():
    groups = load_profile()["testGroups"]
    assert [g["required"] for g in groups] == [True, False]
    endpoints = [t["endpoint"] for g in groups for t in g["tests"]]
    assert endpoints[:3] == ["/", "/services", "/services/"] and "/service_at_locations/" in endpoints


@pytest.mark.parametrize("seed", [0, 1, 2])  # the validator picks middle pages and ids at random
def test_levels_1_and_2_pass(client, seed):
    runner = ProfileRunner(_get(client), BASE, seed=seed)
    assert runner.select_profile() == ("HSDS-UK-3.0", "Standard version HSDS-UK-3.0 read from '/' endpoint")
    groups = runner.run()
    assert [g.success for g in groups] == [True, True], report(groups)
    assert sum(len(g.tests) for g in groups) == 9


def test_the_runner_fails_a_broken_feed(client):
    """The runner can fail: a feed whose by-id routes 404 and whose pages miscount fails Level 1."""
    real = _get(client)

    def broken(url: str) -> tuple[int, str]:
        if "/services/" in url and "?" not in url:
            return 404, '{"error": "no"}'
        status, text = real(url)
        return status, text.replace('"first_page":true', '"first_page":false')

    groups = ProfileRunner(broken, BASE).run()
    assert not groups[0].success
    bad = {t.endpoint: t.issues for t in groups[0].tests if not t.success}
    assert set(bad) == {"/services", "/services/"}
    assert any("first_page" in i for i in bad["/services"]) and any("404" in i for i in bad["/services/"])


def test_the_runner_checks_schemas_and_formats():
    runner = ProfileRunner(lambda url: (200, "{}"), BASE)
    issues = runner.validate({"id": "x", "name": "a", "status": "open", "last_modified": "2018-05-21",
                              "url": "not a uri"}, "V3.0-UK/service.json")
    assert len(issues) == 4 and all(any(w in i for i in issues) for w in ("uuid", "uri", "status", "date-time"))


def test_levels_1_and_2_pass_over_http_with_cors_on_every_response(gunicorn_server):
    """The same run against `assetmap serve` (gunicorn) on 127.0.0.1, over real HTTP, and every
    response the validator reads allows any origin (the UK compliance rules require it)."""
    import urllib.error
    import urllib.request

    base, seen = gunicorn_server[0], []

    def get(url: str) -> tuple[int, str]:
        req = urllib.request.Request(url, headers={"User-Agent": "oruk", "Origin": "https://validator.example"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                seen.append(r.headers.get("Access-Control-Allow-Origin"))
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            seen.append(e.headers.get("Access-Control-Allow-Origin"))
            return e.code, e.read().decode()

    groups = ProfileRunner(get, base + "/api/oruk", seed=7).run()
    assert [g.success for g in groups] == [True, True], report(groups)
    assert len(seen) > 20 and set(seen) == {"*"}
