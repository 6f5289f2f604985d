"""Fuzzing the JSON APIs against their published OpenAPI document (schemathesis).

schemathesis reads ``/api/openapi.json`` from the app itself and generates requests for every
documented operation — valid ones from the parameter schemas, and invalid ones (wrong types,
out-of-range numbers, odd strings) — then checks each response: never a 5xx, the status code
documented, the content type documented, and the body valid against the documented schema.
The app is called in-process over WSGI (no socket), on the real Chesterfield build.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from app.openapi import openapi

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def wsgi_app(chesterfield_root):
    return create_app({"ASSETMAP_BUILD_ROOT": str(chesterfield_root)})


def test_the_served_document_is_the_one_fuzzed(wsgi_app):
    served = wsgi_app.test_client().get("/api/openapi.json").get_json()
    assert served["paths"].keys() == openapi("/")["paths"].keys()


# the document as the app serves it (the same function builds both; checked above)
schema = schemathesis.openapi.from_dict(openapi("/"))
# valid requests and invalid ones (wrong types, out-of-range values, missing required parameters)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_documented_operation_holds_to_its_schema(case, wsgi_app):
    case.operation.schema.app = wsgi_app  # call the app in-process over WSGI
    # the in-process WSGI client does not decode gzip, so it must not ask for it
    case.call_and_validate(app=wsgi_app, checks=CHECKS, headers={"Accept-Encoding": "identity"})
