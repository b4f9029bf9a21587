"""Typed errors of file intake (re-exported by :mod:`omsdesktop.ocr.intake`).

Messages never include the file name or path: a name may contain a child's name, and messages
may be logged. Parameters are numbers and format names only.
"""

from __future__ import annotations

from typing import ClassVar

from omsdesktop.errors import Lang, OmsError

SUPPORTED_HUMAN = "JPEG, PNG, TIFF, BMP, WebP, HEIC, PDF"


class IntakeError(OmsError):
    """Base of every failure to load an input file.

    Classes whose templates take numbers also carry ``plain_ru``/``plain_en``: the same advice
    without the numbers, used when the error was raised without them (e.g. ``ImageTooLargeError()``
    after a MemoryError), so a user never sees a raw ``{placeholder}``.
    """

    code = "intake_error"
    message_ru = "Не удалось открыть файл. Выберите другой файл или отсканируйте документ заново."
    message_en = "Could not open the file. Choose another file or scan the document again."
    plain_ru: ClassVar[str] = ""
    plain_en: ClassVar[str] = ""

    def message(self, lang: Lang = "ru") -> str:
        template = self.message_ru if lang == "ru" else self.message_en
        try:
            return template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            plain = self.plain_ru if lang == "ru" else self.plain_en
            return plain or template


class FileMissingError(IntakeError):
    code = "file_not_found"
    message_ru = (
        "Файл не найден. Проверьте, что его не переместили, не переименовали и не удалили, "
        "и выберите его снова."
    )
    message_en = (
        "File not found. Check that it has not been moved, renamed or deleted, and choose it again."
    )


class DirectoryGivenError(IntakeError):
    code = "is_directory"
    message_ru = (
        "Выбрана папка, а не файл. Откройте папку и выберите в ней файл скана или фотографии."
    )
    message_en = "A folder was chosen, not a file. Open the folder and choose the scan or photo."


class EmptyFileError(IntakeError):
    code = "empty_file"
    message_ru = (
        "Файл пустой (0 байт) — вероятно, он не сохранился до конца. "
        "Отсканируйте или сохраните документ заново."
    )
    message_en = (
        "The file is empty (0 bytes); it was probably not saved completely. "
        "Scan or save the document again."
    )


class FileTooLargeError(IntakeError):
    code = "file_too_large"
    message_ru = (
        "Файл слишком большой: {size_mb} МБ, допустимо не больше {limit_mb} МБ. "
        "Сохраните скан с меньшим разрешением (300 dpi достаточно) или в формате JPEG."
    )
    message_en = (
        "The file is too large: {size_mb} MB, the limit is {limit_mb} MB. "
        "Save the scan at a lower resolution (300 dpi is enough) or as JPEG."
    )
    plain_ru = (
        "Файл слишком большой. Сохраните скан с меньшим разрешением (300 dpi достаточно) "
        "или в формате JPEG."
    )
    plain_en = "The file is too large. Save the scan at a lower resolution or as JPEG."


class UnsupportedFormatError(IntakeError):
    code = "unsupported_format"
    message_ru = (
        "Формат файла ({kind}) не поддерживается. Сохраните документ в одном из форматов: "
        "{supported} — и откройте снова."
    )
    message_en = (
        "The file format ({kind}) is not supported. Save the document as one of: {supported}, "
        "and open it again."
    )

    plain_ru = (
        "Формат файла не поддерживается. Сохраните документ в одном из форматов: "
        f"{SUPPORTED_HUMAN} — и откройте снова."
    )
    plain_en = f"The file format is not supported. Save the document as one of: {SUPPORTED_HUMAN}."

    def __init__(self, detail: str = "", *, kind: str | None = None) -> None:
        if kind:
            super().__init__(detail, kind=kind, supported=SUPPORTED_HUMAN)
        else:
            super().__init__(detail)


class NotAnImageError(IntakeError):
    code = "not_an_image"
    message_ru = (
        "Файл не является изображением или PDF. Выберите скан или фотографию документа "
        "в одном из форматов: {supported}."
    )
    message_en = (
        "The file is not an image or a PDF. Choose a scan or photo of the document in one of "
        "these formats: {supported}."
    )

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail, supported=SUPPORTED_HUMAN)


class TruncatedFileError(IntakeError):
    code = "truncated_file"
    message_ru = (
        "Файл повреждён или сохранён не полностью, открыть его не удалось. "
        "Сохраните, скачайте или отсканируйте документ заново."
    )
    message_en = (
        "The file is damaged or incomplete and could not be opened. "
        "Save, download or scan the document again."
    )


class ImageTooLargeError(IntakeError):
    code = "image_too_large"
    message_ru = (
        "Изображение слишком большое: {megapixels} Мп, допустимо не больше {limit_megapixels} Мп. "
        "Уменьшите разрешение (для документа достаточно 300 dpi) и сохраните снова."
    )
    message_en = (
        "The image is too large: {megapixels} MP, the limit is {limit_megapixels} MP. "
        "Reduce the resolution (300 dpi is enough for a document) and save it again."
    )
    plain_ru = (
        "Изображение слишком большое для обработки. Уменьшите разрешение "
        "(для документа достаточно 300 dpi) и сохраните снова."
    )
    plain_en = (
        "The image is too large to process. Reduce the resolution (300 dpi is enough for a "
        "document) and save it again."
    )


class PdfEncryptedError(IntakeError):
    code = "pdf_encrypted"
    message_ru = (
        "Файл защищён паролем: снимите пароль или сохраните документ как изображение "
        "(JPEG или PNG) и откройте снова."
    )
    message_en = (
        "The file is password-protected: remove the password or save the document as an image "
        "(JPEG or PNG) and open it again."
    )


class PdfBrokenError(IntakeError):
    code = "pdf_broken"
    message_ru = (
        "PDF-файл повреждён, прочитать его не удалось. Сохраните документ в PDF заново "
        "или отсканируйте его в JPEG или PNG."
    )
    message_en = (
        "The PDF file is damaged and could not be read. Save the document as PDF again "
        "or scan it to JPEG or PNG."
    )


class PageOutOfRangeError(IntakeError):
    code = "page_out_of_range"
    message_ru = (
        "В файле нет страницы {page}: всего страниц — {page_count}. "
        "Выберите страницу от 1 до {page_count}."
    )
    message_en = (
        "The file has no page {page}: it has {page_count} page(s). "
        "Choose a page from 1 to {page_count}."
    )
    plain_ru = "В файле нет такой страницы. Выберите другую страницу."
    plain_en = "The file has no such page. Choose another page."


class TooManyPagesError(IntakeError):
    code = "too_many_pages"
    message_ru = (
        "Запрошено слишком много страниц сразу: {requested}, можно не больше {limit}. "
        "Выберите только нужные страницы — свидетельство и полис обычно занимают 1–2 страницы."
    )
    message_en = (
        "Too many pages requested at once: {requested}, the limit is {limit}. "
        "Choose only the pages you need; a certificate and a policy usually take 1-2 pages."
    )
    plain_ru = (
        "Запрошено слишком много страниц сразу. Выберите только нужные страницы — "
        "свидетельство и полис обычно занимают 1–2 страницы."
    )
    plain_en = "Too many pages requested at once. Choose only the pages you need."


class PopplerMissingError(IntakeError):
    code = "poppler_missing"
    message_ru = (
        "Для открытия PDF нужна программа Poppler (pdftoppm), но она не найдена. "
        "Debian/Ubuntu: выполните в терминале «sudo apt install poppler-utils». "
        "Windows: скачайте Poppler для Windows, распакуйте архив и укажите в настройках программы "
        "папку, где лежит pdftoppm.exe (обычно Library\\bin), или добавьте её в PATH. "
        "Можно также сохранить документ как JPEG или PNG."
    )
    message_en = (
        "Opening PDF files needs Poppler (pdftoppm), which was not found. "
        "Debian/Ubuntu: run 'sudo apt install poppler-utils'. Windows: download Poppler for "
        "Windows, unpack it and set the folder containing pdftoppm.exe (usually Library\\bin) "
        "in the program settings, or add it to PATH. You can also save the document as JPEG or PNG."
    )


class AccessDeniedError(IntakeError):
    code = "permission_denied"
    message_ru = (
        "Нет прав на чтение файла. Скопируйте файл в свою папку (например, «Документы») "
        "и откройте копию или попросите администратора открыть доступ."
    )
    message_en = (
        "No permission to read the file. Copy it to your own folder (for example Documents) "
        "and open the copy, or ask the administrator for access."
    )


class ReadFailedError(IntakeError):
    code = "read_error"
    message_ru = (
        "Не удалось прочитать файл (ошибка диска, флешки или сети). "
        "Скопируйте файл на компьютер и попробуйте снова."
    )
    message_en = (
        "The file could not be read (disk, USB stick or network error). "
        "Copy it to the computer and try again."
    )


class RenderTimeoutError(IntakeError):
    code = "render_timeout"
    message_ru = (
        "Страница PDF обрабатывалась дольше {seconds} с, обработка остановлена. "
        "Сохраните нужную страницу как изображение (JPEG или PNG) и откройте его."
    )
    message_en = (
        "A PDF page took longer than {seconds} s to render and was stopped. "
        "Save the page you need as an image (JPEG or PNG) and open that."
    )
    plain_ru = (
        "Страница PDF обрабатывалась слишком долго, обработка остановлена. "
        "Сохраните нужную страницу как изображение (JPEG или PNG) и откройте его."
    )
    plain_en = (
        "A PDF page took too long to render and was stopped. "
        "Save the page you need as an image (JPEG or PNG) and open that."
    )


ALL_INTAKE_ERRORS: tuple[type[IntakeError], ...] = (
    FileMissingError,
    DirectoryGivenError,
    EmptyFileError,
    FileTooLargeError,
    UnsupportedFormatError,
    NotAnImageError,
    TruncatedFileError,
    ImageTooLargeError,
    PdfEncryptedError,
    PdfBrokenError,
    PageOutOfRangeError,
    TooManyPagesError,
    PopplerMissingError,
    AccessDeniedError,
    ReadFailedError,
    RenderTimeoutError,
)
