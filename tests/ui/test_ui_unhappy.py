"""The unhappy paths: an unreadable file, a blurry photo, the portal down, a conflicting edit
from a second desk, Tesseract missing."""

from __future__ import annotations

import socket
from typing import Any

from PySide6.QtCore import Qt

from omsdesktop.ocr.engine import TesseractMissingError
from omsdesktop.portal.sandbox import SandboxConfig, running_sandbox
from omsdesktop.storage.errors import ConflictError
from omsdesktop.storage.store import Store
from tests.docgen import generate_certificate, generate_policy
from tests.ui.conftest import type_text

OCR_TIMEOUT = 120_000


def test_unreadable_file_shows_a_message_not_a_crash(qtbot, make_window, make_services, documents):
    window = make_window(make_services())
    slot = window.certificate_slot
    slot.load_path(str(documents.unreadable))
    qtbot.waitUntil(lambda: slot.banner.isVisible() and not slot.busy, timeout=30_000)
    text = slot.banner_text.text()
    assert text and "Traceback" not in text
    assert any(word in text for word in ("файл", "Файл"))
    assert slot.replace_button.isVisible()
    assert slot.document is None
    assert window.form.value("child.last_name") is None


def test_blurry_photo_banner_then_use_anyway(qtbot, make_window, make_services, documents):
    window = make_window(make_services())
    slot = window.certificate_slot
    slot.load_path(str(documents.blurry_certificate))
    qtbot.waitUntil(lambda: slot.banner.isVisible() and not slot.busy, timeout=30_000)
    assert "размыт" in slot.banner_text.text()  # the quality check's Russian advice
    assert slot.use_anyway_button.isVisible()
    assert slot.view.has_page()  # the page is shown so the user sees what is wrong
    assert slot.document is None  # nothing is read until the user decides

    with qtbot.waitSignal(slot.documentReady, timeout=OCR_TIMEOUT):
        slot.use_anyway_button.click()
    assert slot.document is not None
    assert not slot.banner.isVisible() or not slot.use_anyway_button.isVisible()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _type_application(qtbot, window) -> None:
    """Fill the required fields from the keyboard only (a valid child from the generator)."""
    cert = generate_certificate(11).truth
    policy = generate_policy(11).truth
    values = {
        "child.last_name": cert["last_name"],
        "child.first_name": cert["first_name"],
        "child.patronymic": cert["patronymic"],
        "child.birth_date": ".".join(reversed(cert["birth_date"].split("-"))),
        "cert.series": cert["birth_certificate_series"],
        "cert.number": cert["birth_certificate_number"],
        "cert.issue_date": ".".join(reversed(cert["birth_certificate_issue_date"].split("-"))),
        "policy.number": policy["policy_number"],
    }
    for name, text in values.items():
        editor = window.form.editor(name)
        editor.setFocus()
        type_text(editor, text)
    qtbot.waitUntil(lambda: window.draft_id is not None, timeout=10_000)


def test_portal_down_queues_then_sends_when_it_is_back(qtbot, make_window, make_services):
    port = _free_port()  # nothing listens here yet: the portal is "down"
    window = make_window(make_services(f"http://127.0.0.1:{port}"))
    window.outbox_timer.setInterval(200)
    _type_application(qtbot, window)

    with qtbot.waitSignal(window.submissionChanged, timeout=30_000) as queued:
        window.send_button.click()
    assert queued.args[0].state == "queued"
    assert "в очереди" in window.notice.text.text()
    assert "в очереди, будет отправлено" in window.submission_panel.title.text()
    assert window.form.editor("child.last_name").isReadOnly()  # frozen while queued

    with running_sandbox(SandboxConfig(seed=0, status_delay=0), port=port) as sandbox:

        def sent() -> bool:
            return window.submission_panel.request_number != ""

        qtbot.waitUntil(sent, timeout=30_000)
        listing = sandbox.state.listing()
        assert len(listing["applications"]) == 1
        assert (
            window.submission_panel.request_number == listing["applications"][0]["request_number"]
        )
        assert "принято порталом" in window.submission_panel.title.text()
        assert "связь появилась" in window.notice.text.text().lower()
        window.outbox_timer.stop()
        qtbot.waitUntil(lambda: window.pool.active_count == 0, timeout=10_000)


def test_conflicting_edit_from_a_second_desk(qtbot, make_window, make_services, db_url):
    window = make_window(make_services())
    editor = window.form.editor("child.last_name")
    editor.setFocus()
    with qtbot.waitSignal(window.draftSaved, timeout=10_000):
        type_text(editor, "Петрова")
    qtbot.waitUntil(lambda: window.draft_id is not None, timeout=10_000)
    draft_id = window.draft_id

    # Another desk, another Store on the same database, saves the draft meanwhile. Like a real
    # desk it saves over the latest version it can read: this window may still be storing
    # something of its own (the scans) a moment after its field edits settled.
    with Store.open(db_url, operator="desk-2") as other:
        qtbot.waitUntil(
            lambda: other.get_draft(draft_id).value("child.last_name") == "Петрова",
            timeout=10_000,
        )
        version = other.get_draft(draft_id).version
        for _ in range(20):
            latest = max(version, other.get_draft(draft_id).version)
            try:
                other.save_field(draft_id, "child.first_name", "Мария", expected_version=latest)
                break
            except ConflictError:
                qtbot.wait(100)
        else:
            raise AssertionError("the second desk could not save at all")

        # This desk goes on typing: its save is refused, the edit stays on screen.
        patronymic = window.form.editor("child.patronymic")
        patronymic.setFocus()
        type_text(patronymic, "Ивановна")
        qtbot.waitUntil(
            lambda: window.notice.isVisible() and window.notice.kind == "conflict", timeout=10_000
        )
        assert "другом рабочем месте" in window.notice.text.text()
        assert "desk-2" in window.notice.text.text()
        assert patronymic.text() == "Ивановна"

        # «Записать мои правки поверх»: both desks' edits end up in the draft.
        with qtbot.waitSignal(window.draftSaved, timeout=10_000):
            window.notice.first.click()
        draft = other.get_draft(draft_id)
    assert draft.value("child.patronymic") == "Ивановна"
    assert draft.value("child.first_name") == "Мария"
    assert draft.value("child.last_name") == "Петрова"
    qtbot.waitUntil(lambda: not window.notice.isVisible(), timeout=10_000)


def test_tesseract_missing_is_a_message_with_the_way_out(
    qtbot, make_window, make_services, documents, monkeypatch
):
    def no_tesseract(settings: Any):
        raise TesseractMissingError("not on PATH")

    window = make_window(make_services(engine_factory=no_tesseract))
    slot = window.certificate_slot
    slot.load_path(str(documents.certificate))
    qtbot.waitUntil(lambda: slot.banner.isVisible() and not slot.busy, timeout=60_000)
    assert "Tesseract не найдена" in slot.banner_text.text()
    assert slot.settings_button.isVisible()
    assert slot.view.has_page()  # the check step ran: the page is on screen
    assert slot.document is None
    # The way out: the settings dialog (patched: not run modally) opens from the banner.
    from omsdesktop.ui.settings_dialog import SettingsDialog

    opened = []

    def fake_exec(dialog: SettingsDialog) -> int:
        opened.append(dialog.tesseract.accessibleName())
        return 0

    monkeypatch.setattr(SettingsDialog, "exec", fake_exec)
    qtbot.mouseClick(slot.settings_button, Qt.MouseButton.LeftButton)
    assert opened == ["Путь к программе Tesseract"]
