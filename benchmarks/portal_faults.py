"""Reliability run: N submissions against the sandbox portal with injected faults.

    python benchmarks/portal_faults.py [--count 1000] [--fault-rate 0.2] [--seed 1]
        [--workers 8] [--database URL] [--output benchmarks/results/portal_faults.md]

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
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.05, help="the latency fault, s")
    parser.add_argument("--database", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(__file__).resolve().parent / "results" / "portal_faults.md",
    )
    args = parser.parse_args(argv)

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


if __name__ == "__main__":
    raise SystemExit(main())
