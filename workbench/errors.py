"""The workbench's errors. Each message is one line that names the file or action at fault.

On the command line a message names files by their full paths. In the browser (`ui/app.py` calls
`show_publicly`), the same message is shown without the server's paths: every page reports an error with
`str(error)`, and here is the one place that decides how that reads for a web user.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

# The rewriting of messages for the audience at hand: None (as they are) outside the app. A context variable,
# not a global: the app's script threads set it, and the same process's other threads (tests) are unaffected.
_PUBLIC: contextvars.ContextVar[Callable[[str], str] | None] = contextvars.ContextVar("workbench_public", default=None)


def show_publicly(rewrite: Callable[[str], str] | None) -> None:
    """From now on, in this thread's context, every WorkbenchError reads as `rewrite(message)` (None: as is)."""
    _PUBLIC.set(rewrite)


def full_message(error: BaseException) -> str:
    """An error's message as raised, whatever the audience (for code that maps the paths in it itself)."""
    return Exception.__str__(error)


class WorkbenchError(Exception):
    """Base of every error the CLI and the UI report as one line instead of a traceback."""

    def __str__(self) -> str:
        message = super().__str__()
        rewrite = _PUBLIC.get()
        return rewrite(message) if rewrite is not None else message


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
