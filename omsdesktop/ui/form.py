"""The application form: every field with where it came from, how sure the reading is, and
what is wrong with it.

Each row shows the value, a source badge (штрихкод / распознано / введено), a confidence mark,
and under it the validator's message or, when the two documents disagree, both readings with a
button to take either. Fields to review are tinted. Focus on a field tells the window, which
shows the crops of the page(s) the value was read from.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from omsdesktop.forms.registry import FieldDef

if TYPE_CHECKING:
    from omsdesktop.forms.validators import ValidationResult
from omsdesktop.ui.labels import (
    GROUPS,
    POLICY_FORM_NAMES,
    SEX_NAMES,
    SOURCE_NAMES,
    tr_,
)

REVIEW_STYLE = "background: #fff4d6;"
ERROR_STYLE = "background: #fde8e8;"
FIX_STYLE = "background: #fde8e8; border: 2px solid #d64545;"


def iso_to_display(value: str | None) -> str:
    """``2010-11-25`` → ``25.11.2010``; anything else unchanged."""
    if value and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            return value
        return f"{parsed.day:02d}.{parsed.month:02d}.{parsed.year:04d}"
    return value or ""


def confidence_mark(confidence: float, source: str) -> tuple[str, str]:
    """The mark and its colour: three dots filled by how sure the reading is."""
    if source == "typed":
        return "", "#52606d"
    if confidence >= 0.9:
        return "●●●", "#1e8c3c"
    if confidence >= 0.7:
        return "●●○", "#c77700"
    return "●○○", "#c0392b"


@dataclass
class Reading:
    """One document's reading of a field, for the disagreement line and the crops."""

    document: str  # "birth_certificate" | "oms_policy"
    value: str | None


@dataclass
class FieldState:
    value: str | None = None
    source: str = "typed"
    confidence: float = 1.0
    needs_review: bool = False
    readings: list[Reading] = field(default_factory=list)
    disagreement: bool = False
    portal_fix: bool = False


class _Row:
    """The widgets of one field."""

    def __init__(self, form: ApplicationForm, spec: FieldDef) -> None:
        self.spec = spec
        label_text = spec.label(form.lang)
        self.label = QLabel(label_text + ":", form)
        self.editor: QLineEdit | QComboBox
        if spec.kind == "sex":
            combo = QComboBox(form)
            combo.addItem("—", None)
            for code, name in SEX_NAMES.items():
                combo.addItem(tr_(name), code)
            self.editor = combo
        elif spec.kind == "policy_form":
            combo = QComboBox(form)
            combo.addItem("—", None)
            for code, name in POLICY_FORM_NAMES.items():
                combo.addItem(tr_(name), code)
            self.editor = combo
        else:
            line = QLineEdit(form)
            line.setClearButtonEnabled(True)
            if spec.kind == "snils":
                line.setInputMask("000-000-000 00;_")
                line.setPlaceholderText("000-000-000 00")
            elif spec.kind == "date":
                line.setPlaceholderText(QCoreApplication.translate("ApplicationForm", "ДД.ММ.ГГГГ"))
            self.editor = line
        self.editor.setObjectName(f"field_{spec.key}")
        self.editor.setAccessibleName(label_text)
        self.editor.setMinimumWidth(180)
        self.label.setBuddy(self.editor)
        self.badge = QLabel(form)
        self.badge.setObjectName(f"source_{spec.key}")
        self.badge.setMinimumWidth(70)
        self.mark = QLabel(form)
        self.mark.setObjectName(f"confidence_{spec.key}")
        self.mark.setMinimumWidth(30)
        self.message = QLabel(form)
        self.message.setObjectName(f"message_{spec.key}")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.hide()
        self.choices = QWidget(form)
        choice_layout = QHBoxLayout(self.choices)
        choice_layout.setContentsMargins(0, 0, 0, 0)
        self.take_certificate = QPushButton(self.choices)
        self.take_certificate.setObjectName(f"take_certificate_{spec.key}")
        self.take_policy = QPushButton(self.choices)
        self.take_policy.setObjectName(f"take_policy_{spec.key}")
        choice_layout.addWidget(self.take_certificate)
        choice_layout.addWidget(self.take_policy)
        choice_layout.addStretch(1)
        self.choices.hide()
        self.state = FieldState()


class ApplicationForm(QWidget):
    """Signals:
    fieldEdited(name, value): the user changed a field (value: str or None).
    fieldFocused(name): a field got the keyboard focus.
    """

    fieldEdited = Signal(str, object)
    fieldFocused = Signal(str)

    def __init__(self, lang: str = "ru", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lang = lang
        self.lang = lang
        self._rows: dict[str, _Row] = {}
        self._read_only = False
        self._insurer_names = self._load_insurers()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        line = 0
        for title_ru, title_en, specs in GROUPS:
            heading = QLabel(title_en if lang == "en" else title_ru, self)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            heading.setStyleSheet("margin-top: 6px; color: #1f2933;")
            grid.addWidget(heading, line, 0, 1, 4)
            line += 1
            for spec in specs:
                row = _Row(self, spec)
                self._rows[spec.key] = row
                grid.addWidget(row.label, line, 0, Qt.AlignmentFlag.AlignRight)
                grid.addWidget(row.editor, line, 1)
                grid.addWidget(row.badge, line, 2)
                grid.addWidget(row.mark, line, 3)
                grid.addWidget(row.message, line + 1, 1, 1, 3)
                grid.addWidget(row.choices, line + 2, 1, 1, 3)
                line += 3
                self._wire(row)
        outer.addLayout(grid)
        outer.addStretch(1)
        self._set_tab_order()
        for name in self._rows:
            self._refresh(name)

    # ------------------------------------------------------------------------------- set-up

    @staticmethod
    def _load_insurers() -> list[str]:
        try:
            from omsdesktop.forms.insurers import load_insurers

            return sorted({i.short_name for i in load_insurers()})
        except (OSError, ValueError):
            return []

    def _wire(self, row: _Row) -> None:
        name = row.spec.key
        editor = row.editor
        editor.installEventFilter(self)
        if isinstance(editor, QComboBox):
            editor.activated.connect(lambda _i, n=name: self._user_changed(n))
        else:
            editor.textEdited.connect(lambda _t, n=name: self._user_changed(n))
            if row.spec.kind == "insurer" and self._insurer_names:
                completer = QCompleter(self._insurer_names, editor)
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
                completer.setFilterMode(Qt.MatchFlag.MatchContains)
                editor.setCompleter(completer)
        row.take_certificate.clicked.connect(lambda _c=False, n=name: self._take(n, 0))
        row.take_policy.clicked.connect(lambda _c=False, n=name: self._take(n, 1))

    def _set_tab_order(self) -> None:
        widgets: list[QWidget] = []
        for row in self._rows.values():
            widgets += [row.editor, row.take_certificate, row.take_policy]
        for first, second in itertools.pairwise(widgets):
            QWidget.setTabOrder(first, second)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            for name, row in self._rows.items():
                if row.editor is watched:
                    self.fieldFocused.emit(name)
                    break
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------------------ values

    def names(self) -> list[str]:
        return list(self._rows)

    def editor(self, name: str) -> QLineEdit | QComboBox:
        return self._rows[name].editor

    def state(self, name: str) -> FieldState:
        return self._rows[name].state

    def message_text(self, name: str) -> str:
        row = self._rows[name]
        return row.message.text() if not row.message.isHidden() else ""

    def value(self, name: str) -> str | None:
        return self._rows[name].state.value

    def values(self) -> dict[str, str | None]:
        return {name: row.state.value for name, row in self._rows.items()}

    def set_field(
        self,
        name: str,
        value: str | None,
        *,
        source: str = "typed",
        confidence: float = 1.0,
        needs_review: bool = False,
        refresh: bool = True,
    ) -> None:
        """Show a value from a document or a stored draft (not a user edit).

        With ``refresh=False`` the caller sets many fields and calls :meth:`refresh_all`.
        """
        row = self._rows[name]
        state = row.state
        state.value = value
        state.source = source
        state.confidence = confidence
        state.needs_review = needs_review
        self._show_value(row)
        if refresh:
            self._refresh(name)
            self._revalidate_dependents(name)

    def set_readings(
        self, name: str, readings: list[Reading], disagreement: bool, *, refresh: bool = True
    ) -> None:
        row = self._rows[name]
        row.state.readings = readings
        row.state.disagreement = disagreement
        if refresh:
            self._refresh(name)

    def refresh_all(self) -> None:
        for name in self._rows:
            self._refresh(name)

    def set_portal_fix(self, names: set[str]) -> None:
        for name, row in self._rows.items():
            row.state.portal_fix = name in names
            self._refresh(name)

    def clear(self) -> None:
        for name, row in self._rows.items():
            row.state = FieldState()
            self._show_value(row)
            self._refresh(name)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for row in self._rows.values():
            if isinstance(row.editor, QLineEdit):
                row.editor.setReadOnly(read_only)
                row.editor.setClearButtonEnabled(not read_only)
            else:
                row.editor.setEnabled(not read_only)
            row.take_certificate.setEnabled(not read_only)
            row.take_policy.setEnabled(not read_only)

    def focused_field(self) -> str | None:
        for name, row in self._rows.items():
            if row.editor.hasFocus():
                return name
        return None

    def focus_field(self, name: str) -> None:
        if name in self._rows:
            self._rows[name].editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def review_count(self) -> int:
        return sum(
            1
            for row in self._rows.values()
            if row.state.value and (row.state.needs_review or row.state.disagreement)
        )

    def problem_count(self) -> int:
        """Fields whose value the validators refuse (blocking problems)."""
        return sum(1 for name in self._rows if self._validate(name)[0] == "error")

    # ---------------------------------------------------------------------------- internals

    def _show_value(self, row: _Row) -> None:
        value = row.state.value
        editor = row.editor
        if isinstance(editor, QComboBox):
            index = editor.findData(value) if value else 0
            if index < 0:
                editor.addItem(value or "", value)
                index = editor.count() - 1
            editor.setCurrentIndex(index)
            return
        text = value or ""
        if row.spec.kind == "date":
            text = iso_to_display(value)
        elif row.spec.kind == "snils":
            text = "".join(ch for ch in text if ch.isdigit())
        editor.setText(text)

    def _read_editor(self, row: _Row) -> str | None:
        editor = row.editor
        if isinstance(editor, QComboBox):
            data = editor.currentData()
            return str(data) if data else None
        text = editor.text().strip()
        if row.spec.kind == "snils":
            digits = "".join(ch for ch in text if ch.isdigit())
            if not digits:
                return None
            if len(digits) == 11:
                return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"
            return digits
        if not text:
            return None
        if row.spec.kind == "date":
            result = self._check(row.spec.key, text)
            if result is not None and result.valid and result.normalized:
                return result.normalized
        return text

    def _user_changed(self, name: str) -> None:
        row = self._rows[name]
        if self._read_only:
            return
        value = self._read_editor(row)
        state = row.state
        state.value = value
        state.source = "typed"
        state.confidence = 1.0
        state.needs_review = False
        state.portal_fix = False
        self._refresh(name)
        self._revalidate_dependents(name)
        self.fieldEdited.emit(name, value)

    def _take(self, name: str, index: int) -> None:
        row = self._rows[name]
        if index >= len(row.state.readings):
            return
        reading = row.state.readings[index]
        row.state.value = reading.value
        row.state.source = "typed"
        row.state.confidence = 1.0
        row.state.needs_review = False
        row.state.disagreement = False
        self._show_value(row)
        self._refresh(name)
        self._revalidate_dependents(name)
        self.fieldEdited.emit(name, reading.value)

    def _check(self, name: str, value: str) -> ValidationResult | None:
        """The registry's verdict on ``value`` for field ``name``, the other fields as context."""
        from omsdesktop.forms.application import check_value

        values = {n: r.state.value for n, r in self._rows.items()}
        values[name] = value
        return check_value(name, values)

    def _validate(self, name: str) -> tuple[str, str]:
        """("error" | "warning" | "ok" | "", message) for the field's current value."""
        row = self._rows[name]
        value = row.state.value
        result = self._check(name, value) if value else None
        if result is None:
            return "", ""
        lang: Literal["ru", "en"] = "en" if self._lang == "en" else "ru"
        blocking = [p for p in result.problems if p.severity == "blocking"]
        if blocking:
            return "error", blocking[0].text(lang)
        if result.problems:
            return "warning", result.problems[0].text(lang)
        return "ok", ""

    def _revalidate_dependents(self, name: str) -> None:
        if name in ("child.birth_date", "policy.issue_date", "policy.form", "policy.series"):
            for other in (
                "cert.issue_date",
                "cert.act_record_number",
                "policy.issue_date",
                "policy.expiry_date",
                "policy.number",
                "policy.series",
            ):
                if other != name:
                    self._refresh(other)

    def _refresh(self, name: str) -> None:
        row = self._rows[name]
        state = row.state
        # Source badge and confidence mark.
        if state.value:
            row.badge.setText(tr_(SOURCE_NAMES.get(state.source, state.source)))
            mark, color = confidence_mark(state.confidence, state.source)
            row.mark.setText(mark)
            if row.mark.styleSheet() != f"color: {color};":
                row.mark.setStyleSheet(f"color: {color};")
            if state.source == "typed":
                row.mark.setToolTip("")
            else:
                row.mark.setToolTip(
                    self.tr("Уверенность распознавания: %1 %").replace(
                        "%1", str(round(100 * state.confidence))
                    )
                )
            row.badge.setToolTip(self.tr("Откуда значение: %1").replace("%1", row.badge.text()))
        else:
            row.badge.setText("")
            row.mark.setText("")
            row.mark.setToolTip("")
            row.badge.setToolTip("")
        # Message: disagreement first, then the validator, then «check this».
        level, message = self._validate(name)
        lines: list[str] = []
        if state.disagreement and len(state.readings) >= 2:
            first, second = state.readings[0], state.readings[1]
            lines.append(
                self.tr("Документы расходятся: в свидетельстве «%1», в полисе «%2».")
                .replace("%1", self._display(row, first.value))
                .replace("%2", self._display(row, second.value))
            )
            row.take_certificate.setText(
                self.tr("Как в свидетельстве: %1").replace("%1", self._display(row, first.value))
            )
            row.take_certificate.setAccessibleName(
                self.tr("Взять значение из свидетельства: %1").replace(
                    "%1", row.spec.label(self._lang)
                )
            )
            row.take_policy.setText(
                self.tr("Как в полисе: %1").replace("%1", self._display(row, second.value))
            )
            row.take_policy.setAccessibleName(
                self.tr("Взять значение из полиса: %1").replace("%1", row.spec.label(self._lang))
            )
            row.choices.show()
        else:
            row.choices.hide()
        if message:
            lines.append(message)
        if state.portal_fix:
            lines.append(self.tr("Портал просит исправить это поле."))
        if not lines and state.value and state.needs_review:
            lines.append(self.tr("Проверьте это поле по документу: распознано неуверенно."))
        if lines:
            row.message.setText("\n".join(lines))
            color = "#b42318" if (level == "error" or state.portal_fix) else "#8a5a00"
            if not (
                level == "error" or state.disagreement or state.portal_fix or state.needs_review
            ):
                color = "#8a5a00"
            if row.message.styleSheet() != f"color: {color};":
                row.message.setStyleSheet(f"color: {color};")
            row.message.show()
        else:
            row.message.clear()
            row.message.hide()
        # Tint of the editor.
        if state.portal_fix:
            style = FIX_STYLE
        elif level == "error":
            style = ERROR_STYLE
        elif state.value and (state.needs_review or state.disagreement):
            style = REVIEW_STYLE
        else:
            style = ""
        if row.editor.styleSheet() != style:  # restyling is the slow part: only on change
            row.editor.setStyleSheet(style)
            row.editor.setProperty("review", bool(style))
            font = row.label.font()
            font.setBold(bool(style))
            row.label.setFont(font)

    @staticmethod
    def _display(row: _Row, value: Any) -> str:
        if row.spec.kind == "date":
            return iso_to_display(value)
        return str(value or "—")
