"""Composition root: builds the services and hands them to the window.

The only place that decides which concrete engine, store and portal client the app uses.
No globals, no singletons: everything the window needs is passed in.
"""

from __future__ import annotations

import argparse
import os
import sys


def has_display() -> bool:
    """Whether a window can be shown here (X11/Wayland on Linux; always on Windows/macOS)."""
    if sys.platform in ("win32", "darwin"):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(parser: argparse.ArgumentParser) -> int:
    if not has_display():
        sys.stdout.write(
            "Нет графического экрана (переменные DISPLAY/WAYLAND_DISPLAY не заданы), поэтому "
            "окно программы открыть нельзя. Доступны команды для работы из терминала:\n\n"
        )
        parser.print_help()
        return 0
    from omsdesktop.settings import load_settings
    from omsdesktop.ui.application import run_application
    from omsdesktop.ui.services import Services

    # The defaults of Services are the real parts: Store.open (SQLite in the user's data folder
    # or the configured database), the Tesseract engine, the HTTPS portal client with its token
    # from the keyring. Tests and scripts build their own Services.
    return run_application(Services(settings=load_settings()))
