"""The whole flow through the real window, the real pipeline and the real sandbox portal:
load both documents → fields prefilled → correct a field → draft saved → restart → resume →
submit → status shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from omsdesktop.storage.store import Store
from omsdesktop.ui.drafts_dialog import DraftsDialog
from omsdesktop.ui.driver import FieldNotEditableError
from tests.ui.ui_walk import untranslated_english

OCR_TIMEOUT = 120  # seconds (the driver's unit)


def test_load_correct_save_restart_resume_submit(
    qtbot, omsdesktop_app, leak_check, documents, sandbox, monkeypatch
):
    """Through the testers' driver (``omsdesktop_app``), so the driver cannot drift."""
    app = omsdesktop_app
    window = app.window
    leak_check.pools.append(window.pool)
    db_url = app.services.settings.database_url

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
    # The driver waits for documents the window's own controls put in, too.
    app.wait_until_read(timeout=OCR_TIMEOUT)

    form = window.form
    truth = documents.certificate_truth
    # Prefilled from the real OCR; the child's identity is printed on both documents.
    assert app.field("child.last_name") == truth["last_name"]
    assert app.field("child.first_name") == truth["first_name"]
    assert app.field("child.birth_date") == truth["birth_date"]
    assert app.field("cert.number") == truth["birth_certificate_number"]
    assert app.field("policy.number") == documents.policy_truth["policy_number"]
    assert form.state("child.last_name").source == "ocr"
    assert app.shown("child.birth_date") == ".".join(reversed(truth["birth_date"].split("-")))
    # Boxes are drawn on both previews, and focusing a field shows its crops side by side.
    assert "last_name" in window.certificate_slot.view.box_names()
    form.focus_field("child.last_name")
    qtbot.waitUntil(lambda: "Фамилия" in window.crop_panel.caption.text())
    crops = [image for _title, image in window.crop_panel._images if image.pixmap() is not None]
    assert len([c for c in crops if not c.pixmap().isNull()]) == 2

    # The Russian window shows no untranslated English anywhere.
    assert untranslated_english(window) == []

    # Correct a field by typing: the source becomes "typed" and the draft is saved, with both
    # scans (encrypted) for sending and for resuming.
    assert app.set_field("applicant.full_name", "Лукина Анна Петровна") == "Лукина Анна Петровна"
    assert form.state("applicant.full_name").source == "typed"
    assert "введено" in window.form._rows["applicant.full_name"].badge.text()
    draft_id = app.save_draft()
    assert _stored(db_url, draft_id, "applicant.full_name") == ("Лукина Анна Петровна", "typed")
    assert {info.document for info in _attachments(db_url, draft_id)} == {
        "birth_certificate",
        "oms_policy",
    }

    # Restart: a new window on the same database; the draft is resumed from the list.
    app.restart()
    window2 = app.window
    leak_check.pools.append(window2.pool)
    dialog = DraftsDialog(window2.store, window2.pool, window2)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1)
    assert truth["last_name"] in dialog.table.item(0, 0).text()
    dialog.open_button.click()
    assert dialog.chosen_id == draft_id
    with qtbot.waitSignal(window2.draftLoaded, timeout=10_000):
        window2.open_draft(dialog.chosen_id)
    assert app.field("applicant.full_name") == "Лукина Анна Петровна"
    assert app.field("child.last_name") == truth["last_name"]
    assert window2.certificate_slot.view.has_page() and window2.policy_slot.view.has_page()

    # Submit to the sandbox portal (seed 1: the portal asks to clarify some fields).
    sent = app.submit(sandbox.url)
    assert sent.state == "sent"
    assert sent.request_number
    assert sent.portal_status == "needs_clarification"
    panel = window2.submission_panel
    assert panel.isVisible()
    assert sent.request_number in sent.panel_text
    assert "нужно уточнить данные" in sent.panel_text
    assert sent.fields_to_fix
    assert len(panel._fix_buttons) == len(sent.fields_to_fix)
    first_fix = sent.fields_to_fix[0]
    assert window2.form.state(first_fix).portal_fix
    assert "Портал просит исправить" in window2.form.message_text(first_fix)
    # Asking the portal again («Обновить состояние») shows the same decision.
    status = app.status()
    assert (status.state, status.portal_status) == ("sent", "needs_clarification")
    assert status.request_number == sent.request_number
    # A sent application is read-only: the driver says so instead of typing into nothing.
    assert window2.form.editor("child.last_name").isReadOnly()
    assert not window2.send_button.isEnabled()
    with pytest.raises(FieldNotEditableError, match=r"child\.last_name"):
        app.set_field("child.last_name", "Иванов")


def _open_store(db_url: str) -> Store:
    return Store.open(db_url, operator="checker")


def _stored(db_url: str, draft_id: str, name: str):
    with _open_store(db_url) as store:
        item = store.get_draft(draft_id).fields.get(name)
        return None if item is None else (item.value, item.source)


def _attachments(db_url: str, draft_id: str):
    with _open_store(db_url) as store:
        return store.list_attachments(draft_id)
