"""The Open Referral UK validator's HSDS-UK-3.0 test profile, run as the validator runs it.

Reads the profile and schemas from ../shared/reference/oruk-validator (never copied into the
project) and does what the profile-driven validator (tpximpact/oruk-validator at 01a2f094, its
``ValidatorService``, ``PaginationTestingService`` and ``RequestService``) does, test by test:

* every test requests ``{base}{endpoint}`` (so ``/`` and ``/services``) and validates the JSON
  against the test's schema (JSON Schema, ``$ref`` resolved among the profile's schema files,
  formats checked: uuid, uri, email, date-time);
* ``saveIds``: the first item's ``id`` of the list is kept for the by-id test;
* ``pagination``: ``per_page=5`` on page 1, up to three random middle pages (2 … total−2) and the
  last page; each must answer and have ``first_page``, ``last_page`` and ``empty`` right, 5 items
  (fewer only on the last page) and ``size`` equal to the number of items;
* ``useIdFrom``: ids are collected from ``{base}{endpoint}?page=N`` (the by-id endpoint, with its
  trailing slash: ``/services/?page=1``) at the default page size, from page 1 then random pages,
  until three are held; then ``{base}{endpoint}{id}`` is requested and validated;
* a test passes when its requests succeed (2xx, JSON) with no schema or pagination issue; a group
  passes when all its tests pass; the feed is valid when every ``required`` group passes.

Requests carry ``User-Agent: oruk``; redirects are followed, as .NET's HttpClient does; bodies are
parsed as System.Text.Json does (no ``NaN``/``Infinity``).
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from jsonschema import FormatChecker
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "oruk-validator"
PER_PAGE = 5
PAGE_LOOP_LIMIT = 3
ID_COUNT_LIMIT = 3


class RequestFailed(Exception):
    pass


def _not_json(name: str):
    raise ValueError(f"{name} is not JSON")


@dataclass
class TestResult:
    name: str
    endpoint: str
    issues: list[str] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not self.issues


@dataclass
class GroupResult:
    name: str
    required: bool
    tests: list[TestResult]

    @property
    def success(self) -> bool:
        return all(t.success for t in self.tests)


def load_profile(reference: Path = REFERENCE) -> dict:
    path = reference / "HSDS-UK-3.0.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: put ../shared beside the checkout")
    return json.loads(path.read_text())


def schema_registry(reference: Path = REFERENCE) -> tuple[Registry, dict]:
    """Every schema file of the profile under a file URI (so relative ``$ref``s resolve)."""
    resources, schemas = [], {}
    for path in sorted((reference / "schemas").rglob("*.json")):
        rel = path.relative_to(reference / "schemas").as_posix()
        doc = {"$id": path.as_uri(), **json.loads(path.read_text())}
        schemas[rel] = doc
        resources.append((path.as_uri(), Resource.from_contents(doc, default_specification=DRAFT7)))
    return Registry().with_resources(resources), schemas


class ProfileRunner:
    """Runs the profile against ``get(url) -> (status, body text)`` at ``base`` (no trailing slash)."""

    def __init__(self, get, base: str, seed: int = 0, reference: Path = REFERENCE):
        self.get, self.base, self.rng = get, base.rstrip("/"), random.Random(seed)
        self.profile = load_profile(reference)
        self.registry, self.schemas = schema_registry(reference)
        self.saved: dict[str, str] = {}

    # --- requests --------------------------------------------------------------------------
    def request(self, url: str):
        status, text = self.get(url)
        if not 200 <= status < 300:
            raise RequestFailed(f"{url}: HTTP {status}")
        try:  # System.Text.Json's JsonNode.Parse: no NaN or Infinity
            return json.loads(text, parse_constant=_not_json)
        except ValueError as exc:
            raise RequestFailed(f"{url}: not JSON ({exc})") from None

    def validate(self, doc, schema_name: str) -> list[str]:
        schema = self.schemas[schema_name]
        cls = validator_for(schema, default=validator_for({"$schema": "http://json-schema.org/draft-07/schema#"}))
        v = cls(schema, registry=self.registry, format_checker=FormatChecker())
        return [f"{schema_name} at {list(e.absolute_path)}: {e.message[:200]}" for e in v.iter_errors(doc)]

    # --- the validator's steps -------------------------------------------------------------
    def select_profile(self) -> tuple[str, str]:
        """The validator's SelectTestSchema: the profile named by the root's ``version``, else a default."""
        try:
            version = self.request(self.base + "/").get("version")
        except RequestFailed:
            return "HSDS-UK-1.0", "Could not read response from '/' endpoint defaulting to HSDS-UK-1.0"
        if version in ("HSDS-UK-1.0", "HSDS-UK-3.0"):
            return version, f"Standard version {version} read from '/' endpoint"
        return "HSDS-UK-3.0", "Could not read standard version from '/' endpoint defaulting to HSDS-UK-3.0"

    def page_issues(self, page: dict, number: int, total_pages: int) -> list[str]:
        n = len(page.get("contents", []))
        issues = []
        if page.get("first_page") != (number == 1):
            issues.append(f"first_page is {page.get('first_page')} on page {number}")
        if page.get("last_page") != (number == total_pages):
            issues.append(f"last_page is {page.get('last_page')} on page {number} of {total_pages}")
        if page.get("empty") != (n == 0):
            issues.append(f"empty is {page.get('empty')} with {n} items")
        if not (n == PER_PAGE or (n < PER_PAGE and page.get("last_page"))):
            issues.append(f"{n} items on page {number} when per_page={PER_PAGE}")
        if page.get("size") != n:
            issues.append(f"size is {page.get('size')} with {n} items")
        return issues

    def pagination(self, endpoint: str) -> list[str]:
        def fetch(number: int) -> dict:
            return self.request(f"{self.base}{endpoint}?{urlencode({'per_page': PER_PAGE, 'page': number})}")

        first = fetch(1)
        total = first["total_pages"]
        issues = self.page_issues(first, 1, total)
        if total == 1:
            return issues
        for _ in range(PAGE_LOOP_LIMIT):
            if total == 2:
                break
            number = self.rng.randrange(2, max(3, total - 1))  # .NET Random.Next(2, total - 1)
            issues += self.page_issues(fetch(number), number, total)
        return issues + self.page_issues(fetch(total), total, total)

    def fetch_ids(self, url: str) -> list[str]:
        ids, number = [], 1
        while len(ids) < ID_COUNT_LIMIT:
            page = self.request(f"{url}?page={number}")
            size = page["size"]
            ids.append(page["contents"][self.rng.randrange(0, max(1, size - 1))]["id"])
            if number == 1 and page["last_page"] and size < ID_COUNT_LIMIT:
                break
            number = self.rng.randrange(1, max(2, page["total_pages"]))
        return ids

    def run_test(self, test: dict) -> TestResult:
        result = TestResult(test["name"], test["endpoint"])
        endpoint = test["endpoint"]
        try:
            if test.get("useIdFrom"):
                if test["useIdFrom"] not in self.saved:
                    raise RequestFailed("could not get a valid `id` for the request")
                endpoint += self.fetch_ids(self.base + test["endpoint"])[0]
            body = self.request(self.base + endpoint)
            result.issues += self.validate(body, test["schema"])
            if test.get("saveIds"):
                items = body.get(test["saveIdField"]) or []
                if items and "id" in items[0]:
                    self.saved[f"{test['endpoint']}-id"] = items[0]["id"]
            if test.get("pagination"):
                result.issues += self.pagination(test["endpoint"])
        except (RequestFailed, KeyError, IndexError, TypeError) as exc:
            result.issues.append(f"{type(exc).__name__}: {exc}")
        return result

    def run(self) -> list[GroupResult]:
        return [GroupResult(g["name"], g["required"], [self.run_test(t) for t in g["tests"]])
                for g in self.profile["testGroups"]]


def report(groups: list[GroupResult]) -> str:
    lines = []
    for g in groups:
        lines.append(f"{'PASS' if g.success else 'FAIL'} {g.name} ({'required' if g.required else 'recommended'})")
        for t in g.tests:
            lines.append(f"  {'ok ' if t.success else 'BAD'} {t.name} [{t.endpoint}]")
            lines += [f"      {i}" for i in t.issues[:5]]
    return "\n".join(lines)
