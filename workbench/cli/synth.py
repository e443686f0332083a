"""`workbench synth DOC`: simulate the scans of a document with gold (images and PAGE XML layout truth)."""

from __future__ import annotations

import argparse

from workbench.corpus import Collection
from workbench.errors import InputError
from workbench.scansim import DEFAULT_DPI, DEFAULT_SEED, synthesize_document


def register(commands: argparse._SubParsersAction) -> None:
    """Add `synth` to the command line (the simulator itself is imported only when the command runs)."""
    synth = commands.add_parser(
        "synth",
        help="simulate typewritten, photocopied scans of a document from its gold, with PAGE XML layout truth",
    )
    synth.add_argument("doc", help="document id (its manifest names the gold and the variant)")
    synth.add_argument("--seed", type=int, help="random seed (default: the simulator's, as the committed scans)")
    synth.add_argument("--dpi", type=int, help="resolution (default: 300)")
    synth.add_argument("--pages", type=int, nargs="+", metavar="N", help="only these pages (default: all)")
    synth.add_argument(
        "--wear",
        help="wear profile: clean, typical or poor (default: the manifest's variant; typical when it names none)",
    )
    synth.set_defaults(run=run_synth)


def run_synth(args: argparse.Namespace) -> int:
    if args.seed is None:
        args.seed = DEFAULT_SEED
    if args.dpi is None:
        args.dpi = DEFAULT_DPI
    if not 30 <= args.dpi <= 1200:
        raise InputError(f"synth {args.doc}: --dpi must be between 30 and 1200, got {args.dpi}")
    document = synthesize_document(
        Collection.default(),
        args.doc,
        seed=args.seed,
        dpi=args.dpi,
        pages=args.pages,
        wear=args.wear,
        progress=lambda number, scan: print(f"page {number}: {scan} and {scan.with_suffix('.xml').name}"),
    )
    print(f"{document.id}: manifest updated ({document.manifest_path})")
    return 0
