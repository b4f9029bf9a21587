"""``omsdesktop scan --list | --device ID --out FILE``: scanners from the command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from omsdesktop.commands import emit_json, terminal_progress
from omsdesktop.errors import UsageError

OUT_FORMATS = {
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".pdf": "pdf",
}


def register(sub: Any) -> None:
    p = sub.add_parser(
        "scan",
        help="сканеры: список (--list) и сканирование в файл (--device ID --out ФАЙЛ)",
        description=(
            "Список сканеров (SANE в Linux, WIA в Windows, сетевые AirScan/eSCL) и "
            "сканирование документа в файл. Идентификатор сканера берётся из списка: "
            "sane:…, escl:http://…/eSCL, wia:…"
        ),
    )
    p.add_argument("--list", action="store_true", help="показать найденные сканеры")
    p.add_argument("--json", action="store_true", help="ответ одной строкой JSON")
    p.add_argument("--device", metavar="ID", help="сканер (по умолчанию — из настроек)")
    p.add_argument("--dpi", type=int, default=300, help="разрешение, точек на дюйм (300)")
    p.add_argument("--mode", choices=("color", "gray"), default="color", help="цвет или серый")
    p.add_argument(
        "--source",
        choices=("flatbed", "feeder"),
        default="flatbed",
        help="стекло (один лист) или автоподатчик (все листы)",
    )
    p.add_argument("--out", metavar="ФАЙЛ", help="куда сохранить: .png, .jpg, .tif или .pdf")
    p.add_argument(
        "--no-crop",
        action="store_true",
        help="не обрезать по документу (по умолчанию документ вырезается из всего стекла)",
    )
    p.add_argument(
        "--backend",
        action="append",
        choices=("sane", "escl", "wia"),
        help="искать только этим способом (можно несколько раз)",
    )
    p.add_argument(
        "--escl",
        action="append",
        default=[],
        metavar="URL",
        help="адрес сетевого сканера, например http://192.168.1.20/eSCL (можно несколько)",
    )
    p.add_argument(
        "--no-discovery", action="store_true", help="не искать сетевые сканеры в сети (mDNS)"
    )
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="ИМЯ=ЗНАЧЕНИЕ",
        help="дополнительный параметр драйвера SANE, например test-picture=Grid",
    )
    p.set_defaults(func=run)


def _backends(args: argparse.Namespace) -> list[Any]:
    from omsdesktop.scan.devices import default_backends

    return default_backends(
        names=args.backend, escl_addresses=args.escl, discover=not args.no_discovery
    )


def _option_value(text: str) -> str | int | float | bool:
    low = text.lower()
    if low in ("yes", "true", "on"):
        return True
    if low in ("no", "false", "off"):
        return False
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def run(args: argparse.Namespace) -> int:
    if args.list:
        return run_list(args)
    return run_scan(args)


def run_list(args: argparse.Namespace) -> int:
    from omsdesktop.scan.devices import list_devices, no_scanners_error

    found = list_devices(_backends(args))
    if args.json:
        out: dict[str, Any] = {
            "devices": [d.to_json() for d in found.devices],
            "problems": [p.to_json() for p in found.problems],
        }
        if not found.devices:
            out["error"] = no_scanners_error(found).to_json()
        emit_json(out)
        return 0 if found.devices else 1
    if not found.devices:
        raise no_scanners_error(found)
    lines = [f"{d.id}\t{d.name}" + (f" ({d.kind})" if d.kind else "") for d in found.devices]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def run_scan(args: argparse.Namespace) -> int:
    from omsdesktop.scan.autocrop import autocrop
    from omsdesktop.scan.devices import iter_scan
    from omsdesktop.scan.types import ColourMode, ScannedPage, ScanOptions, Source, encode_pages

    device = args.device
    if not device:
        from omsdesktop.settings import load_settings

        device = load_settings().default_scanner
    if not device:
        raise UsageError("no device", what="укажите сканер: --device ID (список: scan --list)")
    if not args.out:
        raise UsageError("no out", what="укажите файл: --out ФАЙЛ.png (или .jpg, .tif, .pdf)")
    out = Path(args.out)
    fmt = OUT_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise UsageError("bad suffix", what="файл должен оканчиваться на .png, .jpg, .tif или .pdf")
    if not 50 <= args.dpi <= 1200:
        raise UsageError("bad dpi", what="разрешение от 50 до 1200 точек на дюйм")
    backend_options = []
    for item in args.option:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError("bad option", what="параметр драйвера пишется как ИМЯ=ЗНАЧЕНИЕ")
        backend_options.append((name.strip(), _option_value(value.strip())))
    options = ScanOptions(
        dpi=args.dpi,
        mode=ColourMode(args.mode),
        source=Source(args.source),
        backend_options=tuple(backend_options),
    )
    backends = _backends(args)
    progress = terminal_progress("Сканирование")
    pages: list[ScannedPage] = []
    cropped = 0
    try:
        for page in iter_scan(device, options, backends=backends, progress=progress):
            if not args.no_crop:
                cut = autocrop(page.image, dpi=page.dpi)
                if cut.found:
                    cropped += 1
                    page = ScannedPage(
                        image=cut.image, dpi=page.dpi, index=page.index, device_id=page.device_id
                    )
            pages.append(page)
    finally:
        if progress is not None:
            sys.stderr.write("\n")
    written = _write(out, fmt, pages, encode_pages)
    if args.json:
        emit_json(
            {
                "device": device,
                "files": [str(p) for p in written],
                "pages": len(pages),
                "dpi": pages[0].dpi if pages else None,
                "cropped": cropped,
                "sizes": [[p.image.shape[1], p.image.shape[0]] for p in pages],
            }
        )
    else:
        for path in written:
            sys.stdout.write(f"{path}\n")
    return 0


def _write(out: Path, fmt: str, pages: list[Any], encode: Any) -> list[Path]:
    """One file for TIFF/PDF (all pages); NAME-001.png ... for several PNG/JPEG pages."""
    if not pages:
        return []
    if fmt in ("tiff", "pdf") or len(pages) == 1:
        targets = [(out, pages)]
    else:
        targets = [
            (out.with_name(f"{out.stem}-{i + 1:03d}{out.suffix}"), [page])
            for i, page in enumerate(pages)
        ]
    written = []
    for path, group in targets:
        data = encode(group, fmt)
        tmp = path.with_name(path.name + ".part")
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        written.append(path)
    return written
