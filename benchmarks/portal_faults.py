"""Reliability run: N submissions against the sandbox portal with injected faults.

    python benchmarks/portal_faults.py [--api contract|epgu] [--count 1000] [--fault-rate 0.2]
        [--seed 1] [--workers 8] [--database URL] [--output benchmarks/results/portal_faults.md]

``--api epgu`` runs the same drafts through the EPGU adapter and the EPGU sandbox (orders,
one ZIP per application, no idempotency key; faults: 429, LIMITATION_EXCEPTION, 502–504, a
connection dropped after the work was done, an expired token, latency) and counts, from the
sandbox's own record: lost drafts, second orders for one draft, orders left empty, and second
accepted pushes (default output: benchmarks/results/portal_faults_epgu.md).

Each draft (valid data, a unique policy, one small JPEG attachment) is submitted once through
the real client (httpx, retries, idempotency keys) and the outbox; what could not be sent is
flushed until the outbox is empty. Then the sandbox's own record is compared with the drafts:

* lost: a draft not submitted in the end, or submitted but unknown to the portal;
* duplicated: more than one application on the portal for one draft;
* mismatched: the draft's stored portal id is not the portal's application for it.

The sandbox injects latency, 500s, 429s with Retry-After, dropped connections and answers lost
after the work was done, on a share ``--fault-rate`` of all requests.
"""

from __future__ import annotations

import argparse
import collections
import os
import platform
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from omsdesktop.portal.attachments import prepare_attachment
from omsdesktop.portal.client import HttpPortalClient, RetryPolicy
from omsdesktop.portal.outbox import SubmitOutcome, flush_outbox, submit_draft
from omsdesktop.portal.sandbox import SandboxConfig, running_sandbox
from omsdesktop.storage.config import sqlite_url
from omsdesktop.storage.crypto import StaticKeyProvider, new_key
from omsdesktop.storage.store import Store
from tests.storage.sample import sample_fields

# The first pass gives up quickly (a desk with a bad connection), so that a good share of the
# submissions goes through the outbox; the flush is a little more patient.
FIRST_TRY = RetryPolicy(max_attempts=2, backoff_base=0.05, backoff_max=0.5, retry_after_max=5)
FLUSH = RetryPolicy(max_attempts=3, backoff_base=0.05, backoff_max=0.5, retry_after_max=5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", choices=("contract", "epgu"), default="contract")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.05, help="the latency fault, s")
    parser.add_argument("--database", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    results = Path(__file__).resolve().parent / "results"
    if args.api == "epgu":
        args.output = args.output or results / "portal_faults_epgu.md"
        return run_epgu(args)
    args.output = args.output or results / "portal_faults.md"

    workdir = Path(tempfile.mkdtemp(prefix="omsdesktop-faults-"))
    os.environ["OMSDESKTOP_HOME"] = str(workdir / "home")
    url = args.database or sqlite_url(workdir / "drafts.sqlite3")
    store = Store.open(url, operator="benchmark", keys=StaticKeyProvider(new_key()))

    rng = random.Random(args.seed)
    scan = np.random.default_rng(args.seed).integers(0, 256, (120, 90, 3), dtype=np.uint8)
    attachment = prepare_attachment(scan, 200)
    t0 = time.monotonic()
    draft_ids = []
    for _ in range(args.count):
        draft = store.create_draft(fields=sample_fields(random.Random(rng.random())))
        store.add_attachment(
            draft.id,
            document="birth_certificate",
            data=attachment.data,
            media_type=attachment.media_type,
            width=attachment.width,
            height=attachment.height,
            dpi=attachment.dpi,
        )
        draft_ids.append(draft.id)
    prepare_seconds = time.monotonic() - t0

    config = SandboxConfig(
        fault_rate=args.fault_rate,
        seed=args.seed,
        latency=args.latency,
        retry_after=1,
        status_delay=3600,
    )
    local = threading.local()
    clients: list[HttpPortalClient] = []
    clients_lock = threading.Lock()

    with running_sandbox(config) as server:

        def client() -> HttpPortalClient:
            existing = getattr(local, "client", None)
            if existing is None:
                existing = HttpPortalClient(server.url, "benchmark", retry=FIRST_TRY)
                local.client = existing
                with clients_lock:
                    clients.append(existing)
            return existing

        def submit(draft_id: str) -> SubmitOutcome:
            return submit_draft(store, client(), draft_id, portal_url=server.url)

        t1 = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            outcomes = list(pool.map(submit, draft_ids))
        submit_seconds = time.monotonic() - t1
        first_pass = collections.Counter(o.submission.state for o in outcomes)
        first_errors = collections.Counter(o.error.code for o in outcomes if o.error)

        t2 = time.monotonic()
        flush_rounds = 0
        while store.pending_submissions() and flush_rounds < 50:
            flush_rounds += 1
            flush_outbox(store, lambda u: HttpPortalClient(u, "benchmark", retry=FLUSH))
        flush_seconds = time.monotonic() - t2
        record = server.state.listing()

    total_seconds = time.monotonic() - t1
    for c in clients:
        c.close()

    portal_by_ref: dict[str, list[str]] = collections.defaultdict(list)
    for app in record["applications"]:
        portal_by_ref[app["client_reference"]].append(app["id"])
    lost = duplicated = mismatched = not_submitted = 0
    for draft_id in draft_ids:
        draft = store.get_draft(draft_id)
        submission = store.latest_submission(draft_id)
        apps = portal_by_ref.get(draft_id, [])
        if draft.state != "submitted" or submission is None or submission.state != "sent":
            not_submitted += 1
            lost += 1
            continue
        if not apps:
            lost += 1
        if len(apps) > 1:
            duplicated += len(apps) - 1
        if apps and submission.portal_id not in apps:
            mismatched += 1
    strangers = [ref for ref in portal_by_ref if ref not in set(draft_ids)]
    store.close()

    create_counts = collections.Counter(record["create_requests"].values())
    stats = record["stats"]
    faults = {k[len("fault_") :]: v for k, v in sorted(stats.items()) if k.startswith("fault_")}
    retried_keys = sum(n for count, n in create_counts.items() if count > 1)
    lines = [
        "# Portal fault run",
        "",
        f"`python benchmarks/portal_faults.py --count {args.count} --fault-rate "
        f"{args.fault_rate} --seed {args.seed} --workers {args.workers}` — "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, database: {store.dialect}.",
        "",
        "| result | value |",
        "|---|---|",
        f"| submissions | {args.count} |",
        f"| **lost** | **{lost}** |",
        f"| **duplicated** | **{duplicated}** |",
        f"| portal id mismatches | {mismatched} |",
        f"| applications on the portal | {len(record['applications'])} |",
        f"| portal applications of no draft | {len(strangers)} |",
        f"| sent on the first try (2 attempts at most) | {first_pass.get('sent', 0)} |",
        f"| left in the outbox after the first try | {first_pass.get('queued', 0)} "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(first_errors.items())) or '-'}) |",
        f"| refused by the portal | {first_pass.get('failed', 0)} |",
        f"| outbox flush rounds to empty it | {flush_rounds} |",
        f"| HTTP requests to the portal | {stats.get('requests', 0)} |",
        f"| injected faults | {sum(faults.values())} ("
        + ", ".join(f"{k}: {v}" for k, v in faults.items())
        + ") |",
        f"| idempotency keys sent more than once | {retried_keys} "
        f"(max {max(create_counts) if create_counts else 0} create requests for one key) |",
        f"| time: submit pass | {submit_seconds:.1f} s |",
        f"| time: outbox flush | {flush_seconds:.1f} s |",
        f"| **time in all** | **{total_seconds:.1f} s** |",
        f"| (preparing {args.count} drafts, not counted) | {prepare_seconds:.1f} s |",
        "",
        "Lost: drafts not submitted in the end, or submitted but unknown to the portal. "
        "Duplicated: extra portal applications for one draft (grouped by the draft id the "
        "client sends as `client_reference`, independently of the idempotency key).",
        "",
    ]
    text = "\n".join(lines)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0 if lost == 0 and duplicated == 0 and mismatched == 0 and not strangers else 1


class _BenchTokens:
    """Any token is good for the sandbox; a refresh after its «expired token» gives a new one."""

    def __init__(self) -> None:
        self._n = 0

    def token(self) -> str:
        return f"benchmark-{self._n}"

    def refresh(self) -> str:
        self._n += 1
        return self.token()


def _prepare(args: argparse.Namespace) -> tuple[Store, list[str], float]:
    workdir = Path(tempfile.mkdtemp(prefix="omsdesktop-faults-"))
    os.environ["OMSDESKTOP_HOME"] = str(workdir / "home")
    url = args.database or sqlite_url(workdir / "drafts.sqlite3")
    store = Store.open(url, operator="benchmark", keys=StaticKeyProvider(new_key()))
    rng = random.Random(args.seed)
    scan = np.random.default_rng(args.seed).integers(0, 256, (120, 90, 3), dtype=np.uint8)
    attachment = prepare_attachment(scan, 200)
    t0 = time.monotonic()
    draft_ids = []
    for _ in range(args.count):
        draft = store.create_draft(fields=sample_fields(random.Random(rng.random())))
        store.add_attachment(
            draft.id,
            document="birth_certificate",
            data=attachment.data,
            media_type=attachment.media_type,
            width=attachment.width,
            height=attachment.height,
            dpi=attachment.dpi,
        )
        draft_ids.append(draft.id)
    return store, draft_ids, time.monotonic() - t0


def run_epgu(args: argparse.Namespace) -> int:
    """The fault run through the EPGU adapter and the EPGU sandbox."""
    from omsdesktop.portal.epgu_auth import EpguTransport
    from omsdesktop.portal.epgu_client import EpguClient, OrderMeta
    from omsdesktop.portal.epgu_sandbox import EpguSandboxConfig, running_epgu_sandbox

    store, draft_ids, prepare_seconds = _prepare(args)
    meta = OrderMeta("45000000000", "10000000000", "-10000000000")
    config = EpguSandboxConfig(
        fault_rate=args.fault_rate,
        seed=args.seed,
        latency=args.latency,
        retry_after=1,
        status_delay=3600,
    )
    local = threading.local()
    clients: list[EpguClient] = []
    clients_lock = threading.Lock()

    def make(url: str, retry: RetryPolicy) -> EpguClient:
        client = EpguClient(EpguTransport(url), _BenchTokens(), meta, retry=retry)
        with clients_lock:
            clients.append(client)
        return client

    with running_epgu_sandbox(config) as server:

        def client() -> EpguClient:
            existing = getattr(local, "client", None)
            if existing is None:
                existing = make(server.url, FIRST_TRY)
                local.client = existing
            return existing

        def submit(draft_id: str) -> SubmitOutcome:
            return submit_draft(store, client(), draft_id, portal_url=server.url)

        t1 = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            outcomes = list(pool.map(submit, draft_ids))
        submit_seconds = time.monotonic() - t1
        first_pass = collections.Counter(o.submission.state for o in outcomes)
        first_errors = collections.Counter(o.error.code for o in outcomes if o.error)
        t2 = time.monotonic()
        flush_rounds = 0
        while store.pending_submissions() and flush_rounds < 50:
            flush_rounds += 1
            flush_outbox(store, lambda u: make(u, FLUSH))
        flush_seconds = time.monotonic() - t2
        record = server.state.listing()
    total_seconds = time.monotonic() - t1
    for c in clients:
        c.close()

    orders_by_ref: dict[str, list[dict[str, object]]] = collections.defaultdict(list)
    empty_orders = 0
    for order in record["orders"]:
        if order["client_reference"]:
            orders_by_ref[str(order["client_reference"])].append(order)
        elif not order["accepted_pushes"]:
            empty_orders += 1
    lost = second_orders = mismatched = 0
    second_pushes = sum(max(0, int(o["accepted_pushes"]) - 1) for o in record["orders"])
    push_requests = sum(int(o["push_requests"]) for o in record["orders"])
    pushes_asked = 0
    for draft_id in draft_ids:
        submission = store.latest_submission(draft_id)
        orders = orders_by_ref.get(draft_id, [])
        if submission is None or submission.state != "sent" or not orders:
            lost += 1
            continue
        second_orders += len(orders) - 1
        if submission.order_id not in {str(o["orderId"]) for o in orders}:
            mismatched += 1
        pushes_asked += submission.pushes
    strangers = [ref for ref in orders_by_ref if ref not in set(draft_ids)]
    history_unknown = sum(
        1 for o in outcomes if o.error and o.error.code == "portal_outcome_unknown"
    )
    store_dialect = store.dialect
    store.close()
    stats = record["stats"]
    faults = {k[len("fault_") :]: v for k, v in sorted(stats.items()) if k.startswith("fault_")}
    lines = [
        "# Portal fault run: the EPGU API",
        "",
        f"`python benchmarks/portal_faults.py --api epgu --count {args.count} --fault-rate "
        f"{args.fault_rate} --seed {args.seed} --workers {args.workers}` — "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, database: {store_dialect}.",
        "",
        "| result | value |",
        "|---|---|",
        f"| applications | {args.count} |",
        f"| **lost** | **{lost}** |",
        f"| **second orders for one draft** | **{second_orders}** |",
        f"| **second accepted pushes to one order** | **{second_pushes}** |",
        f"| orders left empty (reserved, never used) | {empty_orders} |",
        f"| order id mismatches (stored vs the portal's) | {mismatched} |",
        f"| orders on the portal | {len(record['orders'])} |",
        f"| orders of no draft | {len(strangers)} |",
        f"| sent on the first try (2 attempts per request at most) | {first_pass.get('sent', 0)} |",
        f"| left in the outbox after the first try | {first_pass.get('queued', 0)} "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(first_errors.items())) or '-'}) |",
        f"| refused by the portal | {first_pass.get('failed', 0)} |",
        f"| outbox flush rounds to empty it | {flush_rounds} |",
        f"| HTTP requests to the portal | {stats.get('requests', 0)} |",
        f"| injected faults | {sum(faults.values())} ("
        + ", ".join(f"{k}: {v}" for k, v in faults.items())
        + ") |",
        f"| push requests received (parts counted) / started by the client | {push_requests} / "
        f"{pushes_asked} |",
        f"| time: submit pass | {submit_seconds:.1f} s |",
        f"| time: outbox flush | {flush_seconds:.1f} s |",
        f"| **time in all** | **{total_seconds:.1f} s** |",
        f"| (preparing {args.count} drafts, not counted) | {prepare_seconds:.1f} s |",
        "",
        "Lost: drafts not sent in the end, or sent but with no order on the portal holding "
        "their archive. Second orders: more than one order whose accepted archive carries the "
        "same draft (`clientReference` in req.xml). Second accepted pushes: archives the "
        "sandbox accepted for an order that already had one (it accepts them, as the real "
        "portal may: that is the duplicate a client must never cause). Orders left empty: "
        "reserved but never given an archive (a reservation whose answer was lost and was "
        f"never adopted). Pass outcomes with an unknown outcome on the first try: "
        f"{history_unknown}.",
        "",
    ]
    text = "\n".join(lines)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    ok = lost == 0 and second_orders == 0 and second_pushes == 0 and mismatched == 0
    return 0 if ok and empty_orders == 0 and not strangers else 1


if __name__ == "__main__":
    raise SystemExit(main())
