"""eSCL over real HTTP on loopback against the simulator (omsdesktop.scan.escl_sim)."""

from __future__ import annotations

import sys

import cv2
import numpy as np
import pytest

from omsdesktop.scan.errors import (
    FeederUnavailableError,
    ScanCancelledError,
    ScannerBusyError,
    ScannerCoverOpenError,
    ScannerDisconnectedError,
    ScannerError,
    ScannerJammedError,
    ScannerOutOfPaperError,
    ScannerUnreachableError,
)
from omsdesktop.scan.escl import (
    EsclBackend,
    device_from_service,
    discover,
    parse_capabilities,
    parse_status,
)
from omsdesktop.scan.escl_sim import EsclSimulator
from omsdesktop.scan.types import ColourMode, ScanOptions, Source
from tests.docgen import degrade, generate_certificate, generate_policy


@pytest.fixture(scope="module")
def certificate() -> np.ndarray:
    image, _ = degrade(generate_certificate(11, layout="labels_left"), "scan300", 1)
    return image


def client() -> EsclBackend:
    return EsclBackend(discover=False, timeout_s=10, page_wait_s=10)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    a = a.astype(np.float32).mean(axis=2)
    b = b.astype(np.float32).mean(axis=2)
    a -= a.mean()
    b -= b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def test_lists_a_given_address(escl_sim: EsclSimulator) -> None:
    devices = EsclBackend([escl_sim.url], discover=False).list_devices()
    assert [d.id for d in devices] == [escl_sim.device_id]
    assert devices[0].name == "Simulated eSCL Scanner"
    caps = client().capabilities(escl_sim.url)
    assert set(caps.sources) == {Source.FLATBED, Source.FEEDER}
    assert set(caps.modes) == {ColourMode.COLOR, ColourMode.GRAY}
    assert 300 in caps.resolutions and caps.max_height_mm == pytest.approx(297.0, abs=0.5)


@pytest.mark.slow  # the eSCL simulator over HTTP
@pytest.mark.parametrize("dpi", [300, 150])
def test_scans_the_page_on_the_glass(certificate: np.ndarray, dpi: int) -> None:
    with EsclSimulator(platen=[(certificate, 300.0)]) as sim:
        pages = list(client().scan(sim.url, ScanOptions(dpi=dpi)))
        job = next(iter(sim.jobs.values()))
    assert len(pages) == 1
    page = pages[0]
    h, w = certificate.shape[:2]
    assert abs(page.image.shape[0] - h * dpi / 300) <= 1
    assert abs(page.image.shape[1] - w * dpi / 300) <= 1
    assert page.dpi == dpi and page.device_id == sim.device_id
    assert (job.dpi, job.mode, job.source, job.fmt) == (dpi, "RGB24", "Platen", "image/png")
    assert job.deleted
    if dpi == 300:
        assert similarity(page.image, certificate) > 0.99


@pytest.mark.slow  # the eSCL simulator over HTTP
def test_grey_scan(certificate: np.ndarray) -> None:
    with EsclSimulator(platen=[(certificate, 300.0)]) as sim:
        page = next(client().scan(sim.url, ScanOptions(dpi=100, mode=ColourMode.GRAY)))
        assert next(iter(sim.jobs.values())).mode == "Grayscale8"
    assert np.array_equal(page.image[..., 0], page.image[..., 2])


@pytest.mark.slow  # the eSCL simulator over HTTP
def test_jpeg_and_pdf_only_scanners(certificate: np.ndarray) -> None:
    for fmt in ("image/jpeg", "application/pdf"):
        with EsclSimulator(platen=[(certificate, 300.0)], formats=(fmt,)) as sim:
            page = next(client().scan(sim.url, ScanOptions(dpi=150)))
            assert next(iter(sim.jobs.values())).fmt == fmt
        h, w = certificate.shape[:2]
        assert abs(page.image.shape[0] - h / 2) <= 1 and abs(page.image.shape[1] - w / 2) <= 1
        reference = cv2.resize(certificate, page.image.shape[1::-1], interpolation=cv2.INTER_AREA)
        # JPEG smooths the paper's noise away: compare what a reader sees, the print.
        blur = (5, 5)
        assert similarity(cv2.blur(page.image, blur), cv2.blur(reference, blur)) > 0.97


@pytest.mark.slow  # the eSCL simulator over HTTP
def test_feeder_batch(certificate: np.ndarray) -> None:
    policy, _ = degrade(generate_policy(11, form="unified"), "scan300", 1)
    with EsclSimulator(feeder=[(certificate, 300.0), (policy, 300.0)]) as sim:
        seen: list[float] = []
        pages = list(
            client().scan(sim.url, ScanOptions(dpi=100, source=Source.FEEDER), progress=seen.append)
        )
        assert sim.feeder == []
        assert not next(iter(sim.jobs.values())).deleted  # finished normally
    assert [p.index for p in pages] == [0, 1]
    assert abs(pages[1].image.shape[1] - policy.shape[1] / 3) <= 1
    assert seen and seen[-1] == 1.0


@pytest.mark.slow  # the eSCL simulator over HTTP
def test_page_not_ready_yet_is_waited_for(certificate: np.ndarray) -> None:
    with EsclSimulator(platen=[(certificate, 300.0)]) as sim:
        sim.not_ready_polls = 3
        pages = list(client().scan(sim.url, ScanOptions(dpi=75)))
        polls = [r for r in sim.requests if r[1].endswith("/NextDocument")]
    assert len(pages) == 1 and len(polls) == 4


@pytest.mark.parametrize(
    ("fault", "source", "error", "words"),
    [
        ("busy", Source.FLATBED, ScannerBusyError, "занят"),
        ("adf_empty", Source.FEEDER, ScannerOutOfPaperError, "нет документов"),
        ("cover_open", Source.FEEDER, ScannerCoverOpenError, "открыта"),
        ("disconnect", Source.FLATBED, ScannerDisconnectedError, "прервалась"),
        ("stopped", Source.FLATBED, ScannerError, "ошибке"),
    ],
)
@pytest.mark.slow  # the eSCL simulator over HTTP
def test_error_answers_become_clear_messages(
    certificate: np.ndarray, fault: str, source: Source, error: type[ScannerError], words: str
) -> None:
    with EsclSimulator(platen=[(certificate, 300.0)], feeder=[(certificate, 300.0)]) as sim:
        sim.fault = fault
        with pytest.raises(error) as caught:
            list(client().scan(sim.url, ScanOptions(dpi=100, source=source)))
    assert words in caught.value.message("ru")


@pytest.mark.slow  # the eSCL simulator over HTTP
def test_jam_after_the_first_sheet_keeps_that_sheet(certificate: np.ndarray) -> None:
    with EsclSimulator(feeder=[(certificate, 300.0)] * 3) as sim:
        sim.fault = "jam"
        sim.jam_after = 1
        pages = []
        with pytest.raises(ScannerJammedError) as caught:
            for page in client().scan(sim.url, ScanOptions(dpi=75, source=Source.FEEDER)):
                pages.append(page)
        assert len(pages) == 1
        assert "ScannerAdfJam" in caught.value.detail
        assert next(iter(sim.jobs.values())).deleted


@pytest.mark.slow  # the eSCL simulator over HTTP
def test_no_feeder_on_a_flatbed_only_device() -> None:
    from omsdesktop.scan import escl_sim

    caps_xml = escl_sim._capabilities_xml(escl_sim.FORMATS)
    start, end = caps_xml.index(b"<scan:Adf>"), caps_xml.index(b"</scan:Adf>") + len(b"</scan:Adf>")
    assert parse_capabilities(caps_xml[:start] + caps_xml[end:]).feeder is None
    with EsclSimulator() as sim:
        real = escl_sim._capabilities_xml
        escl_sim._capabilities_xml = lambda f: real(f)[:start] + real(f)[end:]  # type: ignore[assignment]
        try:
            with pytest.raises(FeederUnavailableError):
                list(client().scan(sim.url, ScanOptions(source=Source.FEEDER)))
        finally:
            escl_sim._capabilities_xml = real  # type: ignore[assignment]


@pytest.mark.slow  # the eSCL simulator over HTTP
def test_cancel_deletes_the_job(certificate: np.ndarray) -> None:
    with EsclSimulator(platen=[(certificate, 300.0)]) as sim:
        sim.not_ready_polls = 1000
        calls: list[int] = []

        def cancelled() -> bool:
            calls.append(1)
            return len(calls) > 3

        with pytest.raises(ScanCancelledError):
            list(client().scan(sim.url, ScanOptions(), cancelled=cancelled))
        assert next(iter(sim.jobs.values())).deleted


@pytest.mark.slow  # the eSCL simulator over HTTP
def test_unreachable_scanner() -> None:
    with EsclSimulator() as sim:
        url = sim.url
    with pytest.raises(ScannerUnreachableError) as caught:
        list(client().scan(url, ScanOptions()))
    assert "не отвечает" in caught.value.message("ru")


def test_status_parsing_of_a_vendor_answer() -> None:
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerStatus xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"
 xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">
 <pwg:Version>2.6</pwg:Version><pwg:State>Processing</pwg:State>
 <scan:AdfState>ScannerAdfLoaded</scan:AdfState>
 <scan:Jobs><scan:JobInfo><pwg:JobUri>/eSCL/ScanJobs/urn:uuid:4509a320</pwg:JobUri>
 <pwg:JobUuid>urn:uuid:4509a320</pwg:JobUuid><scan:Age>12</scan:Age>
 <pwg:ImagesCompleted>0</pwg:ImagesCompleted><pwg:ImagesToTransfer>1</pwg:ImagesToTransfer>
 <pwg:JobState>Processing</pwg:JobState><pwg:JobStateReasons>
 <pwg:JobStateReason>JobScanning</pwg:JobStateReason></pwg:JobStateReasons>
 </scan:JobInfo></scan:Jobs></scan:ScannerStatus>"""
    status = parse_status(xml)
    assert status.state == "Processing" and status.adf_state == "ScannerAdfLoaded"
    assert status.job_reasons["/eSCL/ScanJobs/urn:uuid:4509a320"] == ("JobScanning", "Processing")


def test_xml_with_entities_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(ScannerError):
        parse_status(bomb)


# ---------------------------------------------------------------------- discovery (unit only)
# mDNS needs multicast on a real network; CI has none, so discovery is tested at unit level:
# the mapping of a service record to a device, and graceful absence of zeroconf.


def test_service_record_to_device() -> None:
    props = {b"rs": b"eSCL", b"ty": b"HP LaserJet MFP M428", b"UUID": b"1234"}
    dev = device_from_service(
        "_uscan._tcp.local.", "HP._uscan._tcp.local.", ["192.168.1.20"], 8080, props
    )
    assert dev.id == "escl:http://192.168.1.20:8080/eSCL"
    assert dev.name == "HP LaserJet MFP M428"
    secure = device_from_service(
        "_uscans._tcp.local.", "X._uscans._tcp.local.", ["fe80::1"], 443, {b"rs": b"/scan/eSCL/"}
    )
    assert secure.id == "escl:https://[fe80::1]/scan/eSCL"
    assert secure.name == "X"


def test_discovery_without_zeroconf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "zeroconf", None)
    assert discover(0.1) == []
