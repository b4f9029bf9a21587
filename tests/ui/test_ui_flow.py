"""The whole flow through the real window, the real pipeline and the real sandbox portal:
load both documents → fields prefilled → correct a field → draft saved → restart → resume →
submit → status shown."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from omsdesktop.storage.store import Store
from omsdesktop.ui.drafts_dialog import DraftsDialog
from tests.ui.conftest import close_window, type_text
from tests.ui.ui_walk import untranslated_english

OCR_TIMEOUT = 120_000


def test_load_correct_save_restart_resume_submit(
    qtbot, make_window, make_services, documents, sandbox, db_url, monkeypatch
):
    services = make_services(sandbox.url)
    window = make_window(services)

    # The certificate through the open dialog (Ctrl+O), patched to answer with the file.
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileName",
        staticmethod(lambda *a, **k: (str(documents.certificate), "")),
    )
    window.open_certificate_action.trigger()
    # The policy from the clipboard (a copied file).
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(documents.policy))])
    QGuiApplication.clipboard().setMimeData(mime)
    try:
        window.policy_slot.paste_button.click()
    finally:
        QGuiApplication.clipboard().clear()  # the clipboard owns the data: not left for exit

    qtbot.waitUntil(
        lambda: (
            window.certificate_slot.document is not None and window.policy_slot.document is not None
        ),
        timeout=OCR_TIMEOUT,
    )
    form = window.form
    truth = documents.certificate_truth
    # Prefilled from the real OCR; the child's identity is printed on both documents.
    assert form.value("child.last_name") == truth["last_name"]
    assert form.value("child.first_name") == truth["first_name"]
    assert form.value("child.birth_date") == truth["birth_date"]
    assert form.value("cert.number") == truth["birth_certificate_number"]
    assert form.value("policy.number") == documents.policy_truth["policy_number"]
    assert form.state("child.last_name").source == "ocr"
    assert form.editor("child.birth_date").text() == ".".join(
        reversed(truth["birth_date"].split("-"))
    )
    # Boxes are drawn on both previews, and focusing a field shows its crops side by side.
    assert "last_name" in window.certificate_slot.view.box_names()
    form.focus_field("child.last_name")
    qtbot.waitUntil(lambda: "Фамилия" in window.crop_panel.caption.text())
    crops = [image for _title, image in window.crop_panel._images if image.pixmap() is not None]
    assert len([c for c in crops if not c.pixmap().isNull()]) == 2

    # The Russian window shows no untranslated English anywhere.
    assert untranslated_english(window) == []

    # Correct a field by typing: the source becomes "typed" and the draft is saved.
    qtbot.waitUntil(lambda: window.draft_id is not None and window.saver is not None)
    draft_id = window.draft_id
    applicant = form.editor("applicant.full_name")
    applicant.setFocus()
    with qtbot.waitSignal(window.draftSaved, timeout=10_000):
        type_text(applicant, "Лукина Анна Петровна")
    qtbot.waitUntil(lambda: _stored(db_url, draft_id, "applicant.full_name") is not None)
    assert _stored(db_url, draft_id, "applicant.full_name") == ("Лукина Анна Петровна", "typed")
    assert form.state("applicant.full_name").source == "typed"
    assert "введено" in window.form._rows["applicant.full_name"].badge.text()
    # Both scans are kept with the draft (encrypted), for sending and for resuming.
    qtbot.waitUntil(lambda: len(_attachments(db_url, draft_id)) == 2, timeout=30_000)

    # Restart: a new window on the same database.
    close_window(qtbot, window)
    window2 = make_window(make_services(sandbox.url))
    dialog = DraftsDialog(window2.store, window2.pool, window2)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1)
    assert truth["last_name"] in dialog.table.item(0, 0).text()
    dialog.open_button.click()
    assert dialog.chosen_id == draft_id
    with qtbot.waitSignal(window2.draftLoaded, timeout=10_000):
        window2.open_draft(dialog.chosen_id)
    assert window2.form.value("applicant.full_name") == "Лукина Анна Петровна"
    assert window2.form.value("child.last_name") == truth["last_name"]
    assert window2.certificate_slot.view.has_page() and window2.policy_slot.view.has_page()

    # Submit (Ctrl+Enter) to the sandbox portal; the status view shows its answer.
    with qtbot.waitSignal(window2.submissionChanged, timeout=30_000) as sent:
        qtbot.keyClick(window2, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    submission = sent.args[0]
    assert submission.state == "sent"
    assert submission.request_number
    panel = window2.submission_panel
    assert panel.isVisible()
    assert submission.request_number in panel.details.text()
    assert "нужно уточнить данные" in panel.details.text()
    assert submission.fields_to_fix  # seed 1: the portal asks to fix some fields
    assert len(panel._fix_buttons) == len(submission.fields_to_fix)
    first_fix = submission.fields_to_fix[0]
    assert window2.form.state(first_fix).portal_fix
    assert "Портал просит исправить" in window2.form.message_text(first_fix)
    # A sent application is read-only.
    assert window2.form.editor("child.last_name").isReadOnly()
    assert not window2.send_button.isEnabled()


def _open_store(db_url: str) -> Store:
    return Store.open(db_url, operator="checker")


def _stored(db_url: str, draft_id: str, name: str):
    with _open_store(db_url) as store:
        item = store.get_draft(draft_id).fields.get(name)
        return None if item is None else (item.value, item.source)


def _attachments(db_url: str, draft_id: str):
    with _open_store(db_url) as store:
        return store.list_attachments(draft_id)
