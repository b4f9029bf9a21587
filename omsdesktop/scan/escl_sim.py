"""An eSCL scanner simulator served over real HTTP (tests, demos, UI work without a scanner).

    with EsclSimulator(platen=[(image, 300.0)]) as sim:
        backend = EsclBackend(discover=False)
        pages = list(backend.scan(sim.url, ScanOptions(dpi=300)))

It answers like a typical MFP: capabilities (glass and feeder, 75-600 dpi, colour and grey,
JPEG/PNG/PDF), status, scan jobs with ``Location``, ``NextDocument`` pages rendered at the
requested resolution and mode, 404 after the last page, and ``DELETE``. Faults are switched on
by :attr:`EsclSimulator.fault`:

=============== ==========================================================================
``busy``        POST ScanJobs answers 503 and the status says Processing
``adf_empty``   the feeder is empty: AdfState ScannerAdfEmpty, POST with Feeder gives 409
``jam``         after ``jam_after`` pages NextDocument fails (500); AdfState ScannerAdfJam
``cover_open``  AdfState ScannerAdfHatchOpen, POST gives 409
``disconnect``  NextDocument sends the headers and half the page, then drops the connection
``stopped``     the scanner is in State Stopped and refuses jobs (500)
=============== ==========================================================================

``not_ready_polls`` makes the first NextDocument calls answer 503 ("not ready yet").
Run ``python -m omsdesktop.scan.escl_sim --port 8090 [IMAGE...]`` to serve it by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import socket
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import cv2
import numpy as np
from PIL import Image as PILImage

from omsdesktop.ocr.types import Image

NS = {
    "pwg": "http://www.pwg.org/schemas/2010/12/sm",
    "scan": "http://schemas.hp.com/imaging/escl/2011/05/03",
}
RESOLUTIONS = (75, 100, 150, 200, 300, 600)
FORMATS = ("image/jpeg", "image/png", "application/pdf")
MAX_WIDTH, MAX_HEIGHT = 2550, 3508  # 1/300 inch: A4 / Letter glass


@dataclass
class SimJob:
    """A job as the simulator received it (for tests to check what the client asked for)."""

    id: str
    source: str
    dpi: int
    mode: str
    fmt: str
    region: tuple[int, int, int, int]
    pages_sent: int = 0
    state: str = "Processing"
    reasons: list[str] = field(default_factory=list)
    deleted: bool = False


def sample_page() -> Image:
    """A plain A5 test page (a frame, a grid and a caption) at 300 dpi."""
    h, w = 2480, 1748
    page = np.full((h, w, 3), 250, np.uint8)
    cv2.rectangle(page, (60, 60), (w - 60, h - 60), (40, 40, 40), 6)
    for x in range(60, w - 60, 118):
        cv2.line(page, (x, 60), (x, h - 60), (200, 200, 200), 1)
    for y in range(60, h - 60, 118):
        cv2.line(page, (60, y), (w - 60, y), (200, 200, 200), 1)
    cv2.putText(page, "eSCL TEST PAGE", (200, 400), cv2.FONT_HERSHEY_SIMPLEX, 4, (0, 0, 0), 8)
    return page


def _render(image: Image, source_dpi: float, dpi: int, mode: str, fmt: str) -> bytes:
    scale = dpi / source_dpi
    if abs(scale - 1.0) > 1e-3:
        size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
        image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)
    if mode.startswith("Grayscale"):
        pil = PILImage.fromarray(np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)), "L")
    else:
        pil = PILImage.fromarray(np.ascontiguousarray(image[..., ::-1]), "RGB")
    out = io.BytesIO()
    if fmt == "application/pdf":
        pil.save(out, format="PDF", resolution=float(dpi))
    elif fmt == "image/png":
        pil.save(out, format="PNG", dpi=(dpi, dpi))
    else:
        pil.save(out, format="JPEG", quality=90, dpi=(dpi, dpi))
    return out.getvalue()


def _capabilities_xml(formats: Sequence[str]) -> bytes:
    def input_caps(tag: str) -> str:
        res = "".join(
            f"<scan:DiscreteResolution><scan:XResolution>{r}</scan:XResolution>"
            f"<scan:YResolution>{r}</scan:YResolution></scan:DiscreteResolution>"
            for r in RESOLUTIONS
        )
        fmts = "".join(
            f"<pwg:DocumentFormat>{f}</pwg:DocumentFormat>"
            f"<scan:DocumentFormatExt>{f}</scan:DocumentFormatExt>"
            for f in formats
        )
        return (
            f"<scan:{tag}>"
            f"<scan:MinWidth>16</scan:MinWidth><scan:MaxWidth>{MAX_WIDTH}</scan:MaxWidth>"
            f"<scan:MinHeight>16</scan:MinHeight><scan:MaxHeight>{MAX_HEIGHT}</scan:MaxHeight>"
            "<scan:SettingProfiles><scan:SettingProfile>"
            "<scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode>"
            "<scan:ColorMode>Grayscale8</scan:ColorMode></scan:ColorModes>"
            f"<scan:DocumentFormats>{fmts}</scan:DocumentFormats>"
            f"<scan:SupportedResolutions><scan:DiscreteResolutions>{res}"
            "</scan:DiscreteResolutions></scan:SupportedResolutions>"
            "</scan:SettingProfile></scan:SettingProfiles>"
            f"</scan:{tag}>"
        )

    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<scan:ScannerCapabilities xmlns:scan="{NS["scan"]}" xmlns:pwg="{NS["pwg"]}">'
        "<pwg:Version>2.63</pwg:Version>"
        "<pwg:MakeAndModel>Simulated eSCL Scanner</pwg:MakeAndModel>"
        "<pwg:SerialNumber>SIM0001</pwg:SerialNumber>"
        f"<scan:Platen>{input_caps('PlatenInputCaps')}</scan:Platen>"
        f"<scan:Adf>{input_caps('AdfSimplexInputCaps')}</scan:Adf>"
        "</scan:ScannerCapabilities>"
    ).encode()


class EsclSimulator:
    """An eSCL scanner on ``127.0.0.1`` (a free port), served from a thread.

    Args:
        platen: pages on the glass as (BGR image, its dpi); one is scanned per job.
        feeder: pages in the feeder, in order; a feeder job takes them all.
        formats: document formats offered (the client picks).
    """

    def __init__(
        self,
        platen: Sequence[tuple[Image, float]] | None = None,
        feeder: Sequence[tuple[Image, float]] = (),
        *,
        formats: Sequence[str] = FORMATS,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.platen = list(platen) if platen is not None else [(sample_page(), 300.0)]
        self.feeder = list(feeder)
        self.formats = tuple(formats)
        self.fault: str | None = None
        self.jam_after = 0
        self.not_ready_polls = 0
        self.jobs: dict[str, SimJob] = {}
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/eSCL"

    @property
    def device_id(self) -> str:
        return f"escl:{self.url}"

    def start(self) -> EsclSimulator:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> EsclSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---------------------------------------------------------------- state shown

    def _adf_state(self) -> str:
        if self.fault == "jam" and any("JamDetected" in j.reasons for j in self.jobs.values()):
            return "ScannerAdfJam"
        if self.fault == "cover_open":
            return "ScannerAdfHatchOpen"
        if self.fault == "adf_empty" or not self.feeder:
            return "ScannerAdfEmpty"
        return "ScannerAdfLoaded"

    def _state(self) -> str:
        if self.fault == "stopped" or (
            self.fault == "jam" and any("JamDetected" in j.reasons for j in self.jobs.values())
        ):
            return "Stopped"
        if self.fault == "busy" or any(
            j.state == "Processing" and not j.deleted for j in self.jobs.values()
        ):
            return "Processing"
        return "Idle"

    def status_xml(self) -> bytes:
        jobs = "".join(
            "<scan:JobInfo>"
            f"<pwg:JobUri>/eSCL/ScanJobs/{j.id}</pwg:JobUri><pwg:JobUuid>{j.id}</pwg:JobUuid>"
            f"<scan:Age>1</scan:Age><pwg:ImagesCompleted>{j.pages_sent}</pwg:ImagesCompleted>"
            f"<pwg:JobState>{j.state}</pwg:JobState><pwg:JobStateReasons>"
            + "".join(f"<pwg:JobStateReason>{r}</pwg:JobStateReason>" for r in j.reasons)
            + "</pwg:JobStateReasons></scan:JobInfo>"
            for j in self.jobs.values()
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<scan:ScannerStatus xmlns:scan="{NS["scan"]}" xmlns:pwg="{NS["pwg"]}">'
            f"<pwg:Version>2.63</pwg:Version><pwg:State>{self._state()}</pwg:State>"
            f"<scan:AdfState>{self._adf_state()}</scan:AdfState>"
            f"<scan:Jobs>{jobs}</scan:Jobs></scan:ScannerStatus>"
        ).encode()

    # ------------------------------------------------------------------ requests

    def _new_job(self, body: bytes) -> tuple[int, str | None]:
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            return 400, None

        def text(path: str, default: str = "") -> str:
            el = root.find(path, NS)
            return (el.text or "").strip() if el is not None and el.text else default

        source = text("pwg:InputSource", "Platen")
        if self.fault == "busy":
            return 503, None
        if self.fault == "stopped":
            return 500, None
        if self.fault == "cover_open" or (
            source == "Feeder" and (self.fault == "adf_empty" or not self.feeder)
        ):
            return 409, None
        fmt = text("pwg:DocumentFormat") or text("scan:DocumentFormatExt") or "image/jpeg"
        if fmt not in self.formats:
            return 400, None
        region = tuple(
            int(text(f"pwg:ScanRegions/pwg:ScanRegion/pwg:{n}", "0"))
            for n in ("XOffset", "YOffset", "Width", "Height")
        )
        job = SimJob(
            id=str(uuid.uuid4()),
            source=source,
            dpi=int(text("scan:XResolution", "300")),
            mode=text("scan:ColorMode", "RGB24"),
            fmt=fmt,
            region=(region[0], region[1], region[2], region[3]),
        )
        self.jobs[job.id] = job
        return 201, f"/eSCL/ScanJobs/{job.id}"

    def _next_document(self, job_id: str) -> tuple[int, bytes, str]:
        job = self.jobs.get(job_id)
        if job is None or job.deleted:
            return 404, b"", "text/plain"
        if self.not_ready_polls > 0:
            self.not_ready_polls -= 1
            return 503, b"", "text/plain"
        if job.source == "Feeder":
            if self.fault == "jam" and job.pages_sent >= self.jam_after:
                job.state = "Aborted"
                job.reasons = ["JamDetected"]
                return 500, b"", "text/plain"
            if not self.feeder:
                job.state = "Completed"
                job.reasons = ["JobCompletedSuccessfully"]
                return 404, b"", "text/plain"
            image, dpi = self.feeder.pop(0)  # pages leave the feeder as they are scanned
        else:
            if job.pages_sent >= 1 or not self.platen:
                return 404, b"", "text/plain"
            image, dpi = self.platen[0]
        data = _render(image, dpi, job.dpi, job.mode, job.fmt)
        job.pages_sent += 1
        if job.source != "Feeder":
            job.state = "Completed"
            job.reasons = ["JobCompletedSuccessfully"]
        return 200, data, job.fmt

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        sim = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, code: int, body: bytes = b"", ctype: str = "text/xml") -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0].rstrip("/")
                with sim._lock:
                    sim.requests.append(("GET", path))
                    if path == "/eSCL/ScannerCapabilities":
                        self._send(200, _capabilities_xml(sim.formats))
                        return
                    if path == "/eSCL/ScannerStatus":
                        self._send(200, sim.status_xml())
                        return
                    parts = path.split("/")
                    if len(parts) == 5 and parts[2] == "ScanJobs" and parts[4] == "NextDocument":
                        code, body, ctype = sim._next_document(parts[3])
                    else:
                        self._send(404)
                        return
                if code == 200 and sim.fault == "disconnect":
                    self.send_response(200)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                self._send(code, body, ctype)

            def do_POST(self) -> None:
                path = self.path.rstrip("/")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with sim._lock:
                    sim.requests.append(("POST", path))
                    if path != "/eSCL/ScanJobs":
                        self._send(404)
                        return
                    code, location = sim._new_job(body)
                if code == 201 and location:
                    self.send_response(201)
                    self.send_header("Location", f"http://127.0.0.1:{sim.port}{location}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self._send(code)

            def do_DELETE(self) -> None:
                path = self.path.rstrip("/")
                with sim._lock:
                    sim.requests.append(("DELETE", path))
                    job = sim.jobs.get(path.rsplit("/", 1)[-1])
                    if job is None:
                        self._send(404)
                        return
                    job.deleted = True
                    if job.state == "Processing":
                        job.state = "Canceled"
                self._send(200)

        return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="eSCL scanner simulator (for testing)")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--dpi", type=float, default=300.0, help="resolution of the images")
    parser.add_argument("images", nargs="*", help="pages on the glass / in the feeder")
    args = parser.parse_args(argv)
    pages = []
    for path in args.images:
        with open(path, "rb") as fh:
            data = np.frombuffer(fh.read(), np.uint8)
        decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
        if decoded is None:
            parser.error(f"not an image: {path}")
        pages.append((np.asarray(decoded, np.uint8), args.dpi))
    sim = EsclSimulator(pages[:1] or None, pages, port=args.port)
    print(f"eSCL simulator at {sim.url} (device id {sim.device_id}); Ctrl+C stops it")
    with sim, contextlib.suppress(KeyboardInterrupt):
        for _ in itertools.count():
            threading.Event().wait(3600)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
