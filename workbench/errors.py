"""The workbench's errors. Each message is one line that names the file or action at fault."""


class WorkbenchError(Exception):
    """Base of every error the CLI and the UI report as one line instead of a traceback."""


class InputError(WorkbenchError):
    """A file the user gave or the collection holds is missing, unreadable or malformed."""


class ScanError(InputError):
    """A page image is missing, empty, corrupt or too large."""


class CorpusError(InputError):
    """A document's manifest, gold or markings do not fit together."""


class OcrError(WorkbenchError):
    """The OCR engine is missing, failed, or timed out on a page."""


class ReviewConflict(WorkbenchError):
    """A reviewer's decision was made against a state another reviewer has already changed."""


class ReviewError(WorkbenchError):
    """A review action is not allowed (e.g. validating one's own page)."""


class StoreError(WorkbenchError):
    """The review store cannot be opened, migrated or written (bad WORKBENCH_DB, server down, locked)."""
