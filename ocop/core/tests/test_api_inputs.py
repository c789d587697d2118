"""Every request body refuses what its schema does not know (issue 9): a typo, a derived or a
read-only field (`code`, `current_star`, `count`…) is a 422 `{"detail"}` naming the field, in
Vietnamese (English on request), never silently dropped."""

import re

import pytest
from django.utils import translation

from ocop.accounts.models import ApiToken, Role, User
from ocop.api import api
from ocop.core.api import validation_message

SCHEMA = api.get_openapi_schema()


def body_schemas() -> list[tuple[str, str, dict]]:
    found = []
    for path, methods in SCHEMA["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                found.append((method.upper(), path, media["schema"]))
    return found


BODIES = body_schemas()


def resolve(schema: dict) -> dict:
    if "anyOf" in schema:  # an optional body: `DayIn | None`
        (schema,) = [option for option in schema["anyOf"] if option.get("type") != "null"]
    if "$ref" in schema:
        return SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


@pytest.mark.parametrize(("method", "path", "schema"), BODIES, ids=[f"{m} {p}" for m, p, _ in BODIES])
def test_every_body_forbids_unknown_fields(method: str, path: str, schema: dict) -> None:
    schema = resolve(schema)
    if (
        "multipart/form-data" in str(schema)
        or schema.get("type") != "object"
        or "payload" in schema.get("properties", {})
    ):
        schema = resolve(schema.get("properties", {}).get("payload", schema))
    if schema.get("properties", {}).get("file"):
        return  # multipart uploads: checked by reject_unknown_form_fields (documents tests)
    assert schema.get("additionalProperties") is False, (method, path, schema)


JSON_WRITES = [
    (method, path)
    for method, path, _schema in BODIES
    if method in ("POST", "PUT", "PATCH") and "evidence/" not in path and "/auth/token" not in path
]


@pytest.mark.parametrize(("method", "path"), JSON_WRITES, ids=[f"{m} {p}" for m, p in JSON_WRITES])
def test_unknown_field_is_a_422_naming_it(db, client, method: str, path: str) -> None:
    admin = User.objects.create(username="inputs-admin", role=Role.ADMIN)
    _token, key = ApiToken.issue(admin)
    url = re.sub(r"\{[^}]+\}", "1", path)
    response = getattr(client, method.lower())(
        url, {"current_star": 5}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "current_star: trường không được nhận" in detail


def test_token_body_refuses_unknown_fields(client, db) -> None:
    response = client.post(
        "/api/v1/auth/token",
        {"username": "x", "password": "y", "role": "admin"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "role: trường không được nhận" in response.json()["detail"]


def test_message_in_english() -> None:
    with translation.override("en"):
        message = validation_message([{"loc": ("body", "payload", "code"), "type": "extra_forbidden"}])
    assert message.endswith("code: field not accepted (read-only, computed, or not in the schema)"), message
