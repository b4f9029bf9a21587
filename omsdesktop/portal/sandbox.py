"""The training portal: a real HTTP server implementing docs/portal-api.yaml.

It validates applications like the portal (the field rules of docs/domain.md, through
:mod:`omsdesktop.forms.validators`), honours ``Idempotency-Key`` (a repeated create with the
same key and body is answered from the record, never filed twice), refuses a second application
for a policy that is still under review, and moves applications through the statuses over
time: ``under_review`` → ``approved`` | ``needs_clarification`` | ``rejected`` after
``status_delay`` seconds, the outcome drawn from ``seed`` and the application's sequence number
(the same seed and order give the same outcomes).

With ``fault_rate`` > 0 each contract request may meet one injected fault: extra latency, a 500,
a 429 with ``Retry-After``, a dropped connection (closed before any work), or a response lost
after the work was done (the create is recorded, then the connection is closed). Tests can also
queue specific faults with :meth:`SandboxState.inject`.

``GET /_sandbox/applications`` lists every application with how many create requests arrived
for its idempotency key, and fault statistics. The sandbox keeps everything in memory only.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import socket
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from omsdesktop.portal.contract import (
    ATTACHMENT_MEDIA_TYPES,
    MAX_ATTACHMENT_BYTES,
    SECTIONS,
)
from omsdesktop.storage.model import REQUEST_TYPES

FAULT_KINDS: tuple[str, ...] = ("latency", "error_500", "rate_limited", "drop", "lost_response")
"""Faults drawn at random with ``fault_rate``."""
INJECTABLE_FAULTS: tuple[str, ...] = (*FAULT_KINDS, "garbage", "slow")
"""Faults tests may queue: also an unreadable 200 answer and a very slow one."""

_REQUIRED: tuple[str, ...] = (
    "child.last_name",
    "child.first_name",
    "child.birth_date",
    "birth_certificate.series",
    "birth_certificate.number",
    "birth_certificate.issue_date",
    "policy.number",
)
_CLARIFY_FIELDS: tuple[str, ...] = (
    "child.snils",
    "birth_certificate.issue_date",
    "birth_certificate.act_record_number",
    "policy.number",
)
_REJECT_REASONS: tuple[str, ...] = (
    "Данные полиса не совпадают с регистром застрахованных лиц",
    "Ребёнок уже прикреплён к другому заявителю",
    "Свидетельство о рождении не найдено в реестре ЗАГС",
)
_MAX_BODY = MAX_ATTACHMENT_BYTES + 1024 * 1024
_APP_PATH = re.compile(r"^/applications/([A-Za-z0-9\-]{1,64})$")


@dataclass(frozen=True)
class SandboxConfig:
    """How the training portal behaves.

    Attributes:
        fault_rate: share of contract requests that meet a random fault (0..1).
        seed: seeds the fault draw and the applications' outcomes.
        latency: extra seconds of the "latency" fault.
        slow_seconds: seconds of the injectable "slow" fault (to trip client timeouts).
        retry_after: seconds announced in ``Retry-After`` of a 429.
        status_delay: seconds from creation to the final status.
        token: the only accepted bearer token; None accepts any non-empty token.
        clock: monotonic seconds (tests may pass their own).
    """

    fault_rate: float = 0.0
    seed: int = 0
    latency: float = 0.5
    slow_seconds: float = 5.0
    retry_after: int = 1
    status_delay: float = 10.0
    token: str | None = None
    clock: Callable[[], float] = time.monotonic


@dataclass
class _Application:
    id: str
    seq: int
    request_number: str
    idempotency_key: str
    fingerprint: str
    client_reference: str
    request_type: str
    policy_key: str
    attachments: tuple[str, ...]
    created_at: float
    outcome: tuple[str, str | None, tuple[str, ...]]


@dataclass
class _Attachment:
    id: str
    idempotency_key: str
    fingerprint: str
    document: str
    media_type: str
    size_bytes: int


@dataclass
class SandboxState:
    """Everything the sandbox holds; safe to use from the handler threads."""

    config: SandboxConfig
    lock: threading.Lock = field(default_factory=threading.Lock)
    applications: dict[str, _Application] = field(default_factory=dict)
    app_by_key: dict[str, str] = field(default_factory=dict)
    create_requests: Counter[str] = field(default_factory=Counter)
    attachments: dict[str, _Attachment] = field(default_factory=dict)
    attachment_by_key: dict[str, str] = field(default_factory=dict)
    attachment_requests: Counter[str] = field(default_factory=Counter)
    stats: Counter[str] = field(default_factory=Counter)
    forced: deque[str] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self._fault_rng = random.Random(self.config.seed)

    def inject(self, *kinds: str) -> None:
        """Queue faults for the next contract requests, in order."""
        for kind in kinds:
            if kind not in INJECTABLE_FAULTS:
                raise ValueError(f"unknown fault {kind!r}")
        with self.lock:
            self.forced.extend(kinds)

    def draw_fault(self) -> str | None:
        with self.lock:
            self.stats["requests"] += 1
            if self.forced:
                kind: str | None = self.forced.popleft()
            elif self.config.fault_rate > 0 and self._fault_rng.random() < self.config.fault_rate:
                kind = self._fault_rng.choice(FAULT_KINDS)
            else:
                kind = None
            if kind is not None:
                self.stats[f"fault_{kind}"] += 1
            return kind

    def outcome_for(self, seq: int) -> tuple[str, str | None, tuple[str, ...]]:
        """The final (status, reason, fields_to_fix) of the ``seq``-th application."""
        rng = random.Random(f"{self.config.seed}:{seq}")
        draw = rng.random()
        if draw < 0.7:
            return ("approved", None, ())
        if draw < 0.85:
            fields = tuple(sorted(rng.sample(_CLARIFY_FIELDS, rng.randint(1, 2))))
            return ("needs_clarification", "Уточните данные в указанных полях", fields)
        return ("rejected", rng.choice(_REJECT_REASONS), ())

    def status_of(self, app: _Application) -> tuple[str, str | None, tuple[str, ...]]:
        if self.config.clock() - app.created_at < self.config.status_delay:
            return ("under_review", None, ())
        return app.outcome

    def application_json(self, app: _Application) -> dict[str, Any]:
        status, reason, fields = self.status_of(app)
        return {
            "id": app.id,
            "request_number": app.request_number,
            "status": status,
            "reason": reason,
            "fields_to_fix": list(fields),
            "request_type": app.request_type,
            "client_reference": app.client_reference,
            "attachments": list(app.attachments),
        }

    def listing(self) -> dict[str, Any]:
        with self.lock:
            apps = sorted(self.applications.values(), key=lambda a: a.seq)
            return {
                "applications": [
                    {
                        "id": a.id,
                        "request_number": a.request_number,
                        "status": self.status_of(a)[0],
                        "client_reference": a.client_reference,
                        "idempotency_key": a.idempotency_key,
                        "create_requests": self.create_requests[a.idempotency_key],
                        "attachments": list(a.attachments),
                    }
                    for a in apps
                ],
                "create_requests": dict(self.create_requests),
                "attachment_uploads": {
                    key: {"requests": n, "stored": key in self.attachment_by_key}
                    for key, n in self.attachment_requests.items()
                },
                "stats": dict(self.stats),
            }


def _error(code: str, message: str, fields: list[dict[str, str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return body


def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def validate_application(
    payload: Mapping[str, Any], today: date | None = None
) -> list[dict[str, str]]:
    """Field errors of an application, as the portal checks them (empty list: valid)."""
    from omsdesktop.forms.validators import POLICY_FORMS, validate_field

    today = today or date.today()
    values: dict[str, str] = {}
    for section in SECTIONS:
        for name, value in (payload.get(section) or {}).items():
            if isinstance(value, str) and value.strip():
                values[f"{section}.{name}"] = value.strip()
    errors: list[dict[str, str]] = []
    for path in _REQUIRED:
        if path not in values:
            errors.append(
                {
                    "field": path,
                    "code": "required",
                    "message": "Поле обязательно для заполнения",
                }
            )
    form = values.get("policy.form", "")
    if form and form not in POLICY_FORMS:
        errors.append(
            {"field": "policy.form", "code": "policy_form", "message": "Неизвестная форма полиса"}
        )
        form = ""
    birth = values.get("child.birth_date", "")
    checks: dict[str, tuple[str, dict[str, str]]] = {
        "applicant.snils": ("snils", {}),
        "child.last_name": ("last_name", {}),
        "child.first_name": ("first_name", {}),
        "child.patronymic": ("patronymic", {}),
        "child.birth_date": ("birth_date", {}),
        "child.snils": ("snils", {}),
        "birth_certificate.series": ("birth_certificate_series", {}),
        "birth_certificate.number": ("birth_certificate_number", {}),
        "birth_certificate.issue_date": ("birth_certificate_issue_date", {"birth_date": birth}),
        "birth_certificate.act_record_number": ("birth_act_record_number", {"birth_date": birth}),
        "policy.number": (
            "policy_number",
            {"policy_form": form, "policy_series": values.get("policy.series", "")},
        ),
        "policy.series": ("policy_series", {"policy_form": form}),
        "policy.issue_date": ("policy_issue_date", {"birth_date": birth}),
        "policy.expiry_date": (
            "policy_expiry_date",
            {"policy_issue_date": values.get("policy.issue_date", ""), "birth_date": birth},
        ),
        "policy.sex": ("sex", {}),
    }
    for path, (validator, context) in checks.items():
        if path not in values:
            continue
        result = validate_field(validator, values[path], today=today, context=context)
        if result.valid is False:
            blocking = [p for p in result.problems if p.severity == "blocking"]
            first = blocking[0] if blocking else None
            errors.append(
                {
                    "field": path,
                    "code": first.code if first else "invalid",
                    "message": first.message if first else "Неверное значение",
                }
            )
    return errors


def _policy_key(payload: Mapping[str, Any]) -> str:
    policy = payload.get("policy") or {}
    series = str(policy.get("series") or "").strip().upper()
    number = re.sub(r"\D", "", str(policy.get("number") or ""))
    return f"{series}|{number}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SandboxState, verbose: bool) -> None:
        self.state = state
        self.verbose = verbose
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout, reset) is normal here, not worth a traceback.
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError | OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    error_content_type = "application/json; charset=utf-8"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # ------------------------------------------------------------------------------ plumbing

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json; charset=utf-8",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, obj: Any, headers: Mapping[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), headers=headers)

    def _drop(self) -> None:
        """Close the connection without a response."""
        self.close_connection = True
        with suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _read_body(self) -> bytes | None:
        length_text = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            self._send_json(411, _error("length_required", "Нужен заголовок Content-Length"))
            return None
        try:
            length = int(length_text) if length_text else 0
        except ValueError:
            length = -1
        if length < 0 or length > _MAX_BODY:
            self.close_connection = True
            self._send_json(413, _error("payload_too_large", "Файл больше 5 МБ"))
            return None
        return self.rfile.read(length) if length else b""

    # ------------------------------------------------------------------------------- routing

    def _dispatch(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        body = self._read_body()
        if body is None:
            return
        if path == "/_sandbox/applications" and method == "GET":
            self._send_json(200, state.listing())
            return
        key = self.headers.get("Idempotency-Key", "").strip()
        if method == "POST" and path == "/applications" and key:
            with state.lock:
                state.create_requests[key] += 1
        if method == "POST" and path == "/attachments" and key:
            with state.lock:
                state.attachment_requests[key] += 1

        fault = state.draw_fault()
        if fault == "latency":
            time.sleep(state.config.latency)
        elif fault == "slow":
            time.sleep(state.config.slow_seconds)
        elif fault == "drop":
            self._drop()
            return
        elif fault == "error_500":
            self._send_json(500, _error("internal_error", "Внутренняя ошибка портала"))
            return
        elif fault == "rate_limited":
            self._send_json(
                429,
                _error("rate_limited", "Слишком много запросов, повторите позже"),
                headers={"Retry-After": str(state.config.retry_after)},
            )
            return
        elif fault == "garbage":
            self._send(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
            return

        status, response, headers = self._route(method, path, parts.query, body, key)
        if fault == "lost_response":
            self._drop()
            return
        self._send_json(status, response, headers)

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return False
        token = header[len("Bearer ") :].strip()
        expected = self.server.state.config.token
        return bool(token) and (expected is None or token == expected)

    def _route(
        self, method: str, path: str, query: str, body: bytes, key: str
    ) -> tuple[int, Any, dict[str, str]]:
        if not self._authorized():
            return 401, _error("unauthorized", "Нужен действующий токен доступа"), {}
        if path == "/applications":
            if method != "POST":
                return 405, _error("method_not_allowed", "Метод не поддерживается"), {}
            return self._create(body, key)
        if path == "/attachments":
            if method != "POST":
                return 405, _error("method_not_allowed", "Метод не поддерживается"), {}
            return self._attach(body, key, query)
        match = _APP_PATH.match(path)
        if match:
            if method != "GET":
                return 405, _error("method_not_allowed", "Метод не поддерживается"), {}
            state = self.server.state
            with state.lock:
                app = state.applications.get(match.group(1))
                if app is None:
                    return 404, _error("not_found", "Заявление не найдено"), {}
                return 200, state.application_json(app), {}
        return 404, _error("not_found", "Нет такого адреса"), {}

    def _create(self, body: bytes, key: str) -> tuple[int, Any, dict[str, str]]:
        state = self.server.state
        if not key:
            return 400, _error("idempotency_key_missing", "Нужен заголовок Idempotency-Key"), {}
        if "json" not in self.headers.get("Content-Type", ""):
            return 415, _error("unsupported_media_type", "Ожидается application/json"), {}
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return 400, _error("bad_request", "Тело запроса — не JSON"), {}
        if not isinstance(payload, dict) or any(
            not isinstance(payload.get(s, {}), dict) for s in SECTIONS
        ):
            return 400, _error("bad_request", "Неверная структура заявления"), {}
        fingerprint = _fingerprint(json.dumps(payload, sort_keys=True).encode("utf-8"))
        with state.lock:
            existing_id = state.app_by_key.get(key)
            if existing_id is not None:
                existing = state.applications[existing_id]
                if existing.fingerprint != fingerprint:
                    return (
                        422,
                        _error(
                            "idempotency_key_reused",
                            "Этот Idempotency-Key уже использован для другого заявления",
                        ),
                        {},
                    )
                return 200, state.application_json(existing), {"Idempotent-Replayed": "true"}
        request_type = payload.get("request_type") or "attach_policy"
        errors = validate_application(payload)
        if request_type not in REQUEST_TYPES:
            errors.append(
                {
                    "field": "request_type",
                    "code": "request_type",
                    "message": "Неизвестный тип заявления",
                }
            )
        attachments = payload.get("attachments") or []
        if not isinstance(attachments, list) or not all(isinstance(a, str) for a in attachments):
            return 400, _error("bad_request", "attachments — список идентификаторов"), {}
        with state.lock:
            missing = [a for a in attachments if a not in state.attachments]
        if missing:
            errors.append(
                {
                    "field": "attachments",
                    "code": "attachment_not_found",
                    "message": "Вложение не найдено: загрузите файл заново",
                }
            )
        if errors:
            return 422, _error("validation_failed", "Заявление заполнено с ошибками", errors), {}
        policy_key = _policy_key(payload)
        with state.lock:
            existing_id = state.app_by_key.get(key)  # a concurrent retry may have won
            if existing_id is not None:
                existing = state.applications[existing_id]
                if existing.fingerprint == fingerprint:
                    return 200, state.application_json(existing), {"Idempotent-Replayed": "true"}
                return 422, _error("idempotency_key_reused", "Ключ уже использован"), {}
            for other in state.applications.values():
                if other.policy_key == policy_key and state.status_of(other)[0] == "under_review":
                    return (
                        409,
                        _error(
                            "duplicate_application",
                            "Заявление с этим полисом уже на проверке (запрос "
                            f"{other.request_number})",
                        ),
                        {},
                    )
            seq = len(state.applications) + 1
            app = _Application(
                id=str(uuid.uuid4()),
                seq=seq,
                request_number=f"SBX-{seq:07d}",
                idempotency_key=key,
                fingerprint=fingerprint,
                client_reference=str(payload.get("client_reference") or ""),
                request_type=str(request_type),
                policy_key=policy_key,
                attachments=tuple(attachments),
                created_at=state.config.clock(),
                outcome=state.outcome_for(seq),
            )
            state.applications[app.id] = app
            state.app_by_key[key] = app.id
            return 201, state.application_json(app), {"Location": f"/applications/{app.id}"}

    def _attach(self, body: bytes, key: str, query: str) -> tuple[int, Any, dict[str, str]]:
        state = self.server.state
        if not key:
            return 400, _error("idempotency_key_missing", "Нужен заголовок Idempotency-Key"), {}
        media_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type not in ATTACHMENT_MEDIA_TYPES:
            return 415, _error("unsupported_media_type", "Допустимы PDF, JPEG и PNG"), {}
        if len(body) > MAX_ATTACHMENT_BYTES:
            return 413, _error("payload_too_large", "Файл больше 5 МБ"), {}
        if not body or not _looks_like(media_type, body):
            return 422, _error("attachment_unreadable", "Файл повреждён или не того типа"), {}
        document = (parse_qs(query).get("document") or ["other"])[0]
        fingerprint = _fingerprint(body)
        with state.lock:
            existing_id = state.attachment_by_key.get(key)
            if existing_id is not None:
                existing = state.attachments[existing_id]
                if existing.fingerprint != fingerprint:
                    return 422, _error("idempotency_key_reused", "Ключ уже использован"), {}
                return 200, _attachment_json(existing), {"Idempotent-Replayed": "true"}
            attachment = _Attachment(
                id=str(uuid.uuid4()),
                idempotency_key=key,
                fingerprint=fingerprint,
                document=document,
                media_type=media_type,
                size_bytes=len(body),
            )
            state.attachments[attachment.id] = attachment
            state.attachment_by_key[key] = attachment.id
            return 201, _attachment_json(attachment), {}


def _attachment_json(attachment: _Attachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "document": attachment.document,
        "media_type": attachment.media_type,
        "size_bytes": attachment.size_bytes,
    }


def _looks_like(media_type: str, body: bytes) -> bool:
    if media_type == "application/pdf":
        return body.startswith(b"%PDF-")
    if media_type == "image/jpeg":
        return body.startswith(b"\xff\xd8\xff")
    return body.startswith(b"\x89PNG\r\n\x1a\n")


class SandboxServer:
    """A running sandbox: ``url``, ``state``; stop with :meth:`stop`."""

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
    ) -> None:
        self.state = SandboxState(config or SandboxConfig())
        self._server = _Server((host, port), self.state, verbose)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = str(self._server.server_address[0])
        return f"http://{host}:{self.port}"

    def start(self) -> SandboxServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="omsdesktop-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._server.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()  # waits for serve_forever: only if it was started
            self._thread.join()
            self._thread = None
        self._server.server_close()


@contextmanager
def running_sandbox(
    config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> Iterator[SandboxServer]:
    """A sandbox serving on a free loopback port for the duration of the block."""
    server = SandboxServer(config, host=host, port=port).start()
    try:
        yield server
    finally:
        server.stop()
