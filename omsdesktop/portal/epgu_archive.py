"""The EPGU archive: one flat ZIP with the application XML, the scans and their signatures.

The XML follows our own schema (``urn:omsdesktop:epgu:attach-policy``, :data:`SCHEMA_VERSION`),
built from the field registry: each field's ``portal_key`` ``section.name`` is the element
``<section><name>``. It is checked against that schema before anything is sent (known
elements only, required fields present, dates and numbers in their lexical form); the portal
then checks the values themselves.

The portal rejects any folder inside the archive (``INVALID_FILES_STRUCTURE``): every name here
is a plain file name. A detached signature ``name.sig`` is added for each file a
:class:`Signer` signs; the default signs nothing (the signing provider, e.g. a CryptoPro
binding, plugs in here).
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from omsdesktop.forms.registry import FIELDS, FieldDef
from omsdesktop.portal.errors import ArchiveInvalidError
from omsdesktop.storage.model import Draft

SCHEMA_VERSION = "1.0"
NAMESPACE = "urn:omsdesktop:epgu:attach-policy:1"
REQ_NAME = "req.xml"
SECTIONS: tuple[str, ...] = ("applicant", "child", "birth_certificate", "policy")

_BY_PATH: dict[str, FieldDef] = {f.portal_key: f for f in FIELDS}
_KEYS: frozenset[str] = frozenset(f.key for f in FIELDS)
_LEXICAL: dict[str, re.Pattern[str]] = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "digits": re.compile(r"^[0-9 \-]{1,32}$"),
    "snils": re.compile(r"^[0-9 \-]{11,14}$"),
}
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
_XML_PATH = re.compile(r"\b(applicant|child|birth_certificate|policy)/([a-z_]+)\b")


class Signer(Protocol):
    """Makes a detached signature of one file of the archive (``name.sig``)."""

    def sign(self, name: str, data: bytes) -> bytes | None:
        """The signature bytes, or None to add no signature for this file."""
        ...


class NoSigner:
    """The placeholder: no signatures (the sandbox and a service that needs none)."""

    def sign(self, name: str, data: bytes) -> bytes | None:
        return None


@dataclass(frozen=True)
class ArchiveFile:
    """A scan to put into the archive."""

    document: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class Archive:
    """A built archive: the ZIP bytes and the names inside it (for reports and tests)."""

    data: bytes
    names: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.data)


def xml_path(draft_key: str) -> str:
    """The XML path (``policy/number``) of a draft field."""
    for f in FIELDS:
        if f.key == draft_key:
            return f.portal_key.replace(".", "/")
    return draft_key


def draft_fields_in(message: str) -> tuple[str, ...]:
    """The draft fields a portal message names by their XML path (``policy/number``)."""
    found: list[str] = []
    for section, name in _XML_PATH.findall(message):
        f = _BY_PATH.get(f"{section}.{name}")
        if f is not None and f.key not in found:
            found.append(f.key)
    return tuple(found)


def application_xml(draft: Draft, attachments: Sequence[tuple[str, str, str]] = ()) -> bytes:
    """The application as our XML: ``attachments`` are (file name, document, media type)."""
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}application", {"schemaVersion": SCHEMA_VERSION})
    ET.SubElement(root, f"{{{NAMESPACE}}}requestType").text = draft.request_type
    ET.SubElement(root, f"{{{NAMESPACE}}}clientReference").text = draft.id
    sections = {name: ET.SubElement(root, f"{{{NAMESPACE}}}{name}") for name in SECTIONS}
    for f in FIELDS:
        value = draft.value(f.key)
        if value is None or not value.strip():
            continue
        section, name = f.portal_key.split(".", 1)
        ET.SubElement(sections[section], f"{{{NAMESPACE}}}{name}").text = value.strip()
    files = ET.SubElement(root, f"{{{NAMESPACE}}}attachments")
    for file_name, document, media_type in attachments:
        ET.SubElement(
            files,
            f"{{{NAMESPACE}}}file",
            {"name": file_name, "document": document, "mimeType": media_type},
        )
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def parse_application(xml: bytes) -> dict[str, str]:
    """The field values of an application XML by portal path (``policy.number``).

    Raises:
        ArchiveInvalidError: not our schema (root, namespace, version, unknown elements).
    """
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise ArchiveInvalidError("not XML", reason="файл заявления — не XML") from exc
    if root.tag != f"{{{NAMESPACE}}}application":
        raise ArchiveInvalidError("root", reason="чужая схема файла заявления")
    if root.get("schemaVersion") != SCHEMA_VERSION:
        raise ArchiveInvalidError("version", reason="неизвестная версия схемы заявления")
    values: dict[str, str] = {}
    for child in root:
        tag = child.tag.removeprefix(f"{{{NAMESPACE}}}")
        if tag in ("requestType", "clientReference"):
            values[tag] = (child.text or "").strip()
        elif tag in SECTIONS:
            for item in child:
                name = item.tag.removeprefix(f"{{{NAMESPACE}}}")
                path = f"{tag}.{name}"
                if path not in _BY_PATH:
                    raise ArchiveInvalidError(path, reason=f"неизвестное поле {tag}/{name}")
                values[path] = (item.text or "").strip()
        elif tag != "attachments":
            raise ArchiveInvalidError(tag, reason=f"неизвестный элемент {tag}")
    return values


def schema_problems(xml: bytes) -> list[tuple[str, str]]:
    """Our schema's problems of an application XML: (draft field, Russian message)."""
    values = parse_application(xml)
    problems: list[tuple[str, str]] = []
    if not values.get("clientReference"):
        problems.append(("clientReference", "нет номера черновика"))
    for f in FIELDS:
        value = values.get(f.portal_key, "")
        if f.required and not value:
            problems.append((f.key, "поле обязательно для заполнения"))
            continue
        pattern = _LEXICAL.get(f.kind)
        if value and pattern is not None and not pattern.match(value):
            problems.append((f.key, "значение не в том виде, что требует схема"))
    return problems


def file_name(document: str, index: int, media_type: str) -> str:
    return f"{document}_{index}.{_EXTENSIONS.get(media_type, 'bin')}"


def build_archive(
    draft: Draft, files: Sequence[ArchiveFile], *, signer: Signer | None = None
) -> Archive:
    """The flat ZIP of the application, validated before it is returned.

    Raises:
        ArchiveInvalidError: the XML breaks our schema (the fields are named).
    """
    signer = signer or NoSigner()
    named = [
        (file_name(f.document, index, f.media_type), f) for index, f in enumerate(files, start=1)
    ]
    xml = application_xml(draft, [(name, f.document, f.media_type) for name, f in named])
    problems = schema_problems(xml)
    if problems:
        raise ArchiveInvalidError(
            "schema",
            reason="; ".join(f"{xml_path(field)}: {message}" for field, message in problems),
            fields=tuple(field for field, _ in problems if field in _KEYS),
        )
    entries: list[tuple[str, bytes]] = [(REQ_NAME, xml)]
    entries.extend((name, f.data) for name, f in named)
    signed: list[tuple[str, bytes]] = []
    for name, data in entries:
        signed.append((name, data))
        signature = signer.sign(name, data)
        if signature is not None:
            signed.append((f"{name}.sig", signature))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in signed:
            if "/" in name or "\\" in name:  # the portal refuses folders in the archive
                raise ArchiveInvalidError(name, reason="папка внутри архива")
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return Archive(buffer.getvalue(), tuple(name for name, _ in signed))
