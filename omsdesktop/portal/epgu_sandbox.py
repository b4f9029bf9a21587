"""The training portal for the EPGU API: orders, ZIP pushes, two status layers, real faults.

A real HTTP server on loopback speaking the shape of the EPGU API for organisations (see
:mod:`omsdesktop.portal.epgu_client` and docs/portal-api-epgu.md):

* ``POST /api/gusmev/order`` reserves an order (status 0, processing code ``NEW``);
* ``POST /api/gusmev/push`` and ``/push/chunked`` (first part first, last part last, within
  ``chunk_window`` seconds; 206 per part, 200 for the last) accept one flat ZIP; a folder inside
  is ``INVALID_FILES_STRUCTURE``. Like the real portal it accepts a second push to the same
  order — that is exactly the duplicate a client must never cause, and it is counted;
* ``POST /api/gusmev/order/{id}`` gives the details: the processing code moves
  ``FILES_VERIFICATION`` → ``FILES_VERIFICATION_SUCCESS`` → ``DONE`` (or ``VALIDATION_ERROR``,
  ``REQ_NOT_FOUND``, ``REQ_VERIFY_FAILED`` …) and then ``statusId`` 17 → 21 → 2 → the
  department's answer (3 done, 4 refused, 15 needs clarification), over ``status_delay``
  seconds; ``GET /api/gusmev/order/getUpdatedAfter`` lists changed orders (paged);
  ``POST /api/gusmev/order/{id}/cancel`` where cancellation is allowed.

Faults drawn with ``fault_rate`` from the real list: 429 with ``Retry-After``,
``LIMITATION_EXCEPTION``, 502 and 503 (before the work), 504 and a dropped connection *after*
the work was done (the order reserved, the push accepted), an expired token (401), latency.

``GET /_sandbox/orders`` lists every order with its draft's identity (the ``clientReference``
of its accepted archive), the file names inside, how many push requests it received and how
many were accepted. Everything is kept in memory only.
"""

from __future__ import annotations

import io
import json
import random
import re
import socket
import threading
import time
import uuid
import zipfile
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from omsdesktop.portal.epgu_archive import REQ_NAME, SECTIONS, parse_application
from omsdesktop.portal.epgu_client import format_time, parse_time
from omsdesktop.portal.epgu_status import STATUS_NAMES
from omsdesktop.portal.errors import ArchiveInvalidError
from omsdesktop.portal.sandbox import validate_application

FAULT_KINDS: tuple[str, ...] = (
    "latency",
    "rate_limited",
    "limitation",
    "bad_gateway",
    "unavailable",
    "gateway_timeout",
    "drop_after_work",
    "token_expired",
)
_BEFORE_WORK = {"rate_limited", "limitation", "bad_gateway", "unavailable", "token_expired"}
_AFTER_WORK = {"gateway_timeout", "drop_after_work"}
_ORDER_PATH = re.compile(r"^/api/gusmev/order/(\d{1,20})$")
_CANCEL_PATH = re.compile(r"^/api/gusmev/order/(\d{1,20})/cancel$")
_MB = 1024 * 1024
_FINAL = (3, 4, 15)


@dataclass(frozen=True)
class EpguSandboxConfig:
    """How the EPGU training portal behaves.

    Attributes:
        fault_rate: share of API requests that meet a random fault (0..1).
        seed: seeds the faults and the department's answers.
        latency: seconds of the "latency" fault.
        retry_after: seconds announced in ``Retry-After`` (429, LIMITATION_EXCEPTION).
        status_delay: seconds from an accepted push to the department's answer.
        token: the only accepted bearer token; None accepts any non-empty token.
        max_push: the largest single push (and part), bytes.
        min_chunk: the smallest part of a chunked push but the last, bytes.
        chunk_window: seconds within which all parts must arrive.
        clock: monotonic seconds.
    """

    fault_rate: float = 0.0
    seed: int = 0
    latency: float = 0.5
    retry_after: int = 1
    status_delay: float = 10.0
    token: str | None = None
    max_push: int = 50 * _MB
    min_chunk: int = 5 * _MB
    chunk_window: float = 300.0
    clock: Callable[[], float] = time.monotonic


@dataclass
class _Order:
    id: int
    service_code: str
    target_code: str
    region: str
    created: datetime
    updated: datetime
    outcome: int
    push_requests: int = 0
    accepted_pushes: int = 0
    accepted_at: float | None = None
    files: tuple[str, ...] = ()
    client_reference: str | None = None
    refusal: tuple[str, str] | None = None  # (processing code, message)
    cancelled: bool = False
    parts: list[bytes] = field(default_factory=list)
    parts_started: float = 0.0


@dataclass
class EpguSandboxState:
    config: EpguSandboxConfig
    lock: threading.Lock = field(default_factory=threading.Lock)
    orders: dict[int, _Order] = field(default_factory=dict)
    stats: Counter[str] = field(default_factory=Counter)
    forced: deque[str] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.config.seed)
        self._next_id = 1_230_000_001

    def inject(self, *kinds: str) -> None:
        """Queue faults for the next API requests, in order."""
        for kind in kinds:
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault {kind!r}")
        with self.lock:
            self.forced.extend(kinds)

    def draw_fault(self) -> str | None:
        with self.lock:
            self.stats["requests"] += 1
            if self.forced:
                kind: str | None = self.forced.popleft()
            elif self.config.fault_rate > 0 and self._rng.random() < self.config.fault_rate:
                kind = self._rng.choice(FAULT_KINDS)
            else:
                kind = None
            if kind is not None:
                self.stats[f"fault_{kind}"] += 1
            return kind

    def new_order(self, meta: Mapping[str, Any]) -> _Order:
        with self.lock:
            order_id = self._next_id
            self._next_id += 1
            now = datetime.now(timezone.utc)
            draw = random.Random(f"{self.config.seed}:{order_id}").random()
            outcome = 3 if draw < 0.7 else (15 if draw < 0.85 else 4)
            order = _Order(
                id=order_id,
                service_code=str(meta.get("serviceCode", "")),
                target_code=str(meta.get("targetCode", "")),
                region=str(meta.get("region", "")),
                created=now,
                updated=now,
                outcome=outcome,
            )
            self.orders[order_id] = order
            return order

    def layers(self, order: _Order) -> tuple[str, str, int, list[int]]:
        """(processing code, message, statusId, statusIds so far) of an order now."""
        if order.cancelled:
            return "DONE", "Заявление отменено", 10, [0, 10]
        if order.accepted_at is None:
            return "NEW", "Заявление создано, архив ещё не загружен", 0, [0]
        step = self.config.status_delay / 5
        elapsed = self.config.clock() - order.accepted_at
        if elapsed < step:
            return "FILES_VERIFICATION", "Идёт проверка файлов", 0, [0]
        if order.refusal is not None:
            return order.refusal[0], order.refusal[1], 0, [0]
        if elapsed < 2 * step:
            return "FILES_VERIFICATION_SUCCESS", "Файлы проверены", 0, [0]
        history = [0, 17]
        if elapsed >= 3 * step:
            history.append(21)
        if elapsed >= 4 * step:
            history.append(2)
        if elapsed >= 5 * step:
            history.append(order.outcome)
        return "DONE", "Заявление сформировано", history[-1], history

    def details(self, order: _Order) -> dict[str, Any]:
        code, message, status, history = self.layers(order)
        statuses = [
            {
                "statusId": s,
                "title": STATUS_NAMES.get(s, (f"статус {s}", ""))[0],
                "orderId": order.id,
                "finalStatus": s in (3, 4, 10),
                "cancelAllowed": s in (17, 21),
                "comment": _comment(s),
            }
            for s in history
        ]
        order_json = {
            "id": order.id,
            "orderStatusId": status,
            "statuses": statuses,
            "currentStatusHistory": statuses[-1],
            "updated": format_time(order.updated),
            "closed": status in (3, 4, 10),
            "eserviceId": order.service_code,
            "serviceTargetId": order.target_code,
            "userSelectedRegion": order.region,
            "orderAttachmentFiles": [
                {"fileName": name, "type": "REQUEST" if name == REQ_NAME else "ATTACHMENT"}
                for name in order.files
            ],
        }
        return {
            "code": code,
            "message": message,
            "messageId": str(uuid.uuid4()),
            "order": json.dumps(order_json, ensure_ascii=False),
        }

    def listing(self) -> dict[str, Any]:
        with self.lock:
            orders = sorted(self.orders.values(), key=lambda o: o.id)
            return {
                "orders": [
                    {
                        "orderId": o.id,
                        "client_reference": o.client_reference,
                        "files": list(o.files),
                        "push_requests": o.push_requests,
                        "accepted_pushes": o.accepted_pushes,
                        "processing_code": self.layers(o)[0],
                        "status_id": self.layers(o)[2],
                    }
                    for o in orders
                ],
                "stats": dict(self.stats),
            }


def _comment(status: int) -> str | None:
    if status == 15:
        return "Уточните данные: policy/number — номер полиса не найден в регистре"
    if status == 4:
        return "Отказ: ребёнок уже прикреплён к другому заявителю"
    return None


def _error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """The parts of a multipart/form-data body: name → (file name, bytes)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        return {}
    boundary = b"--" + match.group(1).encode("latin-1")
    parts: dict[str, tuple[str | None, bytes]] = {}
    for chunk in body.split(boundary)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.partition(b"\r\n\r\n")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        headers = head.decode("utf-8", "replace")
        name = re.search(r'name="([^"]*)"', headers)
        filename = re.search(r'filename="([^"]*)"', headers)
        if name:
            parts[name.group(1)] = (filename.group(1) if filename else None, data)
    return parts


def check_archive(data: bytes) -> tuple[tuple[str, ...], str | None, tuple[str, str] | None]:
    """(names, clientReference, refusal) of an archive; raises ValueError if not a flat ZIP."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = tuple(archive.namelist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValueError("not a ZIP") from exc
    if not names or any("/" in n or "\\" in n for n in names):
        raise ValueError("a folder inside the archive")
    if REQ_NAME not in names:
        return names, None, ("REQ_NOT_FOUND", "В архиве нет файла заявления req.xml")
    for name in names:
        if name.endswith(".sig"):
            if name[:-4] not in names:
                return names, None, ("FILES_VERIFICATION_FAILED", f"Подпись {name} без файла")
            if not archive.read(name):
                return names, None, ("REQ_VERIFY_FAILED", f"Пустая подпись {name}")
    try:
        values = parse_application(archive.read(REQ_NAME))
    except ArchiveInvalidError as exc:
        return names, None, ("VALIDATION_ERROR", f"Файл заявления не по схеме: {exc.reason}")
    reference = values.get("clientReference") or None
    payload: dict[str, dict[str, str]] = {s: {} for s in SECTIONS}
    for path, value in values.items():
        if "." in path:
            section, name = path.split(".", 1)
            payload[section][name] = value
    problems = validate_application(payload)
    if problems:
        text = "; ".join(
            f"{p['field'].replace('.', '/')} — {p['message'].rstrip('.')}" for p in problems
        )
        return names, reference, ("VALIDATION_ERROR", f"Заявление заполнено с ошибками: {text}")
    return names, reference, None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: EpguSandboxState, verbose: bool) -> None:
        self.state = state
        self.verbose = verbose
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError | OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _send_json(self, status: int, obj: Any, headers: Mapping[str, str] | None = None) -> None:
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _drop(self) -> None:
        self.close_connection = True
        with suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _dispatch(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > state.config.max_push + _MB:
            self.close_connection = True
            self._send_json(413, _error("payload_too_large", "Запрос больше 50 МБ"))
            return
        body = self.rfile.read(length) if length else b""
        if path == "/_sandbox/orders" and method == "GET":
            self._send_json(200, state.listing())
            return
        fault = state.draw_fault()
        retry = {"Retry-After": str(state.config.retry_after)}
        if fault == "latency":
            time.sleep(state.config.latency)
        elif fault == "rate_limited":
            self._send_json(429, _error("too_many_requests", "Слишком много запросов"), retry)
            return
        elif fault == "limitation":
            self._send_json(
                400,
                _error(
                    "LIMITATION_EXCEPTION",
                    "Превышено ограничение на число заявлений по услуге, повторите позже",
                ),
                retry,
            )
            return
        elif fault == "bad_gateway":
            self._send_json(502, _error("bad_gateway", "Bad Gateway"))
            return
        elif fault == "unavailable":
            self._send_json(503, _error("service_unavailable", "Сервис недоступен"), retry)
            return
        elif fault == "token_expired":
            self._send_json(401, _error("unauthorized", "Срок действия маркера доступа истёк"))
            return
        status, response = self._route(method, path, parts.query, body)
        if fault == "drop_after_work":
            self._drop()
            return
        if fault == "gateway_timeout":
            self._send_json(504, _error("gateway_timeout", "Gateway Timeout"))
            return
        self._send_json(status, response)

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return False
        token = header[len("Bearer ") :].strip()
        expected = self.server.state.config.token
        return bool(token) and (expected is None or token == expected)

    def _route(self, method: str, path: str, query: str, body: bytes) -> tuple[int, Any]:
        state = self.server.state
        if not self._authorized():
            return 401, _error("unauthorized", "Нужен действующий маркер доступа ЕСИА")
        if path == "/api/gusmev/order" and method == "POST":
            try:
                meta = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return 400, _error("bad_request", "Тело запроса — не JSON")
            if not isinstance(meta, dict) or not all(
                isinstance(meta.get(k), str) and meta.get(k)
                for k in ("region", "serviceCode", "targetCode")
            ):
                return 400, _error("bad_request", "Нужны region, serviceCode и targetCode")
            return 200, {"orderId": state.new_order(meta).id}
        if path in ("/api/gusmev/push", "/api/gusmev/push/chunked") and method == "POST":
            return self._push(body, chunked=path.endswith("chunked"))
        if path == "/api/gusmev/order/getUpdatedAfter" and method == "GET":
            return self._updated(query)
        match = _ORDER_PATH.match(path)
        if match and method == "POST":
            with state.lock:
                order = state.orders.get(int(match.group(1)))
                if order is None:
                    return 204, {}
                return 200, state.details(order)
        match = _CANCEL_PATH.match(path)
        if match and method == "POST":
            with state.lock:
                order = state.orders.get(int(match.group(1)))
                if order is None:
                    return 204, {}
                if state.layers(order)[2] not in (17, 21):
                    return 400, _error("cancel_not_allowed", "Отмена заявления невозможна")
                order.cancelled = True
                order.updated = datetime.now(timezone.utc)
                return 200, {}
        return 404, _error("not_found", "Нет такого адреса")

    def _updated(self, query: str) -> tuple[int, Any]:
        state = self.server.state
        args = parse_qs(query)
        after = parse_time((args.get("updatedAfter") or [""])[0])
        try:
            page = int((args.get("pageNum") or ["0"])[0])
            size = max(1, min(1000, int((args.get("pageSize") or ["100"])[0])))
        except ValueError:
            return 400, _error("bad_request", "pageNum и pageSize — числа")
        if after is None:
            return 400, _error("bad_request", "Нужен updatedAfter")
        with state.lock:
            changed = [
                o for o in sorted(state.orders.values(), key=lambda o: o.id) if o.updated > after
            ]
            pages = max(1, -(-len(changed) // size))
            chosen = changed[page * size : (page + 1) * size]
            return 200, {
                "pageNum": page,
                "pageSize": size,
                "totalPages": pages,
                "orders": [
                    {
                        "orderId": o.id,
                        "orderStatusId": state.layers(o)[2],
                        "updated": format_time(o.updated),
                        "eserviceId": o.service_code,
                        "serviceTargetId": o.target_code,
                    }
                    for o in chosen
                ],
            }

    def _push(self, body: bytes, *, chunked: bool) -> tuple[int, Any]:
        state = self.server.state
        config = state.config
        parts = parse_multipart(self.headers.get("Content-Type", ""), body)
        order_text = (parts.get("orderId") or (None, b""))[1].decode("ascii", "replace").strip()
        file_part = parts.get("file")
        if not order_text.isdigit() or file_part is None or "meta" not in parts:
            return 400, _error("bad_request", "Нужны части meta, orderId и file")
        data = file_part[1]
        with state.lock:
            order = state.orders.get(int(order_text))
            if order is None:
                return 404, _error("order_not_found", "Заявление с таким orderId не найдено")
            if order.cancelled:
                return 409, _error("push_denied", "Заявление отменено")
            order.push_requests += 1
            if len(data) > config.max_push:
                return 413, _error("payload_too_large", "Файл больше 50 МБ")
            if chunked:
                try:
                    index = int(parts["chunk"][1])
                    total = int(parts["chunks"][1])
                except (KeyError, ValueError):
                    return 400, _error("bad_request", "Нужны chunk и chunks")
                now = config.clock()
                if index == 0:
                    order.parts = []
                    order.parts_started = now
                if index != len(order.parts) or index >= total:
                    return 400, _error("chunk_order", "Части архива пришли не по порядку")
                if now - order.parts_started > config.chunk_window:
                    order.parts = []
                    return 400, _error("chunk_timeout", "Части архива не уложились в 5 минут")
                if index < total - 1 and len(data) < config.min_chunk:
                    return 400, _error("chunk_size", "Часть архива меньше 5 МБ")
                order.parts.append(data)
                if index < total - 1:
                    return 206, {"orderId": order.id}
                data = b"".join(order.parts)
                order.parts = []
        try:
            names, reference, refusal = check_archive(data)
        except ValueError:
            return 400, _error(
                "INVALID_FILES_STRUCTURE", "Архив повреждён или содержит папки: нужен плоский ZIP"
            )
        with state.lock:
            order.accepted_pushes += 1
            order.accepted_at = config.clock()
            order.updated = datetime.now(timezone.utc)
            order.files = names
            order.client_reference = reference
            order.refusal = refusal
            if order.accepted_pushes > 1:
                state.stats["second_accepted_pushes"] += 1
            return 200, {"orderId": order.id}


class EpguSandboxServer:
    """A running EPGU sandbox: ``url``, ``state``; stop with :meth:`stop`."""

    def __init__(
        self,
        config: EpguSandboxConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
    ) -> None:
        self.state = EpguSandboxState(config or EpguSandboxConfig())
        self._server = _Server((host, port), self.state, verbose)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._server.server_address[0]!s}:{self.port}"

    def start(self) -> EpguSandboxServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="omsdesktop-epgu-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()


@contextmanager
def running_epgu_sandbox(
    config: EpguSandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> Iterator[EpguSandboxServer]:
    server = EpguSandboxServer(config, host=host, port=port).start()
    try:
        yield server
    finally:
        server.stop()
