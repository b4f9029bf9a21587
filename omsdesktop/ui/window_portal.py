"""The window's portal part: sending the application, the outbox, the portal's status.

A part of the main window's view of the session: it starts the session's blocking portal calls
in workers and shows their outcomes (the notice first, then the panel). ``window`` is the main
window, typed ``Any`` because this module must not import the window's module (the package has
no import cycles). Strings keep the window's translation context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from omsdesktop.errors import OmsError
from omsdesktop.ui.labels import field_label

if TYPE_CHECKING:
    from omsdesktop.portal.outbox import FlushReport, SubmitOutcome
    from omsdesktop.storage.model import Submission


class PortalActions:
    """Submit, flush the outbox, refresh the status; ``busy`` while one of them runs."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.submitting = False
        self._flushing = False
        self._polling = False

    @property
    def busy(self) -> bool:
        return self.submitting or self._flushing or self._polling

    def submit(self) -> None:
        if self.window.store is None or self.submitting:
            return
        if not self.window.session.editable:
            self.window.notice.show_notice(
                "info",
                QCoreApplication.translate(
                    "MainWindow", "Это заявление уже отправлено или стоит в очереди на отправку."
                ),
            )
            return
        if not self.window.session.values():
            self.window.notice.show_notice(
                "warning",
                QCoreApplication.translate(
                    "MainWindow", "Сначала загрузите документы или заполните поля заявления."
                ),
            )
            return
        bad = self.window.session.blocking()
        if bad:
            # Nothing invalid leaves the desk: the portal would refuse it, and each refusal
            # counts against the family's limit of applications.
            self.window.notice.show_notice(
                "error",
                QCoreApplication.translate(
                    "MainWindow", "Заявление не отправлено: исправьте поля — %1."
                ).replace("%1", ", ".join(f"«{field_label(k, self.window.lang)}»" for k in bad)),
            )
            self.window.go_to_field(bad[0])
            return
        try:
            portal_url = self.window.services.portal_url(self.window.services.settings)
        except OmsError as exc:
            self.window._show_error(exc)
            return
        session, factory = self.window.session, self.window.services.portal_factory
        self.submitting = True
        self.window.busy_bar.show()
        self.window.save_state.setText(
            QCoreApplication.translate("MainWindow", "Отправляю заявление на портал…")
        )
        self.window.update_buttons()
        self.window.pool.run(
            lambda progress, cancelled: session.submit(portal_url, factory),
            name="submit",
            on_result=self._submitted,
            on_error=self._submit_failed,
            on_done=self._submit_done,
        )

    def _submit_done(self) -> None:
        self.submitting = False
        self.window.busy_bar.hide()
        self.window.update_buttons()

    def _submitted(self, outcome: SubmitOutcome) -> None:
        submission = outcome.submission
        if outcome.sent:
            self.window.notice.show_notice(
                "ok",
                QCoreApplication.translate(
                    "MainWindow", "Заявление принято порталом. Номер запроса: %1."
                ).replace("%1", submission.request_number or "—"),
            )
        elif outcome.queued:
            self.window.notice.show_notice(
                "warning",
                QCoreApplication.translate(
                    "MainWindow",
                    "Портал сейчас недоступен. Заявление в очереди и будет отправлено "
                    "автоматически, как только появится связь. Программу можно не закрывать.",
                ),
            )
        else:
            error = outcome.error
            message = error.message(self.window.lang) if error is not None else ""
            self.window.notice.show_notice("error", message)
        self.show_submission(submission)

    def _submit_failed(self, exc: OmsError) -> None:
        from omsdesktop.storage.errors import ConflictError

        if isinstance(exc, ConflictError):
            self.window.drafts.save_failed(exc)
            return
        self.window._show_error(exc)
        self.window.save_state.setText(
            QCoreApplication.translate("MainWindow", "Заявление не отправлено.")
        )

    def show_submission(self, submission: Submission) -> None:
        self.window.submission_panel.show_submission(submission)
        self.window.form.set_portal_fix(set(submission.fields_to_fix))
        if submission.draft_id == self.window.session.draft_id:
            if submission.state in ("queued", "sent"):
                self.window.save_state.setText(
                    QCoreApplication.translate(
                        "MainWindow", "Заявление отправлено: изменить его нельзя."
                    )
                    if submission.state == "sent"
                    else QCoreApplication.translate(
                        "MainWindow", "Заявление ждёт отправки в очереди."
                    )
                )
            self.window._show_editable()
        self.window.submissionChanged.emit(submission)

    def flush_outbox(self) -> None:
        """Send what waits in the queue (timer, or the menu)."""
        # Not while this window sends: the submission it queues is being sent right now.
        if self.window.store is None or self._flushing or self.window.closing or self.submitting:
            return
        session, factory = self.window.session, self.window.services.portal_factory

        def done(report: FlushReport | None) -> None:
            if report is None:
                return
            for outcome in report.outcomes:
                if outcome.submission.draft_id != self.window.session.draft_id:
                    continue
                if outcome.sent:
                    self.window.notice.show_notice(
                        "ok",
                        QCoreApplication.translate(
                            "MainWindow",
                            "Связь появилась: заявление из очереди принято порталом. "
                            "Номер запроса: %1.",
                        ).replace("%1", outcome.submission.request_number or "—"),
                    )
                self.show_submission(outcome.submission)
            if report.sent:
                self.window.statusBar().showMessage(
                    QCoreApplication.translate("MainWindow", "Отправлено из очереди: %1").replace(
                        "%1", str(report.sent)
                    ),
                    10000,
                )

        def finished() -> None:
            self._flushing = False

        self._flushing = True
        self.window.pool.run(
            lambda progress, cancelled: session.flush_outbox(
                factory, progress=progress, cancelled=cancelled
            ),
            name="flush-outbox",
            on_result=done,
            on_error=self.window._quiet_error,
            on_done=finished,
        )

    def refresh_status(self) -> None:
        if self.window.store is None or self.window.session.draft_id is None:
            return
        session, factory = self.window.session, self.window.services.portal_factory

        def done(submission: Submission | None) -> None:
            if submission is not None:
                self.show_submission(submission)

        def finished() -> None:
            self._polling = False

        self._polling = True
        self.window.pool.run(
            lambda progress, cancelled: session.refresh_status(factory),
            name="poll-status",
            on_result=done,
            on_error=self.window._show_error,
            on_done=finished,
        )
