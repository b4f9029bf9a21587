"""OCR engines behind one protocol.

Two implementations of :class:`OcrEngine`:

* :class:`TesserocrEngine` — Tesseract in-process through ``tesserocr``; the model stays loaded,
  so a single-line read costs ~25 ms instead of ~80 ms for a fresh ``tesseract`` process.
  It is the default wherever it imports (see ``benchmarks/ocr_engines.py`` for the numbers).
* :class:`CliTesseractEngine` — the ``tesseract`` program through ``pytesseract``; works
  wherever Tesseract is installed (the usual Windows set-up), with a timeout per call.

Both read with ``OMP_THREAD_LIMIT=1``: Tesseract's OpenMP threads make it several times slower
on two cores, and we parallelise across documents instead.

A missing program or language pack is a typed error with an install hint.

In the self-contained bundle (PyInstaller, ``packaging/omsdesktop.spec``) the tesseract program
and its models travel inside the bundle's folder; they are found before anything on PATH, so the
bundle never depends on (or mixes with) a system Tesseract.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import cv2
import numpy as np
from PIL import Image as PILImage

from omsdesktop.errors import OmsError
from omsdesktop.ocr.types import Box, Image

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

EngineName = Literal["auto", "tesserocr", "tesseract-cli"]

# Page segmentation modes we use (Tesseract numbering).
PSM_AUTO = 3
PSM_COLUMN = 4
PSM_BLOCK = 6
PSM_LINE = 7
PSM_WORD = 8
PSM_SPARSE = 11


class OcrError(OmsError):
    code = "ocr_failed"
    message_ru = "Не удалось распознать текст. Попробуйте ещё раз или введите данные вручную."
    message_en = "Text recognition failed. Try again or type the data in by hand."


class TesseractMissingError(OcrError):
    code = "tesseract_missing"
    message_ru = (
        "Программа распознавания текста Tesseract не найдена. Установите её: в Debian/Ubuntu — "
        "«sudo apt install tesseract-ocr tesseract-ocr-rus», в Windows — установщик Tesseract "
        "(UB Mannheim) с русским языком, затем укажите путь к tesseract.exe в настройках."
    )
    message_en = (
        "The Tesseract OCR program was not found. Install it (Debian/Ubuntu: "
        "'sudo apt install tesseract-ocr tesseract-ocr-rus'; Windows: the UB Mannheim installer "
        "with Russian), then set the path to tesseract.exe in the settings."
    )


class LanguageMissingError(OcrError):
    code = "tesseract_language_missing"
    message_ru = (
        "Для Tesseract не установлен язык «{lang}». Установите языковой пакет: в Debian/Ubuntu — "
        "«sudo apt install tesseract-ocr-{lang}», в Windows — переустановите Tesseract, отметив "
        "русский язык."
    )
    message_en = (
        "The Tesseract language pack '{lang}' is not installed. Debian/Ubuntu: "
        "'sudo apt install tesseract-ocr-{lang}'; Windows: reinstall Tesseract with Russian."
    )


class OcrTimeoutError(OcrError):
    code = "ocr_timeout"
    message_ru = (
        "Распознавание заняло слишком много времени и было остановлено. Попробуйте снимок "
        "лучшего качества или введите данные вручную."
    )
    message_en = "Recognition took too long and was stopped. Try a better image or type the data."


@dataclass(frozen=True)
class Word:
    """A recognised word with its confidence (0..1) and box in the image given to the engine."""

    text: str
    confidence: float
    box: Box
    line_key: tuple[int, int, int] = (0, 0, 0)  # (block, paragraph, line)


@dataclass(frozen=True)
class OcrConfig:
    engine: EngineName = "auto"
    tesseract_cmd: str | None = None  # path to tesseract(.exe); None = search PATH and defaults
    tessdata_dir: str | None = None  # folder with rus.traineddata; None = discover
    timeout_s: float = 30.0


class OcrEngine(Protocol):
    name: str

    def read(
        self,
        image: Image,
        *,
        lang: str = "rus",
        psm: int = PSM_LINE,
        whitelist: str | None = None,
        dpi: int | None = None,
    ) -> list[Word]:
        """Read ``image`` (grey or BGR uint8) and return its words in reading order."""
        ...


def text_of(words: Sequence[Word]) -> str:
    """Join words into lines (by Tesseract's line keys) and lines with newlines."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    for w in words:
        lines.setdefault(w.line_key, []).append(w.text)
    return "\n".join(" ".join(ws) for ws in lines.values())


def mean_confidence(words: Sequence[Word]) -> float:
    if not words:
        return 0.0
    total = sum(len(w.text) for w in words) or 1
    return sum(w.confidence * len(w.text) for w in words) / total


# ----------------------------------------------------------------------------- discovery

BUNDLED_TESSERACT_DIR = "tesseract"
"""Folder of the bundle (next to the program's libraries) holding the tesseract program and its
``tessdata`` models; see ``packaging/omsdesktop.spec``."""


def bundled_tesseract_dir() -> Path | None:
    """The bundle's Tesseract folder when running from a PyInstaller bundle that has one."""
    if not getattr(sys, "frozen", False):
        return None
    # PyInstaller sets _MEIPASS to the folder of the collected files (``_internal`` next to the
    # executable in a one-folder bundle); older layouts put them next to the executable.
    roots = [getattr(sys, "_MEIPASS", None), str(Path(sys.executable).resolve().parent)]
    for root in roots:
        if root and (Path(root) / BUNDLED_TESSERACT_DIR).is_dir():
            return Path(root) / BUNDLED_TESSERACT_DIR
    return None


def _bundled_tesseract() -> str | None:
    folder = bundled_tesseract_dir()
    if folder is None:
        return None
    for name in ("tesseract.exe", "tesseract"):
        if (folder / name).is_file():
            return str(folder / name)
    return None


def _bundled_tessdata() -> Path | None:
    folder = bundled_tesseract_dir()
    if folder is not None and (folder / "tessdata").is_dir():
        return folder / "tessdata"
    return None


_BUNDLED_TESSDATA = _bundled_tessdata()
if _BUNDLED_TESSDATA is not None:
    # The tesseract program reads its models from TESSDATA_PREFIX (or its compiled-in path,
    # which points at the build machine); every caller of the bundled program needs it.
    os.environ.setdefault("TESSDATA_PREFIX", str(_BUNDLED_TESSDATA))

_WINDOWS_TESSERACT = (
    r"C:\Program Files\Tesseract-OCR\tesseract.exe",
    r"C:\Program Files (x86)\Tesseract-OCR\tesseract.exe",
)


def find_tesseract(configured: str | None = None) -> str | None:
    """The tesseract program: the configured path, the bundle's own, PATH, then the usual
    install places."""
    if configured:
        return configured if Path(configured).is_file() else None
    bundled = _bundled_tesseract()
    if bundled:
        return bundled
    found = shutil.which("tesseract")
    if found:
        return found
    candidates: list[str] = []
    if sys.platform == "win32":
        candidates += list(_WINDOWS_TESSERACT)
        local = os.environ.get("LOCALAPPDATA")
        if local:
            candidates.append(str(Path(local) / "Programs" / "Tesseract-OCR" / "tesseract.exe"))
    elif sys.platform == "darwin":
        candidates += ["/opt/homebrew/bin/tesseract", "/usr/local/bin/tesseract"]
    return next((c for c in candidates if Path(c).is_file()), None)


def find_tessdata(configured: str | None = None, tesseract_cmd: str | None = None) -> str | None:
    """The folder holding ``*.traineddata``."""
    candidates: list[Path] = []
    if configured:
        candidates.append(Path(configured))
    bundled = _bundled_tessdata()
    if bundled is not None:
        candidates.append(bundled)
    if os.environ.get("TESSDATA_PREFIX"):
        prefix = Path(os.environ["TESSDATA_PREFIX"])
        candidates += [prefix, prefix / "tessdata"]
    if tesseract_cmd:
        candidates.append(Path(tesseract_cmd).resolve().parent / "tessdata")
    candidates += [
        Path("/usr/share/tesseract-ocr/5/tessdata"),
        Path("/usr/share/tesseract-ocr/4.00/tessdata"),
        Path("/usr/share/tessdata"),
        Path("/usr/local/share/tessdata"),
        Path("/opt/homebrew/share/tessdata"),
    ]
    for c in candidates:
        if (c / "eng.traineddata").is_file() or (c / "rus.traineddata").is_file():
            return str(c)
    return None


def _check_languages(tessdata: str | None, lang: str) -> None:
    if tessdata is None:
        return
    for code in lang.split("+"):
        if not (Path(tessdata) / f"{code}.traineddata").is_file():
            raise LanguageMissingError(lang=code)


# ----------------------------------------------------------------------------- helpers


def _to_pil(image: Image) -> PILImage.Image:
    if image.ndim == 2:
        return PILImage.fromarray(image)
    # BGR -> RGB without a cv2 dependency here.
    return PILImage.fromarray(np.ascontiguousarray(image[:, :, ::-1]))


SOURCE_DPI = 96
"""The resolution Tesseract is told every image has, unless a read says otherwise.

The layout's noise limits scale with it. It is what our reads have always been made at:
tesserocr hands a Pillow image over as a BMP file, which Pillow writes at 96 dpi."""


def _set_image(api: Any, image: Image) -> bytes | None:
    """Give ``image`` (grey or BGR) to a tesserocr API as raw pixels.

    ``SetImage`` with a Pillow image writes it out as a BMP file that Leptonica then parses
    (a grey one with a palette, taken off again): 4-5 ms for a page pass's band, a copy and
    the memory of two. The raw pixels, told :data:`SOURCE_DPI`, make the same image and the
    same reading (tests/ocr/test_engine_pixels.py). Returns the buffer, to be kept until the
    read is done; None where the image went the Pillow way (4 channels, not bytes).
    """
    if image.dtype == np.uint8 and image.ndim == 2:
        pixels, depth = np.ascontiguousarray(image), 1
    elif image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3:
        pixels, depth = np.ascontiguousarray(image[:, :, ::-1]), 3  # BGR -> RGB
    else:
        api.SetImage(_to_pil(image))
        return None
    h, w = pixels.shape[:2]
    data = pixels.tobytes()
    api.SetImageBytes(data, w, h, depth, w * depth)
    return data


def _words_from_tsv_rows(rows: dict[str, list[Any]]) -> list[Word]:
    words: list[Word] = []
    n = len(rows.get("text", []))
    for i in range(n):
        text = str(rows["text"][i]).strip()
        if not text:
            continue
        try:
            conf = float(rows["conf"][i])
        except (TypeError, ValueError):
            conf = -1.0
        if conf < 0:
            continue
        words.append(
            Word(
                text=text,
                confidence=max(0.0, min(1.0, conf / 100.0)),
                box=Box(
                    int(rows["left"][i]),
                    int(rows["top"][i]),
                    int(rows["width"][i]),
                    int(rows["height"][i]),
                ),
                line_key=(
                    int(rows["block_num"][i]),
                    int(rows["par_num"][i]),
                    int(rows["line_num"][i]),
                ),
            )
        )
    return words


# ----------------------------------------------------------------------------- engines


def _run_tsv(argv: list[str], image: Image, timeout: float) -> dict[str, list[Any]]:
    """Run ``tesseract stdin stdout ... tsv`` with the image on a pipe; the TSV as columns.

    Nothing is written to disk: pytesseract's ``image_to_data`` writes the image and the result
    to temporary files, which a killed app would leave behind (a child's document).
    """
    ok, buf = cv2.imencode(".png", image)
    if not ok:
        raise OcrError("the page could not be encoded for tesseract")
    extra: dict[str, Any] = {}
    if sys.platform == "win32":
        extra["creationflags"] = subprocess.CREATE_NO_WINDOW  # no console flashing
    try:
        done = subprocess.run(
            argv,
            input=np.asarray(buf).tobytes(),
            capture_output=True,
            timeout=timeout or None,
            check=False,
            **extra,
        )
    except subprocess.TimeoutExpired as exc:
        raise OcrTimeoutError() from exc
    except FileNotFoundError as exc:
        raise TesseractMissingError() from exc
    except OSError as exc:
        raise OcrError(type(exc).__name__) from exc
    if done.returncode != 0:
        raise OcrError(f"tesseract exit status {done.returncode}")
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    if not lines:
        return {}
    header = lines[0].split("\t")
    columns: dict[str, list[Any]] = {name: [] for name in header}
    for line in lines[1:]:
        cells = line.split("\t")
        if len(cells) < len(header):
            cells += [""] * (len(header) - len(cells))
        for name, cell in zip(header, cells, strict=False):
            columns[name].append(cell)
    return columns


class CliTesseractEngine:
    """The ``tesseract`` program, one process per call, the page on a pipe (no temp files)."""

    name = "tesseract-cli"

    def __init__(self, config: OcrConfig = OcrConfig()) -> None:
        import pytesseract

        cmd = find_tesseract(config.tesseract_cmd)
        if cmd is None:
            raise TesseractMissingError()
        self._cmd = cmd
        self._pytesseract = pytesseract
        self._timeout = config.timeout_s
        self._tessdata = config.tessdata_dir
        if self._tessdata is None and cmd == _bundled_tesseract():
            tessdata = _bundled_tessdata()
            self._tessdata = str(tessdata) if tessdata is not None else None
        self._checked_langs: set[str] = set()

    def _ensure_lang(self, lang: str) -> None:
        if lang in self._checked_langs:
            return
        try:
            available = set(self._pytesseract.get_languages(config=self._base_config()))
        except (self._pytesseract.TesseractError, OSError, subprocess.SubprocessError) as exc:
            raise OcrError(str(type(exc).__name__)) from exc
        for code in lang.split("+"):
            if code not in available:
                raise LanguageMissingError(lang=code)
        self._checked_langs.add(lang)

    def _base_config(self) -> str:
        return f'--tessdata-dir "{self._tessdata}"' if self._tessdata else ""

    def read(
        self,
        image: Image,
        *,
        lang: str = "rus",
        psm: int = PSM_LINE,
        whitelist: str | None = None,
        dpi: int | None = None,
    ) -> list[Word]:
        self._pytesseract.pytesseract.tesseract_cmd = self._cmd
        self._ensure_lang(lang)
        argv = [self._cmd, "stdin", "stdout", "-l", lang, "--psm", str(psm)]
        if self._tessdata:
            argv += ["--tessdata-dir", self._tessdata]
        if dpi:
            argv += ["--dpi", str(int(dpi))]
        if whitelist:
            argv += ["-c", f"tessedit_char_whitelist={whitelist}"]
        rows = _run_tsv([*argv, "tsv"], image, self._timeout)
        return _words_from_tsv_rows(rows)


_LEPT_SEVERITY_NONE = 6  # Leptonica's L_SEVERITY_NONE


def quiet_leptonica(package_dir: str | None) -> int:
    """Stop Leptonica (inside Tesseract) printing to stderr; how many libraries were quietened.

    Tesseract's image library prints «Error in boxClipToRectangle: box outside rectangle» and
    the like on stderr for boxes it clips itself: noise to a CLI user and a script, never a
    problem of ours. tesserocr's wheels carry their own copy of the library next to the
    package (``tesserocr.libs`` on Linux, the package folder on Windows); a system one is
    tried as well. Best effort: where none is found, the messages stay.
    """
    import ctypes
    import ctypes.util
    import glob

    paths: list[str] = []
    if package_dir:
        for folder in (package_dir, package_dir.rstrip(os.sep) + ".libs"):
            for pattern in ("*lept*.so*", "*lept*.dll", "*lept*.dylib"):
                paths += glob.glob(os.path.join(folder, pattern))
    for name in ("leptonica", "lept"):
        found = ctypes.util.find_library(name)
        if found:
            paths.append(found)
    quietened = 0
    for path in paths:
        try:
            ctypes.CDLL(path).setMsgSeverity(_LEPT_SEVERITY_NONE)
            quietened += 1
        except (OSError, AttributeError):
            continue
    return quietened


class TesserocrEngine:
    """Tesseract in-process via tesserocr. One API object per (thread, lang)."""

    name = "tesserocr"

    def __init__(self, config: OcrConfig = OcrConfig()) -> None:
        import tesserocr

        self._tesserocr = tesserocr
        quiet_leptonica(os.path.dirname(tesserocr.__file__))
        tessdata = find_tessdata(config.tessdata_dir, find_tesseract(config.tesseract_cmd))
        if tessdata is None:
            raise LanguageMissingError(lang="rus")
        self._tessdata = tessdata
        self._local = threading.local()

    def _api(self, lang: str) -> Any:
        apis: dict[str, Any] | None = getattr(self._local, "apis", None)
        if apis is None:
            apis = {}
            self._local.apis = apis
        api = apis.get(lang)
        if api is None:
            _check_languages(self._tessdata, lang)
            try:
                api = self._tesserocr.PyTessBaseAPI(path=self._tessdata + os.sep, lang=lang)
            except RuntimeError as exc:
                raise LanguageMissingError(lang=lang) from exc
            apis[lang] = api
        return api

    def read(
        self,
        image: Image,
        *,
        lang: str = "rus",
        psm: int = PSM_LINE,
        whitelist: str | None = None,
        dpi: int | None = None,
    ) -> list[Word]:
        api = self._api(lang)
        api.SetPageSegMode(psm)
        api.SetVariable("tessedit_char_whitelist", whitelist or "")
        pixels = _set_image(api, image)
        api.SetSourceResolution(int(dpi) if dpi else SOURCE_DPI)
        try:
            tsv = api.GetTSVText(0)
        except RuntimeError as exc:
            raise OcrError(type(exc).__name__) from exc
        finally:
            api.SetVariable("tessedit_char_whitelist", "")
            # The API keeps its last image, thresholded copy and layout until the next read;
            # after a page pass that is a page's worth of memory held until the next document
            # (on the band thread's API too). Clear() frees them and keeps the loaded model.
            api.Clear()
            del pixels
        return _parse_tsv_text(tsv)


def _parse_tsv_text(tsv: str) -> list[Word]:
    cols = ["level", "page_num", "block_num", "par_num", "line_num", "word_num"]
    cols += ["left", "top", "width", "height", "conf", "text"]
    rows: dict[str, list[Any]] = {c: [] for c in cols}
    for line in tsv.splitlines():
        parts = line.split("\t")
        if len(parts) < 12 or parts[0] != "5":
            continue
        for c, v in zip(cols, [*parts[:11], "\t".join(parts[11:])], strict=True):
            rows[c].append(v)
    return _words_from_tsv_rows(rows)


def create_engine(config: OcrConfig = OcrConfig()) -> OcrEngine:
    """Build the configured engine; ``auto`` prefers the in-process one where it imports."""
    if config.engine in ("auto", "tesserocr"):
        try:
            import tesserocr  # noqa: F401
        except ImportError:
            if config.engine == "tesserocr":
                raise OcrError("tesserocr not installed") from None
        else:
            return TesserocrEngine(config)
    return CliTesseractEngine(config)


def check_engine(engine: OcrEngine, lang: str = "rus") -> None:
    """Raise the typed error if the engine cannot read ``lang`` (missing program or pack)."""
    blank = np.full((40, 120), 255, dtype=np.uint8)
    engine.read(blank, lang=lang, psm=PSM_LINE)
