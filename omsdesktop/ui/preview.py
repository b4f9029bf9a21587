"""The page preview: zoom (Ctrl+wheel, +/−, fit), pan (drag), the found field boxes drawn."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QKeyEvent,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from omsdesktop.ocr.types import Box

OK_COLOR = QColor(30, 140, 60)
REVIEW_COLOR = QColor(220, 130, 0)
FOCUS_COLOR = QColor(20, 90, 220)


class PageView(QGraphicsView):
    """Shows one page with field boxes; ``highlight(name)`` marks and centres one box."""

    zoomChanged = Signal(float)

    MIN_ZOOM = 0.05
    MAX_ZOOM = 8.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundBrush(QBrush(QColor(236, 238, 241)))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pixmap_item: QGraphicsPixmapItem | None = None
        self._boxes: dict[str, QGraphicsRectItem] = {}
        self._review: set[str] = set()
        self._highlighted: str | None = None
        self._fit = True

    # ------------------------------------------------------------------------------- content

    def has_page(self) -> bool:
        return self._pixmap_item is not None

    def set_page(self, image: QImage) -> None:
        self.scene().clear()
        self._boxes.clear()
        self._review.clear()
        self._highlighted = None
        pixmap = QPixmap.fromImage(image)
        self._pixmap_item = self.scene().addPixmap(pixmap)
        self._pixmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().setSceneRect(QRectF(pixmap.rect()))
        self.fit()

    def clear_page(self) -> None:
        self.scene().clear()
        self._pixmap_item = None
        self._boxes.clear()
        self._review.clear()
        self._highlighted = None

    def set_boxes(self, boxes: dict[str, tuple[Box, bool, str]], scale: float) -> None:
        """``boxes``: field name → (box on the page, needs review, tooltip)."""
        for item in self._boxes.values():
            self.scene().removeItem(item)
        self._boxes.clear()
        self._review.clear()
        for name, (box, review, tip) in boxes.items():
            rect = QRectF(box.x * scale, box.y * scale, box.width * scale, box.height * scale)
            item = self.scene().addRect(rect.adjusted(-3, -3, 3, 3))
            item.setToolTip(tip)
            self._boxes[name] = item
            if review:
                self._review.add(name)
            self._style(name)

    def box_names(self) -> list[str]:
        return list(self._boxes)

    def highlight(self, name: str | None) -> None:
        previous, self._highlighted = self._highlighted, name
        if previous in self._boxes:
            self._style(previous)
        if name in self._boxes:
            self._style(name)
            self.centerOn(self._boxes[name])

    def _style(self, name: str) -> None:
        item = self._boxes[name]
        if name == self._highlighted:
            color, width = FOCUS_COLOR, 4
        elif name in self._review:
            color, width = REVIEW_COLOR, 3
        else:
            color, width = OK_COLOR, 2
        pen = QPen(color, width)
        pen.setCosmetic(True)
        item.setPen(pen)
        fill = QColor(color)
        fill.setAlpha(40 if name == self._highlighted else 18)
        item.setBrush(QBrush(fill))

    # ---------------------------------------------------------------------------------- zoom

    def zoom(self) -> float:
        return float(self.transform().m11())

    def set_zoom(self, factor: float) -> None:
        factor = max(self.MIN_ZOOM, min(self.MAX_ZOOM, factor))
        self._fit = False
        self.resetTransform()
        self.scale(factor, factor)
        self.zoomChanged.emit(factor)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * 1.25)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / 1.25)

    def fit(self) -> None:
        self._fit = True
        if self._pixmap_item is not None:
            self.fitInView(self._pixmap_item, Qt.AspectRatioMode.KeepAspectRatio)
            self.zoomChanged.emit(self.zoom())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if event.angleDelta().y() > 0:
                self.zoom_in()
            elif event.angleDelta().y() < 0:
                self.zoom_out()
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key == Qt.Key.Key_Minus:
            self.zoom_out()
        elif key == Qt.Key.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)
