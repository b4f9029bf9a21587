"""Walk every widget of a window and collect the texts a user sees or hears (screen readers):
text, title, tooltip, placeholder, accessible name and description, items, headers, menus."""

from __future__ import annotations

import re
from collections.abc import Iterator

from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QWidget,
)

# Latin words that belong in a Russian UI: product and format names, key names, units.
ALLOWED_LATIN = {
    "tesseract",
    "tesseract.exe",
    "pdf",
    "jpeg",
    "jpg",
    "png",
    "tif",
    "tiff",
    "bmp",
    "webp",
    "heic",
    "heif",
    "dpi",
    "ctrl",
    "shift",
    "enter",
    "alt",
    "postgresql",
    "sqlite",
    "https",
    "http",
    "url",
    "english",
    "windows",
    "linux",
    "macos",
    "omsdesktop_portal_token",
    "omsdesktop",
    "ub",
    "mannheim",
}
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z._]*")
_SHORTCUT = re.compile(r"\b(?:Ctrl|Shift|Alt)(?:\s*\+\s*(?:Ctrl|Shift|Alt|Enter|Return|F\d+|\w))+")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every user-visible string under ``root`` (hidden widgets included:
    they are shown in other states)."""
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        name = f"{type(w).__name__}#{w.objectName()}"
        if isinstance(w, QMainWindow | QWidget) and w.isWindow():
            yield name + ".windowTitle", w.windowTitle()
        yield name + ".toolTip", w.toolTip()
        yield name + ".accessibleName", w.accessibleName()
        yield name + ".accessibleDescription", w.accessibleDescription()
        if isinstance(w, QLabel | QAbstractButton):
            yield name + ".text", w.text()
        if isinstance(w, QLineEdit):
            yield name + ".placeholder", w.placeholderText()
        if isinstance(w, QGroupBox):
            yield name + ".title", w.title()
        if isinstance(w, QSpinBox):
            yield name + ".suffix", w.suffix()
        if isinstance(w, QComboBox):
            for i in range(w.count()):
                yield f"{name}.item{i}", w.itemText(i)
        if isinstance(w, QTabWidget):
            for i in range(w.count()):
                yield f"{name}.tab{i}", w.tabText(i)
        if isinstance(w, QTableWidget):
            for i in range(w.columnCount()):
                header = w.horizontalHeaderItem(i)
                if header is not None:
                    yield f"{name}.header{i}", header.text()
        if isinstance(w, QMenu):
            yield name + ".title", w.title()
            for action in w.actions():
                yield name + ".action", action.text()
    for action in root.actions():
        yield "action", action.text()
        yield "action.toolTip", action.toolTip()


def _is_data(where: str) -> bool:
    # Values in the form's fields are the child's data, not UI strings; language names are
    # written in their own language.
    return (where.startswith("QLineEdit#field_") and where.endswith(".text")) or where.startswith(
        "QComboBox#language.item"
    )


def untranslated_english(root: QWidget) -> list[tuple[str, str]]:
    bad = []
    for where, text in texts(root):
        if not text or _is_data(where):
            continue
        text = _SHORTCUT.sub("", text)  # key names like Ctrl+Shift+O are not words
        words = [w.lower().strip("._") for w in _LATIN_WORD.findall(text)]
        words = [
            w for w in words if w and w not in ALLOWED_LATIN and not re.fullmatch(r"[ivxlcdm]+", w)
        ]
        if words:
            bad.append((where, text))
    return bad


def untranslated_russian(root: QWidget) -> list[tuple[str, str]]:
    return [
        (where, text)
        for where, text in texts(root)
        if text and not _is_data(where) and _CYRILLIC.search(text)
    ]
