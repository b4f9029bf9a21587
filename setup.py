"""Build step for the wheel: compile the window's translations (.ts -> .qm) into it.

The .qm files are build products (not committed, see .gitignore); without this step a wheel
built from a clean clone would carry no translations. Everything else is in pyproject.toml.
The compiler is Qt's ``lrelease`` from the PySide6-Essentials wheel, a build requirement.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

I18N = Path("omsdesktop") / "resources" / "i18n"


def _lrelease() -> list[str]:
    import PySide6

    folder = Path(PySide6.__file__).resolve().parent
    for name in ("lrelease", "lrelease.exe"):
        if (folder / name).is_file():
            return [str(folder / name)]
    # Older wheels keep it under Qt/libexec or only as the pyside6-lrelease wrapper.
    for candidate in (folder / "Qt" / "libexec" / "lrelease", folder / "Qt" / "bin" / "lrelease"):
        if candidate.is_file():
            return [str(candidate)]
    return [sys.executable, "-c", "from PySide6.scripts.pyside_tool import lrelease; lrelease()"]


class BuildPyWithTranslations(build_py):
    """build_py that first compiles every ``omsdesktop_*.ts`` next to itself."""

    def run(self) -> None:
        sources = sorted(I18N.glob("omsdesktop_*.ts"))
        if not sources:
            raise SystemExit(f"no translation sources in {I18N}")
        tool = _lrelease()
        for ts in sources:
            qm = ts.with_suffix(".qm")
            subprocess.run([*tool, "-silent", str(ts), "-qm", str(qm)], check=True)
        super().run()


setup(cmdclass={"build_py": BuildPyWithTranslations})
