"""A bug in a Qt slot reaches neither the terminal nor the log as a traceback: the log gets its
type, the user a plain message, and the window keeps working."""

from __future__ import annotations

import logging
import sys

import pytest

from omsdesktop.ui.application import install_excepthook


def test_a_bug_in_a_slot_is_a_message_and_a_type_in_the_log(
    qtbot, make_window, make_services, caplog: pytest.LogCaptureFixture, expected_logs
) -> None:
    window = make_window(make_services())
    expected_logs.append("unexpected error in the window")
    previous = install_excepthook(window)
    try:
        try:
            raise ValueError("Белоусова Аглая 7724156947266375")  # a message quoting a child
        except ValueError as exc:
            with caplog.at_level(logging.ERROR, logger="omsdesktop"):
                sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = previous
    assert window.notice.isVisible()
    assert "Внутренняя ошибка программы" in window.notice.text.text()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "ValueError" in logged
    assert "Белоусова" not in logged and "7724156947266375" not in logged
    assert all(r.exc_info is None for r in caplog.records)
    # The window still works: a field can be edited.
    window.form.editor("child.last_name").setText("Иванова")
