"""The API shell: token authentication, one error format naming the field, OpenAPI."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.urls("careops.core.tests.support.api_urls")


@pytest.fixture
def api(alice: Any) -> APIClient:
    client = APIClient()
    token = Token.objects.create(user=alice)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_it_refuses_anonymous_calls_in_the_error_format(db: Any) -> None:
    response = APIClient().post("/api/test/window/", {}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_it_names_each_bad_field(api: APIClient) -> None:
    response = api.post("/api/test/window/", {"start": "yesterday-ish", "minutes": 0},
                        format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"start", "minutes"}
    assert "start" in error["message"] and "minutes" in error["message"]


def test_it_names_nested_fields_with_their_path(api: APIClient) -> None:
    response = api.post("/api/test/window/", {
        "start": "2026-10-01T08:00:00+08:00", "minutes": 5,
        "contacts": [{"mail": "ok@example.org"}, {"mail": "not-an-address"}]}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["contacts.1.mail"]


def test_it_turns_model_validation_errors_into_field_errors(api: APIClient) -> None:
    response = api.post("/api/test/model-error/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"name": ["A calendar named 7x24 exists."]}


def test_it_accepts_a_valid_call(api: APIClient) -> None:
    response = api.post("/api/test/window/", {"start": "2026-10-01T00:00:00Z", "minutes": 5},
                        format="json")
    assert response.status_code == 200


def test_it_serves_the_openapi_schema_and_a_local_swagger_ui(api: APIClient) -> None:
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "CareOps API"
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    assert not [u for u in urls if u.startswith(("http://", "https://", "//"))], urls
    # No inline script: everything runs from files served here (CSP script-src 'self').
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
