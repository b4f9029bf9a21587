"""What the self-contained bundle relies on, checked without building it (fast tier):
the bundled tesseract and models come before PATH, PDFs render without Poppler, the SANE hint
says what to install, and the window's entry point takes files and its check flags."""

from __future__ import annotations

import io
import stat
import sys
from pathlib import Path

import pytest
from PIL import Image

from omsdesktop.ocr import _pdfium
from omsdesktop.ocr import engine as ocr_engine
from omsdesktop.ocr._pdf import PdfDocument


def _fake_bundle(root: Path) -> Path:
    folder = root / "_internal" / "tesseract"
    (folder / "tessdata").mkdir(parents=True)
    program = folder / "tesseract"
    program.write_text("#!/bin/sh\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    for lang in ("rus", "eng"):
        (folder / "tessdata" / f"{lang}.traineddata").write_bytes(b"model")
    return folder


@pytest.fixture
def frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = _fake_bundle(tmp_path)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    return folder


def test_bundled_tesseract_and_models_come_before_path(frozen: Path, tmp_path: Path, monkeypatch):
    system = tmp_path / "bin"
    system.mkdir()
    (system / "tesseract").write_text("#!/bin/sh\n")
    (system / "tesseract").chmod(0o755)
    monkeypatch.setenv("PATH", str(system))
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path / "elsewhere"))
    assert ocr_engine.bundled_tesseract_dir() == frozen
    assert ocr_engine.find_tesseract() == str(frozen / "tesseract")
    assert ocr_engine.find_tessdata(None, ocr_engine.find_tesseract()) == str(frozen / "tessdata")


def test_configured_paths_still_win_over_the_bundle(frozen: Path, tmp_path: Path):
    mine = tmp_path / "my-tesseract"
    mine.write_text("")
    assert ocr_engine.find_tesseract(str(mine)) == str(mine)
    models = tmp_path / "my-tessdata"
    models.mkdir()
    (models / "rus.traineddata").write_bytes(b"")
    assert ocr_engine.find_tessdata(str(models)) == str(models)


def test_not_frozen_means_no_bundle(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert ocr_engine.bundled_tesseract_dir() is None


def _pdf(width: int, height: int, pages: int = 1) -> bytes:
    images = [Image.new("RGB", (width, height), "white") for _ in range(pages)]
    images[0].paste((200, 0, 0), (0, 0, width // 4, height // 4))
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=100, save_all=True, append_images=images[1:])
    return out.getvalue()


def test_pdf_pages_render_with_pdfium_when_poppler_is_missing(tmp_path: Path, monkeypatch):
    assert _pdfium.available()
    monkeypatch.setenv("PATH", str(tmp_path))  # no pdftoppm anywhere
    assert _pdfium.instead_of_poppler(None)
    with PdfDocument(_pdf(400, 200, pages=2), poppler_path=None, timeout_s=10) as doc:
        assert doc.page_count == 2
        assert doc.page_size_inches(0) == pytest.approx((4.0, 2.0))
        page = doc.render(0, 50)
    assert page.mode == "RGB"
    assert page.size == (200, 100)
    assert page.getpixel((5, 5))[0] > 150 > page.getpixel((5, 5))[1]


def test_the_bundle_renders_with_pdfium_even_beside_a_system_poppler(frozen: Path):
    assert _pdfium.instead_of_poppler(None)


def test_a_configured_poppler_folder_is_used_and_its_absence_reported(tmp_path: Path, frozen):
    # A wrong folder in the settings gives "Poppler missing", which names the setting to fix.
    assert not _pdfium.instead_of_poppler(str(tmp_path / "no-poppler"))


def test_pdfium_reports_a_broken_pdf_as_broken():
    from omsdesktop.ocr._intake_errors import PdfBrokenError

    with pytest.raises(PdfBrokenError):
        _pdfium.render(b"%PDF-1.4 not really", 0, 72)


def test_sane_hint_names_the_extra_and_the_bundle_says_it_has_no_sane(monkeypatch):
    from omsdesktop.scan import devices

    ru, en = devices._sane_hints()
    assert "omsdesktop[sane]" in ru and "libsane1" in ru
    assert "omsdesktop[sane]" in en
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    ru, _ = devices._sane_hints()
    assert "В этой сборке программы нет драйверов SANE" in ru


def test_unavailable_sane_backend_gives_the_hint_not_an_error():
    from omsdesktop.scan.devices import list_devices, no_scanners_error

    class Unavailable:
        name = "sane"

        def available(self) -> bool:
            return False

    found = list_devices([Unavailable()])  # type: ignore[list-item]
    assert found.devices == ()
    message = no_scanners_error(found).message("ru")
    assert "omsdesktop[sane]" in message or "SANE" in message


def test_window_entry_point_takes_files_and_check_flags(tmp_path: Path, capsys):
    from omsdesktop import app

    args = app.build_parser().parse_args(["--smoke", "a.png", "b.pdf"])
    assert args.smoke and args.files == ["a.png", "b.pdf"] and not args.self_test
    with pytest.raises(SystemExit) as exc:
        app.main([str(tmp_path / "нет такого.png")])
    assert exc.value.code == 2
    assert "нет такого файла" in capsys.readouterr().err


def test_icon_is_a_package_resource():
    from omsdesktop import app

    assert app.icon_path().is_file()
    assert app.icon_path().with_suffix(".svg").is_file()
