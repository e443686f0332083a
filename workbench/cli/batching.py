"""The batch options on the command line, declared once for every command that runs batch work:
`--scheduler ADDRESS` (an existing Dask cluster), `--workers N` (a LocalCluster), or neither (the local pool)."""

from __future__ import annotations

import argparse
import contextlib

from workbench import settings
from workbench.batch import Batch, Where


def add_batch_options(parser: argparse.ArgumentParser, *, jobs: bool = False) -> None:
    """Add --scheduler and --workers (and --jobs, for commands with a local pool of their own) to `parser`."""
    group = parser.add_argument_group("where the work runs (default: this machine)")
    where = group.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="an existing dask.distributed scheduler, e.g. tcp://10.0.0.5:8786: its workers do the work "
        "(they need the package, and Tesseract for OCR; no shared disk); this machine writes every result",
    )
    where.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="start a Dask LocalCluster of N single-threaded worker processes on this machine for the run",
    )
    if jobs:
        where.add_argument("--jobs", "-j", type=int, help="processes of the local pool (default WORKBENCH_JOBS)")


def where_from(args: argparse.Namespace) -> Where | None:
    """Where the options say the work runs; None when they say nothing (each command's own default)."""
    scheduler, workers, jobs = args.scheduler, args.workers, getattr(args, "jobs", None)
    if scheduler is None and workers is None and jobs is None:
        return None
    return Where(scheduler=scheduler, workers=workers, jobs=jobs or settings.get("WORKBENCH_JOBS"))


def open_batch(args: argparse.Namespace) -> contextlib.AbstractContextManager[Batch | None]:
    """A context giving the Batch the options name (closed when it ends), or None when they name none."""
    where = where_from(args)
    return Batch(where) if where is not None else contextlib.nullcontext(None)
