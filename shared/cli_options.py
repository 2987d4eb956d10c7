"""Command-line option shapes every tier shares, so one habit works at every desk.

The typed hash groups are the example: an operator who learnt `--hash-110a 1a2b 3c4d` at the municipality
types the same at the hoofdstembureau and the central office. The older quoted form of the receiving offices
(`--hash-110a "1a2b 3c4d"`) still works, with a deprecation line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

GROUPS_METAVAR = ("G1", "G2")


class TypedGroups(argparse.Action):
    """`--hash-KIND G1 G2`: the two blanked groups of a file's hash code, typed from its paper.

    Stores a `(g1, g2)` tuple (a list of them with `append=True`, one per file). One quoted argument holding
    both groups is the deprecated form: accepted, with a warning naming the new one."""

    def __init__(
        self, option_strings: Sequence[str], dest: str, *, append: bool = False, **kwargs: Any
    ) -> None:
        self.append = append
        kwargs.setdefault("metavar", GROUPS_METAVAR)
        super().__init__(option_strings, dest, nargs="+", **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        given = [values] if isinstance(values, str) else list(values or [])
        words = " ".join(given).split()
        if len(words) != 2:
            parser.error(f"{option_string}: give the two groups from the paper: {option_string} G1 G2")
        if len(given) == 1:
            print(
                f'telketen: warning: {option_string} "G1 G2" (one quoted argument) is deprecated; '
                f"give two: {option_string} {words[0]} {words[1]}",
                file=sys.stderr,
            )
        pair = (words[0], words[1])
        if self.append:
            setattr(namespace, self.dest, [*(getattr(namespace, self.dest, None) or []), pair])
        else:
            setattr(namespace, self.dest, pair)


def add_hash_options(parser: argparse.ArgumentParser, *, many_230b: bool) -> None:
    """`--hash-110a G1 G2` and `--hash-230b G1 G2` (repeated once per 230b file when `many_230b`)."""
    parser.add_argument(
        "--hash-110a",
        action=TypedGroups,
        help="the two blanked groups of the 110a's hash code, from its paper",
    )
    parser.add_argument(
        "--hash-230b",
        action=TypedGroups,
        append=many_230b,
        help="the two blanked groups of the 230b's hash code, from its paper"
        + ("; once per 230b file, in --candidates order" if many_230b else ""),
    )
