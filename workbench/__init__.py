"""OCR-correction workbench: check and correct OCR of typewritten archival documents."""

__version__ = "0.1.0"
