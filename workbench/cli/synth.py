"""`workbench synth DOC`: simulate the scans of a document with gold (images and PAGE XML layout truth)."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add `synth` to the command line."""
    from workbench.scansim import DEFAULT_DPI, DEFAULT_SEED, WEAR_PROFILES

    synth = commands.add_parser(
        "synth",
        help="simulate typewritten, photocopied scans of a document from its gold, with PAGE XML layout truth",
    )
    synth.add_argument("doc", help="document id (its manifest names the gold and the variant)")
    synth.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    synth.add_argument("--dpi", type=int, default=DEFAULT_DPI, help=f"resolution (default {DEFAULT_DPI})")
    synth.add_argument("--pages", type=int, nargs="+", metavar="N", help="only these pages (default: all)")
    synth.add_argument(
        "--wear",
        choices=sorted(WEAR_PROFILES),
        help="wear profile (default: the manifest's variant; typical when it names none)",
    )
    synth.set_defaults(run=run_synth)


def run_synth(args: argparse.Namespace) -> int:
    from workbench.corpus import Collection
    from workbench.errors import InputError
    from workbench.scansim import synthesize_document

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
