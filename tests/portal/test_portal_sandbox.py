"""The training portal as a real HTTP server: validation like the portal, idempotency,
faults, the test listing, and the ``portal-sandbox`` command."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from omsdesktop.portal.sandbox import (
    FAULT_KINDS,
    SandboxConfig,
    SandboxServer,
    SandboxState,
    validate_application,
)
from omsdesktop.storage.store import Store
from tests.portal.helpers import free_port, new_draft_id, payload
from tests.storage.sample import enp_with_check_digit

AUTH = {"Authorization": "Bearer t"}
REPO_ROOT = Path(__file__).resolve().parents[2]


def _valid() -> dict[str, Any]:
    return {
        "request_type": "attach_policy",
        "client_reference": "ref",
        "applicant": {"full_name": "Белоусова Ефросинья Тимофеевна", "snils": "134-940-005 39"},
        "child": {
            "last_name": "Белоусова",
            "first_name": "Аглая",
            "patronymic": "Святославовна",
            "birth_date": "2019-03-12",
            "snils": "112-233-445 95",
        },
        "birth_certificate": {"series": "IV-МЮ", "number": "123456", "issue_date": "2019-03-20"},
        "policy": {"form": "unified", "number": "7700000000000016", "issue_date": "2019-04-02"},
        "attachments": [],
    }


def _errors(app: dict[str, Any]) -> dict[str, str]:
    return {e["field"]: e["code"] for e in validate_application(app, today=date(2026, 11, 21))}


def test_a_valid_application_passes() -> None:
    assert _errors(_valid()) == {}


@pytest.mark.parametrize(
    ("section", "field", "value"),
    [
        ("policy", "number", "6449020886006381"),  # Luhn fails
        ("policy", "number", "770000000000001"),  # 15 digits
        ("child", "snils", "112-233-445 96"),  # checksum fails
        ("applicant", "snils", "001-001-999 00"),
        ("birth_certificate", "series", "IV-MU"),  # Latin letters in the Cyrillic part
        ("birth_certificate", "series", "4-МЮ"),
        ("birth_certificate", "number", "12345"),
        ("child", "birth_date", "2031-01-01"),  # in the future
        ("child", "birth_date", "2001-01-01"),  # not a minor
        ("child", "birth_date", "2019-02-30"),  # no such day
        ("birth_certificate", "issue_date", "2019-03-01"),  # before the birth
        ("policy", "issue_date", "2018-12-31"),  # before the birth
        ("child", "last_name", "Smith"),
    ],
)
def test_invalid_values_are_refused(section: str, field: str, value: str) -> None:
    app = _valid()
    app[section][field] = value
    assert f"{section}.{field}" in _errors(app)


def test_required_fields() -> None:
    app = _valid()
    del app["child"]["first_name"]
    app["policy"] = {}
    assert _errors(app) == {"child.first_name": "required", "policy.number": "required"}
    app = _valid()
    del app["child"]["patronymic"]  # not everyone has one
    del app["child"]["snils"]
    assert _errors(app) == {}


def _post(
    server: SandboxServer, body: Any, key: str | None = "k", **headers: str
) -> httpx.Response:
    all_headers = {**AUTH, **headers}
    if key is not None:
        all_headers["Idempotency-Key"] = key
    return httpx.post(f"{server.url}/applications", json=body, headers=all_headers)


def test_http_errors_follow_the_error_model(sandbox: SandboxServer) -> None:
    bad = _valid()
    bad["policy"]["number"] = "6449020886006381"
    response = _post(sandbox, bad)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["fields"][0]["field"] == "policy.number"
    assert "6449020886006381" not in response.text  # messages never echo the data

    assert _post(sandbox, _valid(), key=None).json()["code"] == "idempotency_key_missing"
    no_auth = httpx.post(f"{sandbox.url}/applications", json=_valid())
    assert no_auth.status_code == 401 and no_auth.json()["code"] == "unauthorized"
    assert httpx.get(f"{sandbox.url}/applications/nope", headers=AUTH).status_code == 404
    assert _post(sandbox, "not an object").status_code == 400

    assert _post(sandbox, _valid(), key="same").status_code == 201
    other = _valid()
    other["policy"]["number"] = enp_with_check_digit("500000000000000")
    reused = _post(sandbox, other, key="same")
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    replay = _post(sandbox, _valid(), key="same")
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"


def test_dropped_connection_is_a_real_disconnect(sandbox: SandboxServer) -> None:
    sandbox.state.inject("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        _post(sandbox, _valid())
    assert sandbox.state.applications == {}  # dropped before any work
    sandbox.state.inject("lost_response")
    with pytest.raises(httpx.RemoteProtocolError):
        _post(sandbox, _valid(), key="lost")
    assert len(sandbox.state.applications) == 1  # the work was done, the answer lost


def test_429_carries_retry_after(sandbox: SandboxServer) -> None:
    sandbox.state.inject("rate_limited", "error_500")
    limited = _post(sandbox, _valid())
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert _post(sandbox, _valid()).status_code == 500


def test_faults_and_outcomes_are_reproducible_from_the_seed() -> None:
    def draws(seed: int) -> list[str | None]:
        state = SandboxState(SandboxConfig(fault_rate=0.3, seed=seed))
        return [state.draw_fault() for _ in range(400)]

    first = draws(42)
    assert first == draws(42)
    assert first != draws(43)
    faults = [f for f in first if f is not None]
    assert 0.2 < len(faults) / len(first) < 0.4
    assert set(faults) == set(FAULT_KINDS)
    state = SandboxState(SandboxConfig(seed=42))
    outcomes = [state.outcome_for(seq) for seq in range(1, 200)]
    assert outcomes == [SandboxState(SandboxConfig(seed=42)).outcome_for(s) for s in range(1, 200)]
    assert {o[0] for o in outcomes} == {"approved", "needs_clarification", "rejected"}


def test_listing_counts_create_requests_per_key(sandbox: SandboxServer, store: Store) -> None:
    body = payload(store, new_draft_id(store)).to_json()
    sandbox.state.inject("error_500", "drop")
    for _ in range(3):
        with contextlib.suppress(httpx.TransportError):
            _post(sandbox, body, key="counted")
    listing = httpx.get(f"{sandbox.url}/_sandbox/applications").json()
    assert listing["create_requests"] == {"counted": 3}
    assert len(listing["applications"]) == 1
    assert listing["applications"][0]["create_requests"] == 3
    assert listing["stats"]["fault_error_500"] == 1 and listing["stats"]["fault_drop"] == 1


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("portal-sandbox exited early")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("portal-sandbox did not start listening")


@pytest.mark.slow  # the sandbox command in a subprocess
def test_portal_sandbox_command(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "omsdesktop",
            "portal-sandbox",
            "--port",
            str(port),
            "--fault-rate",
            "0",
            "--seed",
            "5",
            "--status-delay",
            "0",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_port(port, proc)
        base = f"http://127.0.0.1:{port}"
        created = httpx.post(
            f"{base}/applications", json=_valid(), headers={**AUTH, "Idempotency-Key": "cli"}
        )
        assert created.status_code == 201
        status = httpx.get(f"{base}/applications/{created.json()['id']}", headers=AUTH).json()
        assert status["status"] in {"approved", "needs_clarification", "rejected"}
        listing = json.loads(httpx.get(f"{base}/_sandbox/applications").text)
        assert listing["create_requests"] == {"cli": 1}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, stderr = proc.communicate(timeout=30)
        finally:
            proc.kill()
    assert proc.returncode == 0
    assert f"127.0.0.1:{port}" in stderr.decode()
