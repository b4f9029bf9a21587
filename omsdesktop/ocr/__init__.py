"""Imaging: intake, quality, straightening, OCR engines and barcodes. Never imports Qt."""
