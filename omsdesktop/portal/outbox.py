"""Submitting drafts exactly once: the outbox and the submission state machine.

    editing --enqueue--> queued --portal accepted--> submitted (never sent again)
                           |  \\--transient failure--> queued (retried by ``outbox flush``)
                           \\--portal refused the data--> failed; the draft is editable again

The idempotency key is generated and committed with the queued submission *before* the first
attempt, so a crash, a lost answer or a second desk flushing the same outbox all resend the same
key, and the portal answers from its record instead of filing a second application.

A submission remembers the API it was queued for (``portal_api``). The EPGU API has no key:
its flow (an order reserved and stored first, one archive pushed, the order asked after any
doubt) is in :mod:`omsdesktop.portal.epgu_outbox`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from omsdesktop.errors import OmsError
from omsdesktop.portal.adapter import (
    KeyedPortalAdapter,
    OrderPortalAdapter,
    PortalAdapter,
    adapter_api,
)
from omsdesktop.portal.contract import ApplicationPayload, draft_field_for
from omsdesktop.portal.epgu_outbox import poll_epgu, send_epgu
from omsdesktop.portal.errors import (
    NotSubmittedError,
    PortalApiMismatchError,
    PortalConnectionLostError,
    PortalError,
    PortalRejectedError,
    PortalUnreachableError,
)
from omsdesktop.storage.model import Submission
from omsdesktop.storage.store import Store

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]
AdapterFactory = Callable[[str], PortalAdapter]


@dataclass(frozen=True)
class SubmitOutcome:
    """What happened to one submission: sent, still queued (with why), or refused."""

    submission: Submission
    error: OmsError | None = None

    @property
    def sent(self) -> bool:
        return self.submission.state == "sent"

    @property
    def queued(self) -> bool:
        return self.submission.state == "queued"

    def to_json(self) -> dict[str, Any]:
        out = self.submission.to_json()
        out["error"] = None if self.error is None else self.error.to_json()
        return out


@dataclass(frozen=True)
class FlushReport:
    sent: int = 0
    still_queued: int = 0
    failed: int = 0
    outcomes: tuple[SubmitOutcome, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "still_queued": self.still_queued,
            "failed": self.failed,
            "submissions": [o.to_json() for o in self.outcomes],
        }


def submit_draft(
    store: Store,
    adapter: PortalAdapter,
    draft_id: str,
    *,
    portal_url: str,
    expected_version: int | None = None,
) -> SubmitOutcome:
    """Queue the draft (key stored first), then try to send it now.

    Returns a queued outcome with the error when the portal cannot be reached: the submission
    waits in the outbox. Raises ``AlreadySubmittedError`` for a draft already queued or sent.
    """
    submission = store.enqueue_submission(
        draft_id,
        portal_url=portal_url,
        expected_version=expected_version,
        portal_api="epgu" if adapter_api(adapter) == "epgu" else "contract",
    )
    return send_submission(store, adapter, submission)


def send_submission(store: Store, adapter: PortalAdapter, submission: Submission) -> SubmitOutcome:
    """One send of a queued submission through the API it was queued for."""
    if submission.state != "queued":
        return SubmitOutcome(submission)
    if adapter_api(adapter) != submission.portal_api:
        mismatch = PortalApiMismatchError(
            "api", expected=submission.portal_api, actual=adapter_api(adapter)
        )
        store.record_attempt(submission.id, error_code=mismatch.code)
        return SubmitOutcome(store.get_submission(submission.id), mismatch)
    if isinstance(adapter, OrderPortalAdapter):
        sent, error = send_epgu(store, adapter, submission)
        return SubmitOutcome(sent, error)
    return _send_keyed(store, adapter, submission)


def _send_keyed(store: Store, adapter: KeyedPortalAdapter, submission: Submission) -> SubmitOutcome:
    """Attachments, then the application, each with the submission's idempotency key."""
    draft = store.get_draft(submission.draft_id)
    try:
        attachment_ids = []
        for index, info in enumerate(store.list_attachments(draft.id)):
            attachment_ids.append(
                adapter.upload_attachment(
                    store.attachment_data(info.id),
                    media_type=info.media_type,
                    document=info.document,
                    idempotency_key=f"{submission.idempotency_key}.a{index}",
                )
            )
        payload = ApplicationPayload.from_draft(draft, attachment_ids)
        application = adapter.create_application(
            payload, idempotency_key=submission.idempotency_key
        )
    except PortalRejectedError as exc:
        failed = store.mark_failed(
            submission.id,
            error_code=exc.code,
            reason=exc.reason,
            fields_to_fix=[draft_field_for(f) for f in exc.fields],
        )
        return SubmitOutcome(failed, exc)
    except PortalError as exc:
        if not exc.transient:
            raise
        store.record_attempt(submission.id, error_code=exc.code)
        return SubmitOutcome(store.get_submission(submission.id), exc)
    sent = store.mark_sent(
        submission.id,
        portal_id=application.id,
        request_number=application.request_number,
        portal_status=application.status,
    )
    if application.reason or application.fields_to_fix:
        sent = store.record_portal_status(
            submission.id,
            status=application.status,
            reason=application.reason,
            fields_to_fix=[draft_field_for(f) for f in application.fields_to_fix],
            request_number=application.request_number,
        )
    return SubmitOutcome(sent)


def flush_outbox(
    store: Store,
    adapter_for: AdapterFactory,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> FlushReport:
    """Send every queued submission, oldest first, each to the portal it was queued for.

    A portal that cannot be connected to is not tried again in this flush (its submissions
    stay queued).
    """
    pending = store.pending_submissions()
    adapters: dict[str, PortalAdapter] = {}
    unreachable: set[str] = set()
    outcomes: list[SubmitOutcome] = []
    try:
        for index, submission in enumerate(pending):
            if cancelled is not None and cancelled():
                break
            url = submission.portal_url
            if url in unreachable:
                outcomes.append(SubmitOutcome(submission, PortalUnreachableError("skipped")))
                continue
            if url not in adapters:
                try:
                    adapters[url] = adapter_for(url)
                except PortalError as exc:
                    unreachable.add(url)
                    outcomes.append(SubmitOutcome(submission, exc))
                    continue
            outcome = send_submission(store, adapters[url], submission)
            if isinstance(outcome.error, PortalUnreachableError) and not isinstance(
                outcome.error, PortalConnectionLostError
            ):
                unreachable.add(url)  # cannot even connect: the others would wait in vain
            outcomes.append(outcome)
            if progress is not None:
                progress((index + 1) / len(pending))
    finally:
        for adapter in adapters.values():
            adapter.close()
    return FlushReport(
        sent=sum(1 for o in outcomes if o.sent),
        still_queued=sum(1 for o in outcomes if o.queued),
        failed=sum(1 for o in outcomes if o.submission.state == "failed"),
        outcomes=tuple(outcomes),
    )


def poll_status(store: Store, adapter: PortalAdapter, draft_id: str) -> Submission:
    """Ask the portal for the status of the draft's sent application and record it."""
    submission = store.latest_submission(draft_id)
    if submission is None:
        store.get_draft(draft_id)  # DraftNotFoundError if there is no such draft
        raise NotSubmittedError(draft_id=draft_id)
    if submission.state != "sent" or submission.portal_id is None:
        return submission
    if submission.portal_api == "epgu":
        if not isinstance(adapter, OrderPortalAdapter):
            raise PortalApiMismatchError("api", expected="epgu", actual=adapter_api(adapter))
        return poll_epgu(store, adapter, submission)
    if isinstance(adapter, OrderPortalAdapter):
        raise PortalApiMismatchError("api", expected="contract", actual="epgu")
    application = adapter.get_application(submission.portal_id)
    return store.record_portal_status(
        submission.id,
        status=application.status,
        reason=application.reason,
        fields_to_fix=[draft_field_for(f) for f in application.fields_to_fix],
        request_number=application.request_number,
    )


__all__ = [
    "FlushReport",
    "SubmitOutcome",
    "flush_outbox",
    "poll_status",
    "send_submission",
    "submit_draft",
]
