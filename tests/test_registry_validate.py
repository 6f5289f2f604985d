"""One record's validation rules (no database): bounds, formats, every reason at once."""
from __future__ import annotations

import pytest

from assetmap.registry.oruk_reader import html_to_text
from assetmap.registry.readers import decode
from assetmap.registry.validate import derive_source_id, validate

GOOD = {"name": "Hall", "category": "community_centre", "lat": "53.2", "lon": "-1.4"}


def _reasons(checks, **change):
    return validate({**GOOD, **change}, checks).reasons


@pytest.mark.parametrize("phone", ["01246 345345", "+44 1246 345345", "+44 (0)1246 345345", "0114-234-5678",
                                   "07700 900123", "(01246) 345 345"])
def test_plausible_phones(checks, phone):
    assert validate({**GOOD, "phone": phone}, checks).ok


@pytest.mark.parametrize("phone", ["12345", "01246 34534567", "call us", "+1 212 555 0100", "0"])
def test_implausible_phones(checks, phone):
    assert _reasons(checks, phone=phone)[0].startswith("phone:")


@pytest.mark.parametrize("url, stored", [("https://example.org", "https://example.org"),
                                         ("http://example.org/a?b=c", "http://example.org/a?b=c"),
                                         ("www.example.org", "http://www.example.org"),
                                         ("example.org/page", "http://example.org/page")])
def test_urls_kept(checks, url, stored):
    assert validate({**GOOD, "url": url}, checks).values["url"] == stored


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JAVASCRIPT:alert(1)", "vbscript:x", "data:text/html,x",
                                 "file:///etc/passwd", "ftp://example.org", "http://", "https://nodot",
                                 "http://exa mple.org", "java\tscript:alert(1)"])
def test_urls_refused(checks, url):
    assert any(r.startswith("url:") for r in _reasons(checks, url=url))


@pytest.mark.parametrize("email, ok", [("a@example.org", True), ("first.last+tag@sub.example.co.uk", True),
                                       ("a@b", False), ("no-at.example.org", False), ("a b@example.org", False),
                                       ("<a@example.org>", False)])
def test_emails(checks, email, ok):
    assert validate({**GOOD, "email": email}, checks).ok is ok


def test_everything_wrong_is_reported_at_once(checks):
    reasons = validate({"name": "\x00", "category": "?", "lat": "inf", "lon": "200", "url": "javascript:1",
                        "email": "x", "phone": "1", "wheelchair": "?", "last_verified": "yesterday",
                        "opening_hours": "o" * 501, "address": "a" * 301, "postcode": "??"}, checks).reasons
    fields = {r.split(":", 1)[0] for r in reasons}
    assert fields == {"name", "category", "lat", "lon", "url", "email", "phone", "wheelchair", "last_verified",
                      "opening_hours", "address", "postcode"}


def test_multiline_fields_and_trimming(checks):
    v = validate({**GOOD, "name": "  Hall  ", "description": "one\ntwo", "address": "1 St\r\nTown"}, checks).values
    assert (v["name"], v["description"], v["address"]) == ("Hall", "one\ntwo", "1 St\r\nTown")
    assert _reasons(checks, name="a\tb")[0].startswith("name:")


def test_postcode_only_is_geocoded_and_normalised(checks):
    v = validate({"name": "Hall", "category": "village hall", "postcode": "s401lp"}, checks).values
    assert (v["postcode"], v["located_by"], v["category"]) == ("S40 1LP", "postcode", "community_centre")


def test_without_lookup_postcodes_need_coordinates(checks):
    checks.lookup = None
    assert validate({**GOOD, "postcode": "S40 9ZZ"}, checks).ok  # form only
    assert _reasons(checks, lat="", lon="", postcode="S40 1LP")[0].startswith("no location: no coordinates, and no postcode lookup")


def test_derived_ids_are_stable():
    a = derive_source_id("src", "  The  Hall ", "s40 1lp")
    assert a == derive_source_id("src", "the hall", "S40 1LP") != derive_source_id("other", "the hall", "S40 1LP")
    assert a.startswith("h-") and len(a) == 18


def test_decode():
    assert decode(b"\xef\xbb\xbfname\n", "f") == "name\n"
    assert decode("é".encode("cp1252"), "f", "cp1252") == "é"
    assert decode(b"a\xffb", "f") == "a\udcffb"


def test_html_to_text():
    assert html_to_text("<p>One &amp; two</p><p>Three&nbsp;four<br>five</p>") == "One & two\nThree four\nfive"
    assert html_to_text("<p><br></p>") is None
    assert html_to_text("plain <3") == "plain <3"
