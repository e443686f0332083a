"""The comparison options on the command line, declared once for every command that compares texts."""

from __future__ import annotations

import argparse

from workbench.errors import InputError
from workbench.normalize import DINGLEHOPPER, ComparisonOptions


def add_comparison_options(parser: argparse.ArgumentParser) -> None:
    """Add the options of `normalize.ComparisonOptions` to `parser`, each named as in every output."""
    group = parser.add_argument_group("comparison options (recorded in every output that uses them)")
    group.add_argument(
        "--keep-whitespace", action="store_true",
        help="count every space, tab and line break as it is (default: runs of whitespace folded to one space)",
    )
    group.add_argument("--case-insensitive", action="store_true", help="compare without letter case")
    group.add_argument("--remove-accents", action="store_true", help="compare letters without their accents")
    group.add_argument("--ignore-punctuation", action="store_true", help="leave punctuation out of both texts")
    group.add_argument(
        "--fold-equivalents", action="store_true",
        help="fold quotes, dashes and ligatures as dinglehopper's normalisation does",
    )
    group.add_argument(
        "--no-gold-char", metavar="C",
        help="a gold character marking text without gold (the ICDAR post-OCR sets use '#'): not scored",
    )
    group.add_argument(
        "--private-use-letters", action="store_true",
        help="count Unicode private-use characters (MUFI) as letters inside words, as dinglehopper does",
    )
    group.add_argument(
        "--dinglehopper", action="store_true",
        help="dinglehopper 0.11's own definitions: whitespace counted, private-use characters as letters",
    )


def comparison_options(args: argparse.Namespace) -> ComparisonOptions:
    """The ComparisonOptions the parsed arguments ask for; InputError naming the option when one is unusable."""
    base = DINGLEHOPPER if args.dinglehopper else ComparisonOptions()
    try:
        return ComparisonOptions(
            fold_whitespace=base.fold_whitespace and not args.keep_whitespace,
            case_insensitive=args.case_insensitive,
            remove_accents=args.remove_accents,
            ignore_punctuation=args.ignore_punctuation,
            fold_equivalents=args.fold_equivalents,
            no_gold_char=args.no_gold_char,
            private_use_letters=base.private_use_letters or args.private_use_letters,
        )
    except ValueError as error:
        raise InputError(f"--no-gold-char {args.no_gold_char!r}: {error}") from None
