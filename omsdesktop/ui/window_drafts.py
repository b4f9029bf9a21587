"""The window's draft part: saving, conflicts between desks, new, open and the drafts list.

A part of the main window's view of the session: it starts the session's blocking draft calls
in workers and shows their outcomes. ``window`` is the main window, typed ``Any`` because this
module must not import the window's module (the package has no import cycles). Strings keep the
window's translation context.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from omsdesktop.errors import OmsError
from omsdesktop.forms.model import DocumentKind
from omsdesktop.forms.registry import DRAFT_KEYS

CERT = DocumentKind.BIRTH_CERTIFICATE
POLICY = DocumentKind.OMS_POLICY

if TYPE_CHECKING:
    from omsdesktop.session import OpenedDraft


class DraftActions:
    """Save (the first save creates the draft), resolve a conflict, start anew, open a draft."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self._saving = False
        self._save_again = False

    def save_in_background(self) -> None:
        """Create the draft or flush it, then attach new scans; one such job at a time."""
        if self.window.store is None or self.window.closing:
            return
        if self._saving:
            self._save_again = True
            return
        session = self.window.session

        def job(progress, cancelled):
            version = session.save()
            session.store_attachments(progress=progress, cancelled=cancelled)
            return version

        def finished() -> None:
            self._saving = False
            if self._save_again:
                self._save_again = False
                self.save_in_background()

        self._saving = True
        self.window.pool.run(job, name="save", on_error=self.save_failed, on_done=finished)

    def saved(self, version: int) -> None:
        self.window.save_state.setText(
            QCoreApplication.translate("MainWindow", "Черновик сохранён в %1.").replace(
                "%1", datetime.now().strftime("%H:%M:%S")
            )
        )
        if self.window.notice.kind == "conflict":
            self.window.notice.hide()
        self.window.update_buttons()
        self.window.draftSaved.emit(version)

    def save_failed(self, exc: OmsError) -> None:
        from omsdesktop.storage.errors import ConflictError, DatabaseUnavailableError

        if isinstance(exc, ConflictError):
            self.window.save_state.setText(
                QCoreApplication.translate(
                    "MainWindow", "Правки не сохранены: черновик изменён на другом месте."
                )
            )
            self.window.notice.show_notice(
                "warning",
                exc.message(self.window.lang),
                [
                    (
                        QCoreApplication.translate("MainWindow", "Записать мои правки поверх"),
                        self.keep_my_edits,
                    ),
                    (
                        QCoreApplication.translate("MainWindow", "Открыть их версию"),
                        self.reload_draft,
                    ),
                ],
                closable=False,
            )
            self.window.notice.kind = "conflict"
        elif isinstance(exc, DatabaseUnavailableError):
            self.window.save_state.setText(
                QCoreApplication.translate(
                    "MainWindow",
                    "База черновиков недоступна, повторю попытку сама. Правки не потеряны.",
                )
            )
        else:
            self.window._show_error(exc)

    def keep_my_edits(self) -> None:
        """After a conflict: write this desk's pending edits on top of the other desk's."""
        session = self.window.session

        def done(version: int) -> None:
            self.window.notice.hide()

        self.window.pool.run(
            lambda progress, cancelled: session.keep_my_edits(),
            name="rebase",
            on_result=done,
            on_error=self.save_failed,
        )

    def reload_draft(self) -> None:
        if self.window.session.draft_id is not None:
            self.window.notice.hide()
            self.open_draft(self.window.session.draft_id)

    def save_now(self) -> None:
        if self.window.store is not None and self.window.session.editable:
            self.save_in_background()

    def new_application(self) -> None:
        for slot in self.window.slots():
            slot.clear()
        finish = self.window.session.new()
        self.window.pool.run(lambda progress, cancelled: finish(), name="close-saver")
        self.window.form.clear()
        self.window.submission_panel.hide()
        self.window.notice.hide()
        self.window.crop_panel.show_hint()
        self.window.save_state.setText(
            QCoreApplication.translate(
                "MainWindow", "Новое заявление. Черновик сохраняется автоматически."
            )
        )
        self.window._show_editable()

    def open_drafts(self) -> None:
        if self.window.store is None:
            return
        from omsdesktop.ui.drafts_dialog import DraftsDialog

        dialog = DraftsDialog(self.window.store, self.window.pool, self.window, self.window.lang)
        accepted = dialog.exec()
        for draft_id in dialog.deleted_ids:
            if self.window.session.forget(draft_id):
                self.new_application()  # the draft on screen is gone
        if accepted and dialog.chosen_id:
            self.open_draft(dialog.chosen_id)

    def open_batch(self) -> None:
        """«Пакетная обработка…»: a folder of scans → drafts and a report."""
        from omsdesktop.ui.batch_dialog import BatchDialog

        if self.window.batch_dialog is None:
            self.window.batch_dialog = BatchDialog(
                self.window.services, self.window.pool, self.window
            )
        self.window.batch_dialog.show()
        self.window.batch_dialog.raise_()
        self.window.batch_dialog.activateWindow()

    def open_draft(self, draft_id: str) -> None:
        """Resume a stored draft: its fields, its scans and its portal state."""
        session = self.window.session

        def job(progress, cancelled):
            from omsdesktop.ui.images import decode_image, to_qimage

            opened = session.open(draft_id)
            images = {}
            for role, data in opened.attachments.items():
                decoded = decode_image(data)
                if decoded is not None:
                    images[role] = to_qimage(decoded)
            return opened, images

        self.window.pool.run(
            job, name="open-draft", on_result=self._draft_opened, on_error=self.window._show_error
        )

    def _draft_opened(self, loaded: tuple[OpenedDraft, dict[str, Any]]) -> None:
        opened, images = loaded
        for slot in self.window.slots():
            slot.clear()
        self.window.form.clear()
        self.window._show_fields(DRAFT_KEYS)
        for kind in (CERT, POLICY):
            image = images.get(kind.value)
            if image is not None:
                self.window.slot(kind).show_stored(
                    image, QCoreApplication.translate("MainWindow", "Снимок из черновика")
                )
        self.window._show_editable()
        if opened.submission is not None:
            self.window.portal.show_submission(opened.submission)
        else:
            self.window.submission_panel.hide()
        self.window.save_state.setText(QCoreApplication.translate("MainWindow", "Черновик открыт."))
        self.window.crop_panel.show_hint()
        self.window.draftLoaded.emit(opened.draft.id)
