"""OCR: running Tesseract on page scans, importing OCR made elsewhere, and the stored OCR records."""
