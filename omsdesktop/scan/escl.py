"""eSCL ("AirScan", Mopria) network scanners over HTTP, on every platform.

The protocol, as printers and MFPs of most vendors implement it:

* ``GET  {base}/ScannerCapabilities`` — make and model, resolutions, colour modes, formats and
  sources (``Platen``, ``Adf``) with their sizes in 1/300 inch;
* ``GET  {base}/ScannerStatus`` — ``pwg:State`` (Idle, Processing, Testing, Stopped, Down) and,
  with a feeder, ``scan:AdfState`` (ScannerAdfLoaded, ScannerAdfEmpty, ScannerAdfJam,
  ScannerAdfDoorOpen, ...);
* ``POST {base}/ScanJobs`` with ``scan:ScanSettings`` XML — 201 and a ``Location`` header naming
  the job; 503 when the scanner is busy; 409 when the job cannot start (an empty feeder);
* ``GET  {job}/NextDocument`` — 200 with one page (JPEG, PNG or PDF), 404 when there are no more
  pages, 503 while the page is not ready yet;
* ``DELETE {job}`` — cancel.

Device ids are ``escl:`` + the base URL, e.g. ``escl:http://192.168.1.20/eSCL``. Network
scanners announce themselves over mDNS as ``_uscan._tcp`` (``_uscans._tcp`` for HTTPS); the
optional ``zeroconf`` package finds them (:func:`discover`). Scanners on another subnet are not
announced: give their address by hand.

This backend runs in the app's process: it is plain HTTP, no native driver can crash it.
"""

from __future__ import annotations

import logging
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from omsdesktop.ocr.intake import IntakeError, IntakeLimits, load_bytes
from omsdesktop.scan.errors import (
    FeederUnavailableError,
    ScanCancelledError,
    ScannerAccessDeniedError,
    ScannerBusyError,
    ScannerCoverOpenError,
    ScannerDataError,
    ScannerDisconnectedError,
    ScannerError,
    ScannerJammedError,
    ScannerNotFoundError,
    ScannerNotRespondingError,
    ScannerOutOfPaperError,
    ScannerUnreachableError,
    ScanOptionUnsupportedError,
)
from omsdesktop.scan.types import (
    Cancelled,
    ColourMode,
    DeviceCapabilities,
    DeviceInfo,
    Progress,
    ScannedPage,
    ScanOptions,
    Source,
)

log = logging.getLogger(__name__)


@contextmanager
def _transport_errors(
    connect: type[ScannerError] = ScannerUnreachableError,
) -> Iterator[None]:
    """Turn httpx's transport failures into the scanner's typed errors."""
    try:
        yield
    except httpx.ConnectError as exc:
        raise connect(f"escl: connect {type(exc).__name__}") from exc
    except httpx.TimeoutException as exc:
        raise ScannerNotRespondingError(f"escl: {type(exc).__name__}") from exc
    except httpx.TransportError as exc:
        raise ScannerDisconnectedError(f"escl: {type(exc).__name__}") from exc


NAME = "escl"
NS = {
    "pwg": "http://www.pwg.org/schemas/2010/12/sm",
    "scan": "http://schemas.hp.com/imaging/escl/2011/05/03",
}
SERVICE_TYPES = ("_uscan._tcp.local.", "_uscans._tcp.local.")
MAX_XML_BYTES = 1 << 20
MAX_PAGE_BYTES = 512 << 20
_MM_PER_300 = 25.4 / 300.0

_MODE_VALUES = {ColourMode.COLOR: "RGB24", ColourMode.GRAY: "Grayscale8"}
_SOURCE_VALUES = {Source.FLATBED: "Platen", Source.FEEDER: "Feeder"}
# Preferred page formats, best for reading first (lossless PNG, then JPEG, then PDF).
_FORMATS = ("image/png", "image/jpeg", "application/pdf")


@dataclass(frozen=True)
class InputCaps:
    """One input source of an eSCL scanner (the glass or the feeder)."""

    max_width: int  # 1/300 inch
    max_height: int
    modes: tuple[str, ...]
    resolutions: tuple[int, ...]
    formats: tuple[str, ...]


@dataclass(frozen=True)
class EsclCapabilities:
    make_and_model: str
    version: str
    platen: InputCaps | None
    feeder: InputCaps | None

    def to_device_capabilities(self) -> DeviceCapabilities:
        inputs = [c for c in (self.platen, self.feeder) if c is not None]
        resolutions = sorted({r for c in inputs for r in c.resolutions})
        modes = tuple(
            m for m, value in _MODE_VALUES.items() if any(value in c.modes for c in inputs)
        )
        sources = tuple(
            s
            for s, c in ((Source.FLATBED, self.platen), (Source.FEEDER, self.feeder))
            if c is not None
        )
        main = self.platen or self.feeder
        return DeviceCapabilities(
            resolutions=tuple(resolutions),
            modes=modes,
            sources=sources,
            max_width_mm=round(main.max_width * _MM_PER_300, 1) if main else None,
            max_height_mm=round(main.max_height * _MM_PER_300, 1) if main else None,
        )


@dataclass(frozen=True)
class EsclStatus:
    state: str  # Idle, Processing, Testing, Stopped, Down
    adf_state: str | None  # ScannerAdfLoaded, ScannerAdfEmpty, ScannerAdfJam, ...
    job_reasons: dict[str, tuple[str, ...]]  # job URI -> JobStateReasons


# ------------------------------------------------------------------------------- parsing


def _parse_xml(data: bytes) -> ET.Element:
    if len(data) > MAX_XML_BYTES:
        raise ScannerError("escl: XML answer too large")
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
        raise ScannerError("escl: XML with a DTD refused")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise ScannerError(f"escl: bad XML ({exc})") from exc


def _text(el: ET.Element | None, path: str, default: str = "") -> str:
    if el is None:
        return default
    found = el.find(path, NS)
    return (found.text or "").strip() if found is not None and found.text else default


def _int(el: ET.Element | None, path: str, default: int = 0) -> int:
    try:
        return int(float(_text(el, path, str(default))))
    except ValueError:
        return default


def _input_caps(el: ET.Element | None) -> InputCaps | None:
    if el is None:
        return None
    modes = tuple(
        (m.text or "").strip() for m in el.iterfind(".//scan:ColorModes/scan:ColorMode", NS)
    )
    resolutions = sorted(
        {
            _int(r, "scan:XResolution")
            for r in el.iterfind(".//scan:DiscreteResolutions/scan:DiscreteResolution", NS)
        }
        - {0}
    )
    if not resolutions:
        rng = el.find(".//scan:ResolutionRange", NS)
        if rng is not None:
            low, high = (
                _int(rng, "scan:XResolutionRange/scan:Min"),
                _int(rng, "scan:XResolutionRange/scan:Max"),
            )
            resolutions = [d for d in (75, 100, 150, 200, 300, 600, 1200) if low <= d <= high]
    formats = {
        (f.text or "").strip()
        for path in (".//pwg:DocumentFormat", ".//scan:DocumentFormatExt")
        for f in el.iterfind(path, NS)
    }
    return InputCaps(
        max_width=_int(el, "scan:MaxWidth"),
        max_height=_int(el, "scan:MaxHeight"),
        modes=modes,
        resolutions=tuple(resolutions),
        formats=tuple(sorted(formats - {""})),
    )


def parse_capabilities(data: bytes) -> EsclCapabilities:
    root = _parse_xml(data)
    platen = root.find("scan:Platen/scan:PlatenInputCaps", NS)
    feeder = root.find("scan:Adf/scan:AdfSimplexInputCaps", NS)
    return EsclCapabilities(
        make_and_model=_text(root, "pwg:MakeAndModel") or "eSCL scanner",
        version=_text(root, "pwg:Version") or "2.0",
        platen=_input_caps(platen),
        feeder=_input_caps(feeder),
    )


def parse_status(data: bytes) -> EsclStatus:
    root = _parse_xml(data)
    reasons: dict[str, tuple[str, ...]] = {}
    for job in root.iterfind(".//scan:Jobs/scan:JobInfo", NS):
        uri = _text(job, "pwg:JobUri")
        reasons[uri] = tuple(
            (r.text or "").strip() for r in job.iterfind(".//pwg:JobStateReason", NS)
        ) + ((_text(job, "pwg:JobState"),) if _text(job, "pwg:JobState") else ())
    adf = _text(root, "scan:AdfState") or None
    return EsclStatus(
        state=_text(root, "pwg:State") or "Unknown", adf_state=adf, job_reasons=reasons
    )


def scan_settings_xml(options: ScanOptions, caps: EsclCapabilities, *, dpi: int, fmt: str) -> bytes:
    """The ``scan:ScanSettings`` document for a job."""
    source = caps.feeder if options.source is Source.FEEDER else caps.platen
    assert source is not None
    if options.area_mm is None:
        x = y = 0
        width, height = source.max_width, source.max_height
    else:
        left, top, w_mm, h_mm = options.area_mm
        x, y = round(left / _MM_PER_300), round(top / _MM_PER_300)
        width, height = round(w_mm / _MM_PER_300), round(h_mm / _MM_PER_300)
    pwg, scan = NS["pwg"], NS["scan"]
    version = caps.version if caps.version else "2.0"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<scan:ScanSettings xmlns:scan="{scan}" xmlns:pwg="{pwg}">'
        f"<pwg:Version>{version}</pwg:Version>"
        "<scan:Intent>Document</scan:Intent>"
        "<pwg:ScanRegions><pwg:ScanRegion>"
        f"<pwg:Height>{height}</pwg:Height><pwg:Width>{width}</pwg:Width>"
        f"<pwg:XOffset>{x}</pwg:XOffset><pwg:YOffset>{y}</pwg:YOffset>"
        "<pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>"
        "</pwg:ScanRegion></pwg:ScanRegions>"
        f"<pwg:InputSource>{_SOURCE_VALUES[options.source]}</pwg:InputSource>"
        f"<scan:ColorMode>{_MODE_VALUES[options.mode]}</scan:ColorMode>"
        f"<scan:XResolution>{dpi}</scan:XResolution>"
        f"<scan:YResolution>{dpi}</scan:YResolution>"
        f"<pwg:DocumentFormat>{fmt}</pwg:DocumentFormat>"
        f"<scan:DocumentFormatExt>{fmt}</scan:DocumentFormatExt>"
        "</scan:ScanSettings>"
    ).encode()


def _status_error(status: EsclStatus, job_url: str | None = None) -> ScannerError | None:
    """The error a scanner's state explains, if any."""
    reasons: tuple[str, ...] = ()
    if job_url:
        path = urlsplit(job_url).path
        for uri, job_reasons in status.job_reasons.items():
            if uri and (uri == path or path.endswith(uri) or uri.endswith(path)):
                reasons = job_reasons
    adf = (status.adf_state or "").lower()
    text = " ".join(reasons).lower()
    detail = f"escl: state={status.state} adf={status.adf_state} job={','.join(reasons)}"
    if "jam" in adf or "jam" in text:
        return ScannerJammedError(detail)
    if "dooropen" in adf or "hatchopen" in adf or "coveropen" in text:
        return ScannerCoverOpenError(detail)
    if "empty" in adf or "inputtrayempty" in text or "mediaempty" in text:
        return ScannerOutOfPaperError(detail)
    if status.state in ("Stopped", "Down"):
        return ScannerError(detail)
    return None


# -------------------------------------------------------------------------------- client


def _device_url(device: str) -> str:
    base = device.rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        from omsdesktop.scan.errors import UnknownDeviceIdError

        raise UnknownDeviceIdError(f"escl: bad URL {device!r}")
    return base


class EsclBackend:
    """eSCL scanners: the given addresses plus, optionally, those found by mDNS.

    Args:
        addresses: base URLs (``http://host:port/eSCL``) always listed (probed for their name).
        discover: browse mDNS for ``_uscan._tcp`` when listing (needs ``zeroconf``).
        discovery_timeout_s: how long to browse.
        timeout_s: network timeout of one HTTP request.
        page_wait_s: how long to wait for a page that is "not ready yet" (503).
        transport: an httpx transport (tests), None = the network.
    """

    name = NAME

    def __init__(
        self,
        addresses: Sequence[str] = (),
        *,
        discover: bool = True,
        discovery_timeout_s: float = 2.0,
        timeout_s: float = 30.0,
        page_wait_s: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.addresses = tuple(addresses)
        self.discover = discover
        self.discovery_timeout_s = discovery_timeout_s
        self.timeout_s = timeout_s
        self.page_wait_s = page_wait_s
        self._transport = transport

    def available(self) -> bool:
        return True

    def _client(self) -> httpx.Client:
        return httpx.Client(
            timeout=httpx.Timeout(self.timeout_s, connect=min(self.timeout_s, 10.0)),
            transport=self._transport,
            follow_redirects=True,
            headers={"User-Agent": "omsdesktop-escl/1"},
        )

    # -------------------------------------------------------------------- requests

    def _get(self, client: httpx.Client, url: str) -> httpx.Response:
        with _transport_errors():
            return client.get(url)

    def _xml(self, client: httpx.Client, url: str) -> bytes:
        response = self._get(client, url)
        if response.status_code in (401, 403):
            raise ScannerAccessDeniedError(f"escl: HTTP {response.status_code}")
        if response.status_code == 404:
            raise ScannerNotFoundError(f"escl: HTTP 404 for {urlsplit(url).path}")
        if response.status_code == 503:
            raise ScannerBusyError("escl: HTTP 503")
        if response.status_code != 200:
            raise ScannerError(f"escl: HTTP {response.status_code}")
        return response.content

    def fetch_capabilities(self, device: str) -> EsclCapabilities:
        base = _device_url(device)
        with self._client() as client:
            return parse_capabilities(self._xml(client, f"{base}/ScannerCapabilities"))

    def fetch_status(self, device: str, client: httpx.Client | None = None) -> EsclStatus:
        base = _device_url(device)
        if client is None:
            with self._client() as own:
                return parse_status(self._xml(own, f"{base}/ScannerStatus"))
        return parse_status(self._xml(client, f"{base}/ScannerStatus"))

    # ---------------------------------------------------------------- backend API

    def list_devices(self, *, cancelled: Cancelled | None = None) -> list[DeviceInfo]:
        found: dict[str, DeviceInfo] = {}
        for address in self.addresses:
            base = _device_url(address)
            caps = self.fetch_capabilities(base)
            found[base] = DeviceInfo(
                id=f"{NAME}:{base}",
                backend=NAME,
                name=caps.make_and_model,
                model=caps.make_and_model,
                kind="network scanner (eSCL)",
                address=base,
            )
        if self.discover and not (cancelled is not None and cancelled()):
            for device in discover(self.discovery_timeout_s):
                found.setdefault(device.local_id, device)
        return list(found.values())

    def capabilities(self, device: str) -> DeviceCapabilities:
        return self.fetch_capabilities(device).to_device_capabilities()

    def scan(
        self,
        device: str,
        options: ScanOptions,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> Iterator[ScannedPage]:
        base = _device_url(device)
        with self._client() as client:
            caps = parse_capabilities(self._xml(client, f"{base}/ScannerCapabilities"))
            source = caps.feeder if options.source is Source.FEEDER else caps.platen
            if source is None:
                if options.source is Source.FEEDER:
                    raise FeederUnavailableError("escl: no Adf in capabilities")
                source = caps.feeder
                if source is None:
                    raise ScannerError("escl: no input source in capabilities")
                options = _with_source(options, Source.FEEDER)
            dpi = _pick_resolution(source.resolutions, options.dpi)
            if source.modes and _MODE_VALUES[options.mode] not in source.modes:
                raise ScanOptionUnsupportedError(
                    f"escl: mode {options.mode.value}",
                    what="этот цветовой режим",
                    available=", ".join(source.modes),
                )
            fmt = next((f for f in _FORMATS if f in source.formats), "image/jpeg")
            status = self.fetch_status(base, client)
            if options.source is Source.FEEDER:
                problem = _status_error(status)
                if problem is not None:
                    raise problem
            job_url = self._create_job(
                client, base, scan_settings_xml(options, caps, dpi=dpi, fmt=fmt)
            )
            finished = False
            try:
                limit = options.max_pages if options.source is Source.FEEDER else 1
                index = 0
                while index < limit:
                    data = self._next_document(client, base, job_url, index, progress, cancelled)
                    if data is None:
                        break
                    for page in _decode(data, dpi):
                        yield ScannedPage(
                            image=page, dpi=float(dpi), index=index, device_id=f"{NAME}:{base}"
                        )
                        index += 1
                finished = options.source is Source.FEEDER and index < limit
            finally:
                if not finished:
                    self._delete_job(client, job_url)

    # -------------------------------------------------------------------- job steps

    def _create_job(self, client: httpx.Client, base: str, body: bytes) -> str:
        with _transport_errors():
            response = client.post(
                f"{base}/ScanJobs", content=body, headers={"Content-Type": "text/xml"}
            )
        if response.status_code == 503:
            raise ScannerBusyError("escl: POST ScanJobs 503")
        if response.status_code in (401, 403):
            raise ScannerAccessDeniedError(f"escl: POST ScanJobs {response.status_code}")
        if response.status_code == 409:
            problem = _status_error(self.fetch_status(base, client))
            raise problem or ScannerBusyError("escl: POST ScanJobs 409")
        if response.status_code not in (200, 201):
            problem = _status_error(self.fetch_status(base, client))
            raise problem or ScannerError(f"escl: POST ScanJobs {response.status_code}")
        location = str(response.headers.get("Location") or "")
        if not location:
            raise ScannerError("escl: no Location in the ScanJobs answer")
        return urljoin(base + "/", location).rstrip("/")

    def _delete_job(self, client: httpx.Client, job_url: str) -> None:
        try:
            client.delete(job_url, timeout=5.0)
        except httpx.HTTPError:
            log.debug("escl: could not delete the job (scanner gone?)")

    def _next_document(
        self,
        client: httpx.Client,
        base: str,
        job_url: str,
        index: int,
        progress: Progress | None,
        cancelled: Cancelled | None,
    ) -> bytes | None:
        deadline = time.monotonic() + self.page_wait_s
        delay = 0.2
        while True:
            if cancelled is not None and cancelled():
                raise ScanCancelledError("escl: cancelled")
            # Mid-job, a scanner that stops answering has gone away: disconnected.
            with (
                _transport_errors(connect=ScannerDisconnectedError),
                client.stream("GET", f"{job_url}/NextDocument") as response,
            ):
                code = response.status_code
                if code == 200:
                    return self._read_body(response, progress, cancelled)
                response.read()
            if code == 404:
                if index > 0:
                    return None
                problem = _status_error(self.fetch_status(base, client), job_url)
                raise problem or ScannerError("escl: no page in the job")
            if code == 503:
                if time.monotonic() > deadline:
                    raise ScannerNotRespondingError("escl: page not ready in time")
                time.sleep(delay)
                delay = min(delay * 1.5, 2.0)
                continue
            problem = _status_error(self.fetch_status(base, client), job_url)
            raise problem or ScannerError(f"escl: NextDocument HTTP {code}")

    def _read_body(
        self, response: httpx.Response, progress: Progress | None, cancelled: Cancelled | None
    ) -> bytes:
        expected = int(response.headers.get("Content-Length") or 0)
        chunks: list[bytes] = []
        received = 0
        for chunk in response.iter_bytes(1 << 16):
            if cancelled is not None and cancelled():
                raise ScanCancelledError("escl: cancelled during download")
            chunks.append(chunk)
            received += len(chunk)
            if received > MAX_PAGE_BYTES:
                raise ScannerDataError("escl: page too large")
            if progress is not None and expected:
                progress(min(1.0, received / expected))
        if expected and received < expected:
            raise ScannerDisconnectedError(f"escl: page cut short ({received} of {expected})")
        if progress is not None:
            progress(1.0)
        return b"".join(chunks)


def _with_source(options: ScanOptions, source: Source) -> ScanOptions:
    import dataclasses

    return dataclasses.replace(options, source=source)


def _pick_resolution(offered: Sequence[int], wanted: int) -> int:
    if not offered:
        return wanted
    higher = sorted(r for r in offered if r >= wanted)
    return higher[0] if higher else max(offered)


def _decode(data: bytes, dpi: int) -> list[Any]:
    # A PDF page is rendered at the scan's own resolution (not the intake's default).
    limits = IntakeLimits(pdf_dpi=dpi)
    try:
        pages = load_bytes(data, limits=limits)
    except IntakeError as exc:
        raise ScannerDataError(f"escl: {exc.code}") from exc
    return [p.image for p in pages]


# ----------------------------------------------------------------------------- discovery


def device_from_service(
    service_type: str, name: str, addresses: Sequence[str], port: int, properties: dict[Any, Any]
) -> DeviceInfo:
    """A device from an mDNS service record (``_uscan._tcp`` / ``_uscans._tcp``).

    TXT keys used: ``rs`` (resource path, usually ``eSCL``), ``ty`` (model name),
    ``mfg``/``mdl`` (some vendors).
    """

    def prop(key: str) -> str:
        value = properties.get(key.encode()) if key.encode() in properties else properties.get(key)
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        return str(value) if value is not None else ""

    scheme = "https" if service_type.startswith("_uscans") else "http"
    host = next((a for a in addresses if ":" not in a), addresses[0] if addresses else "")
    if ":" in host:
        host = f"[{host}]"
    resource = prop("rs").strip("/") or "eSCL"
    default_port = 443 if scheme == "https" else 80
    netloc = host if port == default_port else f"{host}:{port}"
    base = f"{scheme}://{netloc}/{resource}"
    model = prop("ty") or " ".join(p for p in (prop("mfg"), prop("mdl")) if p)
    label = model or name.split("._", 1)[0]
    return DeviceInfo(
        id=f"{NAME}:{base}",
        backend=NAME,
        name=label,
        vendor=prop("mfg"),
        model=model,
        kind="network scanner (eSCL)",
        address=base,
    )


def discover(
    timeout_s: float = 2.0, *, zeroconf_factory: Callable[[], Any] | None = None
) -> list[DeviceInfo]:
    """Network scanners announcing eSCL over mDNS; empty when ``zeroconf`` is not installed.

    Raises nothing for network trouble (no multicast, no interfaces): discovery is best effort
    and the user can always type an address.
    """
    try:
        from zeroconf import ServiceBrowser, Zeroconf
    except ImportError:
        log.info("zeroconf is not installed: network scanners are not discovered")
        return []
    try:
        zc = zeroconf_factory() if zeroconf_factory is not None else Zeroconf()
    except OSError as exc:
        log.info("mDNS unavailable: %s", type(exc).__name__)
        return []
    found: dict[str, DeviceInfo] = {}
    seen: list[tuple[str, str]] = []

    class _Listener:
        def add_service(self, zc_: Any, type_: str, name: str) -> None:
            seen.append((type_, name))

        def update_service(self, zc_: Any, type_: str, name: str) -> None:
            pass

        def remove_service(self, zc_: Any, type_: str, name: str) -> None:
            pass

    try:
        browser = ServiceBrowser(zc, list(SERVICE_TYPES), _Listener())  # type: ignore[arg-type]
        time.sleep(max(0.0, timeout_s))
        for type_, name in list(seen):
            info = zc.get_service_info(type_, name, timeout=1000)
            if info is None:
                continue
            addresses = info.parsed_addresses()
            device = device_from_service(
                type_, name, addresses, int(info.port or 80), dict(info.properties or {})
            )
            found.setdefault(device.id, device)
        browser.cancel()
    except OSError as exc:
        log.info("mDNS browsing failed: %s", type(exc).__name__)
    finally:
        zc.close()
    return list(found.values())
