"""Language and access: no untranslated English in the Russian UI (and no Russian left in the
English one), translations complete and up to date, accessible names, tab order, 1366×768."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QGraphicsView,
    QLineEdit,
    QWidget,
)

from omsdesktop.ui.batch_dialog import BatchDialog
from omsdesktop.ui.drafts_dialog import DraftsDialog
from omsdesktop.ui.i18n import install_translators, remove_translators
from omsdesktop.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import REPO
from tests.ui.ui_walk import untranslated_english, untranslated_russian


def _all_windows(window) -> list[QWidget]:
    settings = SettingsDialog(window.services, window)
    drafts = DraftsDialog(window.store, window.pool, window)
    batch = BatchDialog(window.services, window.pool, window)
    return [window, settings, drafts, batch]


def _wait_dialogs(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.pool.active_count == 0, timeout=10_000)


def test_russian_ui_shows_no_untranslated_english(
    qtbot, qapp, make_window, make_services, built_translations
):
    translators = install_translators(qapp, "ru")
    try:
        window = make_window(make_services())
        windows = _all_windows(window)
        _wait_dialogs(qtbot, window)
        bad = [item for w in windows for item in untranslated_english(w)]
        assert bad == []
        # Qt's own strings too (the standard buttons of a dialog box).
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Отмена"
    finally:
        remove_translators(qapp, translators)


def test_english_ui_is_fully_translated(
    qtbot, qapp, make_window, make_services, built_translations
):
    translators = install_translators(qapp, "en")
    try:
        services = make_services()
        services.settings = services.settings.__class__(
            **{**services.settings.__dict__, "language": "en"}
        )
        window = make_window(services)
        windows = _all_windows(window)
        _wait_dialogs(qtbot, window)
        assert window.send_button.text() == "Send to the portal"
        bad = [item for w in windows for item in untranslated_russian(w)]
        assert bad == []
    finally:
        remove_translators(qapp, translators)


def test_translation_sources_are_complete_and_current(tmp_path: Path):
    """en.ts translates every string the code marks, and nothing is left unfinished."""
    beside_python = Path(sys.executable).parent / "pyside6-lupdate"
    lupdate = str(beside_python) if beside_python.exists() else shutil.which("pyside6-lupdate")
    assert lupdate, "pyside6-lupdate (PySide6-Essentials) is needed to check translations"
    sources = sorted(str(p) for p in (REPO / "omsdesktop" / "ui").glob("*.py"))
    fresh = tmp_path / "fresh.ts"
    subprocess.run(
        [
            lupdate,
            "-silent",
            "-source-language",
            "ru",
            "-target-language",
            "en",
            *sources,
            "-ts",
            str(fresh),
        ],
        check=True,
    )

    def sources_of(path: Path) -> set[str]:
        return set(re.findall(r"<source>(.*?)</source>", path.read_text("utf-8"), re.S))

    committed = REPO / "omsdesktop" / "resources" / "i18n" / "omsdesktop_en.ts"
    missing = sources_of(fresh) - sources_of(committed)
    assert missing == set(), "run scripts/build_translations.sh --update and translate these"
    text = committed.read_text("utf-8")
    assert 'type="unfinished"' not in text
    assert "<translation></translation>" not in text


def _controls(root: QWidget) -> list[QWidget]:
    kinds = (
        QAbstractButton,
        QLineEdit,
        QComboBox,
        QAbstractSpinBox,
        QAbstractItemView,
        QGraphicsView,
    )
    return [w for w in root.findChildren(QWidget) if isinstance(w, kinds)]


def test_every_control_has_an_accessible_name(qtbot, make_window, make_services):
    window = make_window(make_services())
    unnamed = []
    for root in _all_windows(window):
        for control in _controls(root):
            # Controls a user can reach now (hidden ones get their names when they appear).
            if control.focusPolicy() == Qt.FocusPolicy.NoFocus or not control.isVisibleTo(root):
                continue
            # Line edits inside spin boxes and combo boxes are named by their owner.
            if isinstance(control, QLineEdit) and isinstance(
                control.parent(), QAbstractSpinBox | QComboBox
            ):
                continue
            if not control.accessibleName() and not (
                isinstance(control, QAbstractButton) and control.text().strip("&")
            ):
                unnamed.append(f"{type(control).__name__}#{control.objectName()}")
    _wait_dialogs(qtbot, window)
    assert unnamed == []


def test_tab_order_follows_the_form_and_fits_1366x768(qtbot, make_window, make_services):
    window = make_window(make_services())
    form = window.form
    names = form.names()
    first = form.editor(names[0])
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    visited = []
    widget = first
    for _ in range(400):
        for name in names:
            if form.editor(name) is widget:
                visited.append(name)
        widget = widget.nextInFocusChain()
        if widget is first:
            break
    # Every field is reached with Tab, in the order they are shown.
    assert [n for n in visited if n in names] == names
    # The window's smallest layout fits a 1366×768 screen (minus a taskbar).
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 728


def test_keyboard_shortcuts_for_open_paste_save_send(make_window, make_services):
    window = make_window(make_services())
    shortcuts = {s.toString() for a in window.actions() for s in a.shortcuts()}
    for key in ("Ctrl+O", "Ctrl+Shift+O", "Ctrl+Shift+V", "Ctrl+S", "Ctrl+Return", "Ctrl+D"):
        assert key in shortcuts
