"""docs/portal-api.yaml is a valid OpenAPI 3 document, and the client and the sandbox keep to it:
requests the client builds and answers the sandbox gives validate against its schemas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from omsdesktop.portal.contract import ApplicationPayload
from omsdesktop.portal.sandbox import SandboxServer
from omsdesktop.storage.store import Store
from tests.portal.helpers import new_draft_id

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "portal-api.yaml"
AUTH = {"Authorization": "Bearer t"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document, _ = read_from_filename(str(SPEC_PATH))
    return dict(document)


def conforms(spec: dict[str, Any], schema_name: str, instance: Any) -> None:
    root = {**spec, "$ref": f"#/components/schemas/{schema_name}"}
    errors = sorted(OAS30Validator(root).iter_errors(instance), key=str)
    assert errors == [], [e.message for e in errors]


def test_the_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    validate(spec)
    assert set(spec["paths"]) == {
        "/attachments",
        "/applications",
        "/applications/{id}",
        "/_sandbox/applications",
    }
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_client_requests_follow_the_contract(spec: dict[str, Any], store: Store) -> None:
    draft = store.get_draft(new_draft_id(store))
    conforms(spec, "ApplicationRequest", ApplicationPayload.from_draft(draft, ["a1"]).to_json())
    with pytest.raises(AssertionError):  # the check can fail
        conforms(spec, "ApplicationRequest", {"child": {"last_name": "X"}})


def test_sandbox_answers_follow_the_contract(
    spec: dict[str, Any], sandbox: SandboxServer, store: Store
) -> None:
    base = sandbox.url
    body = ApplicationPayload.from_draft(store.get_draft(new_draft_id(store))).to_json()
    upload = httpx.post(
        f"{base}/attachments?document=oms_policy",
        content=b"%PDF-1.4 test",
        headers={**AUTH, "Idempotency-Key": "a", "Content-Type": "application/pdf"},
    )
    assert upload.status_code == 201
    conforms(spec, "Attachment", upload.json())
    body["attachments"] = [upload.json()["id"]]
    created = httpx.post(
        f"{base}/applications", json=body, headers={**AUTH, "Idempotency-Key": "k"}
    )
    assert created.status_code == 201
    conforms(spec, "Application", created.json())
    got = httpx.get(f"{base}/applications/{created.json()['id']}", headers=AUTH)
    conforms(spec, "Application", got.json())
    conforms(spec, "SandboxListing", httpx.get(f"{base}/_sandbox/applications").json())

    bad = dict(body, child={**body["child"], "snils": "112-233-445 96"})
    errors = [
        httpx.post(f"{base}/applications", json=bad, headers={**AUTH, "Idempotency-Key": "b"}),
        httpx.post(f"{base}/applications", json=body, headers={**AUTH, "Idempotency-Key": "c"}),
        httpx.post(f"{base}/applications", json=body, headers=AUTH),
        httpx.post(f"{base}/applications", json=body),
        httpx.get(f"{base}/applications/missing", headers=AUTH),
        httpx.post(
            f"{base}/attachments",
            content=b"x",
            headers={**AUTH, "Idempotency-Key": "d", "Content-Type": "image/gif"},
        ),
    ]
    sandbox.state.inject("rate_limited", "error_500")
    errors.append(httpx.get(f"{base}/applications/missing", headers=AUTH))
    errors.append(httpx.get(f"{base}/applications/missing", headers=AUTH))
    assert [r.status_code for r in errors] == [422, 409, 400, 401, 404, 415, 429, 500]
    for response in errors:
        conforms(spec, "Error", response.json())
