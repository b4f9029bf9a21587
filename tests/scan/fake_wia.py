"""A fake of the WIA Automation Layer's objects (``WIA.DeviceManager`` and what hangs off it).

CI has no Windows, so :class:`omsdesktop.scan.wia.WiaDriver` is tested against this: the same
shape as the COM objects pywin32 returns (1-based ``Item(i)`` collections with ``Count``,
``Properties`` with ``PropertyID``/``Name``/``Value``, ``Connect()``, ``Transfer(format)``
returning an ``ImageFile`` whose ``FileData.BinaryData`` holds the encoded image), and COM
errors shaped like pywin32's ``com_error`` (DISP_E_EXCEPTION with the WIA HRESULT inside the
EXCEPINFO tuple).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image

from omsdesktop.scan.wia import DISP_E_EXCEPTION, WiaDriver


class ComError(Exception):
    """Shaped like ``pywintypes.com_error``: (hresult, text, excepinfo, argerr)."""

    def __init__(self, scode: int) -> None:
        signed = scode - (1 << 32) if scode & 0x80000000 else scode
        disp = DISP_E_EXCEPTION - (1 << 32)
        super().__init__(disp, "Exception occurred.", (0, "WIA", "", None, 0, signed), None)


class Collection:
    def __init__(self, items: list[Any]) -> None:
        self._items = items

    @property
    def Count(self) -> int:
        return len(self._items)

    def Item(self, index: int) -> Any:
        return self._items[index - 1]


class Prop:
    def __init__(self, prop_id: int, name: str, value: Any, allowed: list[int] | None = None):
        self.PropertyID = prop_id
        self.Name = name
        self.Value = value
        self.SubTypeValues = Collection(list(allowed or []))


class FileData:
    def __init__(self, data: bytes) -> None:
        self.BinaryData = data


class ImageFile:
    def __init__(self, data: bytes) -> None:
        self.FileData = FileData(data)


class FakeItem:
    def __init__(self, device: FakeDevice) -> None:
        self.device = device
        self.Properties = Collection(
            [
                Prop(6146, "Current Intent", 0),
                Prop(6147, "Horizontal Resolution", 150, [75, 150, 300, 600]),
                Prop(6148, "Vertical Resolution", 150, [75, 150, 300, 600]),
            ]
        )

    def prop(self, prop_id: int) -> Any:
        return next(p.Value for p in self.Properties._items if p.PropertyID == prop_id)

    def Transfer(self, format_id: str) -> ImageFile:
        self.device.transfers.append(format_id)
        if self.device.fail_on is not None and len(self.device.transfers) > self.device.fail_after:
            raise ComError(self.device.fail_on)
        feeder = self.device.prop(3088) == 1
        if feeder:
            if not self.device.sheets:
                raise ComError(0x80210003)  # WIA_ERROR_PAPER_EMPTY
            self.device.sheets -= 1
        dpi = int(self.prop(6147))
        grey = self.prop(6146) == 2
        side = round(2 * dpi)  # a 2 x 1.5 inch area
        rgb = np.zeros((round(1.5 * dpi), side, 3), np.uint8)
        rgb[..., 0] = 200
        rgb[..., 2] = 40
        image = Image.fromarray(rgb, "RGB")
        if grey:
            image = image.convert("L")
        out = io.BytesIO()
        image.save(out, format="PNG", dpi=(dpi, dpi))
        return ImageFile(out.getvalue())


class FakeDevice:
    def __init__(self, *, feeder: bool = True, sheets: int = 0) -> None:
        self.Properties = Collection(
            [
                Prop(3086, "Document Handling Capabilities", 0x3 if feeder else 0x2),
                Prop(3088, "Document Handling Select", 0x2),
                Prop(3096, "Pages", 1),
            ]
        )
        self.Items = Collection([FakeItem(self)])
        self.sheets = sheets
        self.transfers: list[str] = []
        self.fail_on: int | None = None
        self.fail_after = 0

    def prop(self, prop_id: int) -> Any:
        return next(p.Value for p in self.Properties._items if p.PropertyID == prop_id)


class FakeDeviceInfo:
    def __init__(self, device_id: str, name: str, kind: int, device: FakeDevice) -> None:
        self.DeviceID = device_id
        self.Type = kind
        self.Properties = Collection(
            [
                Prop(7, "Name", name),
                Prop(3, "Manufacturer", "Fake Corp"),
                Prop(4, "Description", "flatbed"),
            ]
        )
        self.device = device

    def Connect(self) -> FakeDevice:
        return self.device


class FakeManager:
    def __init__(self, device: FakeDevice | None = None) -> None:
        self.scanner = device or FakeDevice(sheets=3)
        self.DeviceInfos = Collection(
            [
                FakeDeviceInfo(
                    "{6BDD1FC6-810F-11D0-BEC7-08002BE2092F}\\0001", "Webcam", 2, FakeDevice()
                ),
                FakeDeviceInfo(
                    "{6BDD1FC6-810F-11D0-BEC7-08002BE2092F}\\0000",
                    "Fake Scan 3000",
                    1,
                    self.scanner,
                ),
            ]
        )


class FakeWiaDriver(WiaDriver):
    """What the worker runs in the out-of-process test: the real driver over the fake COM."""

    def __init__(self) -> None:
        super().__init__(manager_factory=FakeManager)
