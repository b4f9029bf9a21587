"""«Пакетная обработка…»: a folder of scans → drafts and a report, from the window.

The dialog asks for the folder, runs :func:`omsdesktop.batch.run_batch` as one worker job
(progress bar, «Отмена»), saves the drafts into the draft database, writes the CSV and HTML
reports into the input folder (the batch skips them when the folder is read again) and shows
a summary: applications made, those to check, files that could not be used and why.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from omsdesktop.errors import OmsError
from omsdesktop.ui.services import Services
from omsdesktop.ui.worker import JobHandle, WorkerPool


@dataclass(frozen=True)
class BatchOutcome:
    """What the batch job hands back to the dialog."""

    result: Any  # BatchResult
    csv_path: Path
    html_path: Path


def batch_job(
    input_dir: str, services: Services, *, jobs: int | None = None
) -> Callable[[Callable[[float], None], Callable[[], bool]], BatchOutcome]:
    """A worker job: read the folder, save drafts, write the reports."""

    def job(progress: Callable[[float], None], cancelled: Callable[[], bool]) -> BatchOutcome:
        from omsdesktop.batch import report_paths, run_batch, write_csv, write_html

        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        csv_path, html_path = report_paths(Path(input_dir) / f"omsdesktop-batch-{stamp}")
        settings = services.settings
        store = services.open_store(settings)
        try:
            result = run_batch(
                input_dir,
                jobs=jobs if jobs is not None else max(1, min(2, os.cpu_count() or 1)),
                settings=settings,
                store=store,
                exclude=(csv_path, html_path),
                progress=lambda f: progress(0.98 * f),
                cancelled=cancelled,
            )
        finally:
            store.close()
        write_csv(result, csv_path)
        write_html(result, html_path)
        progress(1.0)
        return BatchOutcome(result, csv_path, html_path)

    return job


class BatchDialog(QDialog):
    """Choose a folder, process it in the background, show what came out.

    Signals are not needed: the dialog owns its one job and shows the result itself.
    """

    def __init__(self, services: Services, pool: WorkerPool, parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._pool = pool
        self._job: JobHandle | None = None
        self.outcome: BatchOutcome | None = None
        self.setObjectName("batchDialog")
        self.setWindowTitle(self.tr("Пакетная обработка"))
        self.resize(620, 440)

        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Выберите папку со сканами свидетельств и полисов. Программа разберёт их по "
                "детям, создаст черновики заявлений и сохранит отчёт в ту же папку."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        row = QHBoxLayout()
        self.folder_label = QLabel(self.tr("Папка не выбрана"), self)
        self.folder_label.setWordWrap(True)
        self.choose_button = QPushButton(self.tr("Выбрать папку…"), self)
        self.choose_button.setAccessibleName(self.tr("Выбрать папку со сканами и начать"))
        self.choose_button.clicked.connect(self.choose_folder)
        row.addWidget(self.folder_label, 1)
        row.addWidget(self.choose_button)
        layout.addLayout(row)

        busy = QHBoxLayout()
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName(self.tr("Ход пакетной обработки"))
        self.cancel_button = QPushButton(self.tr("Отмена"), self)
        self.cancel_button.setAccessibleName(self.tr("Остановить пакетную обработку"))
        self.cancel_button.clicked.connect(self.cancel)
        busy.addWidget(self.progress, 1)
        busy.addWidget(self.cancel_button)
        layout.addLayout(busy)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.summary = QPlainTextEdit(self)
        self.summary.setReadOnly(True)
        self.summary.setAccessibleName(self.tr("Итог пакетной обработки"))
        layout.addWidget(self.summary, 1)

        buttons = QHBoxLayout()
        self.report_button = QPushButton(self.tr("Открыть отчёт"), self)
        self.report_button.setAccessibleName(self.tr("Открыть отчёт в браузере"))
        self.report_button.clicked.connect(self.open_report)
        self.close_button = QPushButton(self.tr("Закрыть"), self)
        self.close_button.setAccessibleName(self.tr("Закрыть окно пакетной обработки"))
        self.close_button.clicked.connect(self.close)
        buttons.addStretch(1)
        buttons.addWidget(self.report_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self._set_busy(False)
        self.report_button.setEnabled(False)
        self.summary.hide()

    # ------------------------------------------------------------------------------ public

    @property
    def busy(self) -> bool:
        return self._job is not None

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Папка со сканами для пакетной обработки")
        )
        if folder:
            self.start(folder)

    def start(self, folder: str) -> None:
        if self._job is not None:
            return
        self.outcome = None
        self.folder_label.setText(folder)
        self.summary.clear()
        self.summary.hide()
        self.report_button.setEnabled(False)
        self.progress.setValue(0)
        self.status.setText(self.tr("Читаю сканы… Это займёт несколько секунд на каждый файл."))
        self._set_busy(True)
        self._job = self._pool.run(
            batch_job(folder, self._services),
            name="batch",
            on_result=self._finished,
            on_error=self._failed,
            on_progress=lambda f: self.progress.setValue(round(100 * f)),
            on_done=self._done,
        )

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.status.setText(self.tr("Останавливаю обработку…"))
            self.cancel_button.setEnabled(False)

    def open_report(self) -> None:
        if self.outcome is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.outcome.html_path)))

    def summary_text(self) -> str:
        return self.summary.toPlainText()

    # --------------------------------------------------------------------------- internals

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self.choose_button.setEnabled(not busy)

    def _done(self) -> None:
        handle, self._job = self._job, None
        self._set_busy(False)
        if handle is not None and handle.cancel_requested:
            self.status.setText(
                self.tr("Обработка остановлена. Черновики, созданные до этого, сохранены.")
            )

    def _failed(self, exc: OmsError) -> None:
        lang = self._services.settings.language
        self.status.setText(exc.message(lang))

    def _finished(self, outcome: BatchOutcome) -> None:
        self.outcome = outcome
        result = outcome.result
        english = self._services.settings.language == "en"
        applications = result.applications
        review = [a for a in applications if a.review_fields or a.notes_ru]
        lines = [
            self.tr("Заявлений создано: %1").replace("%1", str(len(applications))),
            self.tr("Из них проверить вручную: %1").replace("%1", str(len(review))),
            self.tr("Документов без пары: %1").replace("%1", str(len(result.unpaired))),
            self.tr("Файлов нельзя использовать: %1").replace("%1", str(len(result.unusable))),
        ]
        for item in result.unpaired:
            message = item.message_en if english else item.message_ru
            lines.append(f"• {item.document.label}: {message}")
        for item in result.unusable:
            message = item.issue.message_en if english else item.issue.message_ru
            lines.append(f"• {item.document.label}: {message}")
        self.summary.setPlainText("\n".join(lines))
        self.summary.show()
        self.status.setText(
            self.tr("Готово. Отчёт сохранён: %1").replace("%1", str(outcome.html_path))
        )
        self.report_button.setEnabled(True)

    def closeEvent(self, event: QCloseEvent) -> None:
        # The job's result would have nowhere to go: stop it (run_batch checks between files).
        self.cancel()
        super().closeEvent(event)

    def reject(self) -> None:
        self.cancel()
        super().reject()
