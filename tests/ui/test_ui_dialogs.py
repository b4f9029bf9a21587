"""Drafts list (resume, delete with confirmation), settings dialog, SNILS, disagreement."""

from __future__ import annotations

import json

import keyring
from PySide6.QtWidgets import QMessageBox

from omsdesktop.forms.model import DocumentKind, ExtractedDocument, FieldValue
from omsdesktop.forms.pipeline import DocumentResult
from omsdesktop.ocr.types import Box
from omsdesktop.portal.config import TOKEN_KEYRING_SERVICE
from omsdesktop.settings import load_settings
from omsdesktop.storage.model import DraftField
from omsdesktop.storage.store import Store
from omsdesktop.ui.document_slot import SlotDocument
from omsdesktop.ui.drafts_dialog import DraftsDialog
from omsdesktop.ui.settings_dialog import SettingsDialog
from tests.storage.memory_keyring import MemoryKeyring


def test_drafts_delete_asks_first(qtbot, make_window, make_services, db_url, monkeypatch):
    with Store.open(db_url, operator="desk-1") as store:
        store.create_draft(fields={"child.last_name": DraftField("Иванова")})
        store.create_draft(fields={"child.last_name": DraftField("Петров")})
    window = make_window(make_services())
    dialog = DraftsDialog(window.store, window.pool, window)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2)

    answers = [QMessageBox.StandardButton.No]
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: answers.pop(0)))
    dialog.table.selectRow(0)
    dialog.delete_button.click()
    assert answers == []  # it asked
    qtbot.waitUntil(lambda: window.pool.active_count == 0)
    assert dialog.table.rowCount() == 2  # "No" keeps it

    answers.append(QMessageBox.StandardButton.Yes)
    dialog.delete_button.click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: window.pool.active_count == 0)
    assert len(window.store.list_drafts()) == 1


def test_settings_dialog_saves_settings_and_keeps_the_token_in_the_keyring(
    qtbot, make_window, make_services, monkeypatch
):
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        from omsdesktop.ui.services import Services

        window = make_window(
            make_services(store_token=Services.store_token, save_settings=Services.save_settings)
        )
        dialog = SettingsDialog(window.services, window)
        dialog.language.setCurrentIndex(dialog.language.findData("en"))
        dialog.tesseract.setText("/opt/tesseract/bin/tesseract")
        dialog.portal_url.setText("https://portal.example.test")
        dialog.token.setText("secret-token")
        dialog.database_url.setText("")
        dialog.thresholds["blur_rel"].setValue(0.2)
        dialog.save()
        assert dialog.result() == dialog.DialogCode.Accepted
    finally:
        keyring.set_keyring(previous)
    saved = load_settings()
    assert saved.language == "en"
    assert saved.ocr.tesseract_cmd == "/opt/tesseract/bin/tesseract"
    assert saved.portal_url == "https://portal.example.test"
    assert abs(saved.quality.blur_rel - 0.2) < 1e-9
    assert backend.get_password(TOKEN_KEYRING_SERVICE, "https://portal.example.test") == (
        "secret-token"
    )
    from omsdesktop.settings import settings_path

    assert "secret-token" not in settings_path().read_text("utf-8")
    json.loads(settings_path().read_text("utf-8"))


def test_settings_dialog_refuses_plain_http_to_a_remote_portal(
    qtbot, make_window, make_services, monkeypatch
):
    window = make_window(make_services())
    dialog = SettingsDialog(window.services, window)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: warnings.append(a[2])))
    dialog.portal_url.setText("http://portal.example.test")
    dialog.save()
    assert warnings and "https" in warnings[0]
    assert dialog.result() != dialog.DialogCode.Accepted


def test_snils_is_typed_with_a_mask_and_checked(qtbot, make_window, make_services):
    window = make_window(make_services())
    editor = window.form.editor("child.snils")
    editor.setFocus()
    qtbot.keyClicks(editor, "11223344596")  # wrong check number
    assert editor.text() == "112-233-445 96"
    assert "Контрольное число СНИЛС" in window.form.message_text("child.snils")
    editor.clear()
    qtbot.keyClicks(editor, "11223344595")
    assert window.form.message_text("child.snils") == ""
    assert window.form.value("child.snils") == "112-233-445 95"
    assert window.form.state("child.snils").source == "typed"


def _document(kind: DocumentKind, fields: dict[str, FieldValue]) -> SlotDocument:
    import numpy as np
    from PySide6.QtGui import QImage

    from omsdesktop.ocr.straighten import Straightened

    image = np.full((400, 600, 3), 255, dtype=np.uint8)
    flat = Straightened(image=image, rotation=0, skew_deg=0.0, document_found=True, transform=None)
    result = DocumentResult(
        file="x.png", kind=kind, document=ExtractedDocument(kind, fields), straightened=flat
    )
    preview = QImage(600, 400, QImage.Format.Format_RGB888)
    preview.fill(0xFFFFFF)
    return SlotDocument("x.png", 0, 1, result, preview, 1.0)


def test_disagreement_shows_both_readings_and_lets_the_user_pick(qtbot, make_window, make_services):
    """Readings as the pipeline returns them; the merge and the cross-check are the real ones."""
    window = make_window(make_services())
    box = Box(10, 10, 200, 40)
    cert = {
        "last_name": FieldValue("Иванова", 0.95, box=box),
        "birth_date": FieldValue("2019-03-12", 0.95, box=box),
    }
    policy = {
        "last_name": FieldValue("Иванов", 0.97, box=box),
        "birth_date": FieldValue("2019-03-12", 1.0, source="barcode", box=box),
    }
    window.certificate_slot.adopt(_document(DocumentKind.BIRTH_CERTIFICATE, cert))
    window.policy_slot.adopt(_document(DocumentKind.OMS_POLICY, policy))
    form = window.form
    message = form.message_text("child.last_name")
    assert "Иванова" in message and "Иванов»" in message
    assert form.state("child.last_name").disagreement
    row = form._rows["child.last_name"]
    assert row.choices.isVisible()
    # Focus shows both crops side by side.
    form.focus_field("child.last_name")
    qtbot.waitUntil(lambda: "Фамилия" in window.crop_panel.caption.text())
    titles = [t.text() for t, _ in window.crop_panel._images]
    assert titles == ["Свидетельство о рождении", "Полис ОМС"]
    # The barcode's birth date agrees: no dispute there, and its source shows.
    assert not form.state("child.birth_date").disagreement
    assert form.state("child.birth_date").source == "barcode"
    # Pick the certificate's reading.
    with qtbot.waitSignal(window.draftSaved, timeout=10_000):
        row.take_certificate.click()
    assert form.value("child.last_name") == "Иванова"
    assert form.state("child.last_name").source == "typed"
    assert not row.choices.isVisible()
