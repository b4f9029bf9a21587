"""Installing the translations: Russian is the source language, English the translation.

The ``.ts`` sources live in ``omsdesktop/resources/i18n``; ``scripts/build_translations.sh``
compiles them into ``.qm`` files next to them at set-up. Qt's own strings (standard buttons,
context menus) come from the ``qtbase_*.qm`` files shipped with PySide6.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "ru"


def translations_dir() -> Path:
    return Path(str(resources.files("omsdesktop") / "resources" / "i18n"))


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install Qt's and the program's translators for ``language``; return them (keep them
    referenced for as long as the application runs)."""
    installed: list[QTranslator] = []
    QLocale.setDefault(
        QLocale(QLocale.Language.English if language == "en" else QLocale.Language.Russian)
    )
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{language}", qt_dir):
        app.installTranslator(qt)
        installed.append(qt)
    own = QTranslator(app)
    if own.load(f"omsdesktop_{language}", str(translations_dir())):
        app.installTranslator(own)
        installed.append(own)
    elif language != SOURCE_LANGUAGE:
        log.warning(
            "translation omsdesktop_%s.qm not found: run scripts/build_translations.sh", language
        )
    return installed


def remove_translators(app: QCoreApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)
