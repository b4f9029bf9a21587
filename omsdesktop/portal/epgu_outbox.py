"""Exactly once through the EPGU API, without an idempotency key.

    queued ── order reserved (orderId stored) ── push started (stored) ── push accepted: sent
      │            │ answer lost: find the order          │ answer lost: ask the order's state
      │            │ among the orders reserved since      │ (an archive there: accepted;
      │            │ (getUpdatedAfter), never a second    │  none: push again — the portal
      │            │ blind reservation                    │  itself says nothing arrived)
      └── the portal refused (4xx, VALIDATION_ERROR …): failed, the draft is editable again

then the processing code (layer 1) and the order's ``statusId`` (layer 2) are polled.

Every step is committed to the store before the request that depends on it, so a crash, a lost
answer or a second desk flushing the same outbox resume from what is stored. An order belongs to
one submission (a unique index): an order found after a lost reservation is claimed in the store
first, and a draft never gets a second order. Orders reserved but never claimed (their answer
was lost) are interchangeable empty drafts on the portal: a submission whose reservation answer
was lost takes any such order of the same service, so none is left behind.
"""

from __future__ import annotations

from datetime import timedelta

from omsdesktop.errors import OmsError
from omsdesktop.portal.adapter import OrderPortalAdapter
from omsdesktop.portal.contract import draft_field_for
from omsdesktop.portal.epgu_archive import Archive, ArchiveFile, build_archive, draft_fields_in
from omsdesktop.portal.epgu_client import OrderState
from omsdesktop.portal.epgu_status import code_kind, is_refusal, portal_status_of
from omsdesktop.portal.errors import (
    ArchiveInvalidError,
    PortalError,
    PortalOutcomeUnknownError,
    PortalRejectedError,
)
from omsdesktop.storage.model import Submission
from omsdesktop.storage.store import Store
from omsdesktop.storage.tables import utcnow

RESERVE_SKEW = timedelta(minutes=2)
"""How far before our reservation started the portal's clock may put the order."""
MAX_ROUNDS = 3
"""Doubts resolved by asking the portal within one send (then the outbox tries later)."""


def build_draft_archive(store: Store, adapter: OrderPortalAdapter, draft_id: str) -> Archive:
    """The draft's archive: the XML and the stored scans, signed by the adapter's signer."""
    draft = store.get_draft(draft_id)
    files = [
        ArchiveFile(info.document, info.media_type, store.attachment_data(info.id))
        for info in store.list_attachments(draft_id)
    ]
    return build_archive(draft, files, signer=adapter.signer)


def send_epgu(
    store: Store, adapter: OrderPortalAdapter, submission: Submission
) -> tuple[Submission, OmsError | None]:
    """One send of a queued EPGU submission: reserve (once), push (once), as far as it goes."""
    try:
        archive = build_draft_archive(store, adapter, submission.draft_id)
    except ArchiveInvalidError as exc:  # nothing was sent: the draft is corrected first
        failed = store.mark_failed(
            submission.id, error_code=exc.code, reason=exc.reason, fields_to_fix=exc.fields
        )
        return failed, exc
    sub = submission
    last: OmsError | None = None
    for _ in range(MAX_ROUNDS):
        try:
            if sub.order_id is None:
                sub = _ensure_order(store, adapter, sub)
            order_id = _order_of(sub)
            if sub.push_started_at is not None:
                # A push was started and its answer never stored: ask, never push blindly.
                state = adapter.get_order(order_id)
                if state.has_archive:
                    return _accepted(store, sub, state), None
                sub = store.clear_push(sub.id)
            sub = store.begin_push(sub.id)
            adapter.push_archive(order_id, archive.data)
            return _accepted(store, sub, None), None
        except PortalOutcomeUnknownError as exc:
            last = exc
            store.record_attempt(sub.id, error_code=exc.code)
            sub = store.get_submission(sub.id)
        except PortalRejectedError as exc:
            failed = store.mark_failed(
                sub.id,
                error_code=exc.code,
                reason=exc.reason,
                fields_to_fix=[draft_field_for(f) for f in exc.fields],
            )
            return failed, exc
        except PortalError as exc:
            if not exc.transient:
                raise
            store.record_attempt(sub.id, error_code=exc.code)
            return store.get_submission(sub.id), exc
    return sub, last


def poll_epgu(store: Store, adapter: OrderPortalAdapter, submission: Submission) -> Submission:
    """Ask the portal for both layers of a sent EPGU submission and record them."""
    state = adapter.get_order(_order_of(submission))
    if is_refusal(state.processing_code):
        return _refused(store, submission, state)
    return store.record_portal_status(
        submission.id,
        status=portal_status_of(state.processing_code, state.status_id),
        reason=_reason(state),
        fields_to_fix=_draft_keys(state.comment or ""),
        request_number=state.order_id,
        processing_code=state.processing_code,
        status_id=state.status_id,
    )


# ---------------------------------------------------------------------------------- steps


def _order_of(submission: Submission) -> str:
    if submission.order_id is None:
        raise PortalOutcomeUnknownError("no order")
    return submission.order_id


def _ensure_order(store: Store, adapter: OrderPortalAdapter, sub: Submission) -> Submission:
    if sub.reserve_started_at is not None:
        # A reservation was started before and its answer may have been lost.
        adopted = _adopt(store, adapter, sub)
        if adopted is not None:
            return adopted
    sub = store.begin_order_reservation(sub.id)
    try:
        order_id = adapter.reserve_order()
    except PortalOutcomeUnknownError:
        adopted = _adopt(store, adapter, sub)
        if adopted is not None:
            return adopted
        raise
    claimed = store.claim_order(sub.id, order_id)
    if claimed is not None:
        return claimed
    # Another submission, whose own answer was lost, took this fresh order meanwhile: take
    # whichever empty order is left (its own, if the portal made it).
    adopted = _adopt(store, adapter, sub)
    if adopted is not None:
        return adopted
    raise PortalOutcomeUnknownError("the reserved order was taken by another submission")


def _adopt(store: Store, adapter: OrderPortalAdapter, sub: Submission) -> Submission | None:
    """Claim an empty, unclaimed order of this service reserved since ``sub``'s reservation."""
    since = (sub.reserve_started_at or utcnow()) - RESERVE_SKEW
    summaries = [
        s
        for s in adapter.find_orders(since)
        if s.status_id in (None, 0)
        and (s.service_code is None or s.service_code == adapter.meta.service_code)
    ]
    claimed = store.claimed_order_ids(s.order_id for s in summaries)
    for summary in sorted(summaries, key=lambda s: (s.updated is None, s.updated, s.order_id)):
        if summary.order_id in claimed:
            continue
        if adapter.get_order(summary.order_id).has_archive:
            continue  # not empty: someone's application, never ours to take
        taken = store.claim_order(sub.id, summary.order_id)
        if taken is not None:
            return taken
    return None


def _accepted(store: Store, sub: Submission, state: OrderState | None) -> Submission:
    order_id = _order_of(sub)
    if state is not None and is_refusal(state.processing_code):
        return _refused(store, sub, state)
    code = None if state is None else state.processing_code
    status_id = None if state is None else state.status_id
    return store.mark_sent(
        sub.id,
        portal_id=order_id,
        request_number=order_id,
        portal_status=portal_status_of(code, status_id),
        processing_code=code,
        status_id=status_id,
    )


def _refused(store: Store, sub: Submission, state: OrderState) -> Submission:
    message = state.message or state.comment or ""
    return store.mark_processing_failed(
        sub.id,
        processing_code=state.processing_code or "VALIDATION_ERROR",
        reason=message or None,
        fields_to_fix=_draft_keys(message),
        status_id=state.status_id,
    )


def _reason(state: OrderState) -> str | None:
    if state.comment:
        return state.comment
    if state.message and code_kind(state.processing_code) in ("refused", "later"):
        return state.message
    return None


def _draft_keys(message: str) -> list[str]:
    return list(draft_fields_in(message))
