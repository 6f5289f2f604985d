"""Publishing from the curator pages: a suggestion approved and published is on the lookup, the
map data and the downloads after a refresh of seconds — escaped — with no rebuild, on SQLite and
PostgreSQL."""
from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy.orm import Session

from assetmap.registry.models import CuratedAsset
from assetmap.registry.users import create_user
from curate_support import PASSWORD, XSS_IMG, assert_escaped, login, page, post, suggestion_form


@pytest.fixture
def pub_client(chesterfield_root, tmp_path, engine, registry_url):
    from app import create_app

    root = tmp_path / "build"
    shutil.copytree(chesterfield_root / "chesterfield", root / "chesterfield")
    app = create_app({"ASSETMAP_BUILD_ROOT": str(root), "TESTING": True, "SESSION_COOKIE_SECURE": False,
                      "REMEMBER_COOKIE_SECURE": False, "DATABASE_URL": registry_url, "INSTANCE_DIR": str(tmp_path)})
    with Session(engine) as s, s.begin():
        create_user(s, "mo", PASSWORD, "moderator")
    yield app.test_client()
    app.extensions["registry"].dispose()


def test_approve_publish_and_find_it_in_the_lookup(pub_client, engine):
    client = pub_client
    name = f"Hollow Lane Hall {XSS_IMG}"
    assert post(client, "/suggest", suggestion_form(name=name)).status_code in (302, 303)
    before = page(client.get("/lookup?postcode=S40+1LP&category=community_centre"))
    assert "Hollow Lane Hall" not in before
    login(client, "mo")
    sid = int(__import__("re").search(r"/curate/suggestions/(\d+)", page(client.get("/curate/suggestions"))).group(1))
    assert post(client, f"/curate/suggestions/{sid}", suggestion_form(name=name, action="approve")).status_code == 303
    with Session(engine) as s:
        assert s.query(CuratedAsset).count() == 1
    # approved but not yet published: the public site does not have it
    assert "Hollow Lane Hall" not in page(client.get("/lookup?postcode=S40+1LP&category=community_centre"))
    resp = post(client, "/curate/publish")
    assert resp.status_code == 303
    dash = page(client.get("/curate/"))
    assert "Published: Chesterfield refreshed in" in dash and "1 place(s) from the registry" in dash
    after = page(client.get("/lookup?postcode=S40+1LP&category=community_centre"))
    assert "Hollow Lane Hall" in after
    assert_escaped(after)
    data = json.loads(client.get("/data/chesterfield/assets.geojson").data)
    assert any(f["properties"]["name"] == name for f in data["features"])
    csv_text = client.get("/download/chesterfield/assets.csv").get_data(as_text=True)
    assert "Hollow Lane Hall" in csv_text


def test_publishing_needs_a_curator(pub_client):
    assert pub_client.post("/curate/publish").status_code in (400, 403)


def test_publish_under_gevent_runs_the_refresh_in_a_child_process(pub_client, engine):
    """Under gevent workers the refresh runs as `assetmap refresh --json` in a child process (the worker's
    event loop goes on serving); the outcome is the same."""
    client = pub_client
    client.application.config["SERVED_BY_GEVENT"] = True
    name = "Child Process Hall"
    assert post(client, "/suggest", suggestion_form(name=name)).status_code in (302, 303)
    login(client, "mo")
    sid = int(__import__("re").search(r"/curate/suggestions/(\d+)", page(client.get("/curate/suggestions"))).group(1))
    assert post(client, f"/curate/suggestions/{sid}", suggestion_form(name=name, action="approve")).status_code == 303
    assert post(client, "/curate/publish").status_code == 303
    assert "1 place(s) from the registry" in page(client.get("/curate/"))
    assert name in page(client.get("/lookup?postcode=S40+1LP&category=community_centre"))


def test_a_publish_in_process_reaches_oruk_and_ogc_without_a_restart(pub_client):
    """Every served catalogue is rebuilt with the site's state: the ORUK services and the OGC API
    collections show a place published from the registry in the same process, straight away."""
    from urllib.parse import quote

    client = pub_client
    name = "Hollow Lane Community Hall"
    where = quote(f"name = '{name}'")
    items = f"/ogc/collections/chesterfield-assets/items?filter-lang=cql2-text&filter={where}"

    def oruk_names() -> list[str]:
        return [s["name"] for s in client.get("/api/oruk/services?search=hollow+lane").get_json()["contents"]]

    def ogc_matched() -> int:
        return client.get(items).get_json()["numberMatched"]

    total = client.get("/ogc/collections/chesterfield-assets/items?limit=1").get_json()["numberMatched"]
    assert name not in oruk_names() and ogc_matched() == 0
    assert post(client, "/suggest", suggestion_form()).status_code in (302, 303)
    login(client, "mo")
    sid = int(__import__("re").search(r"/curate/suggestions/(\d+)", page(client.get("/curate/suggestions"))).group(1))
    assert post(client, f"/curate/suggestions/{sid}", suggestion_form(action="approve")).status_code == 303
    assert name not in oruk_names() and ogc_matched() == 0  # approved, not yet published
    assert post(client, "/curate/publish").status_code == 303
    assert name in oruk_names()
    assert ogc_matched() == 1
    assert client.get("/ogc/collections/chesterfield-assets/items?limit=1").get_json()["numberMatched"] == total + 1
