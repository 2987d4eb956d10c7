"""Entry point of the `telketen` command.

Each sub-command lives in its own module with a `register(subparsers)` function that adds its parser and sets
`func` (a callable taking the parsed namespace and returning the exit code). Errors from the tree in
`shared.errors` become one line on stderr and their exit code: a user never sees a traceback for a mistake.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import cast

from shared.errors import TelketenError

# Order is the order of `telketen --help`.
COMMAND_MODULES = (
    "municipality.cli",
    "hoofdstembureau.cli",
    "central.cli",
    "telketen.commands.eml",
    "telketen.commands.seats",
    "telketen.commands.paper",
    "telketen.commands.keys",
    "telketen.commands.verify",
    "telketen.commands.demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="telketen",
        description="Dutch election results from paper station reports to seats, offline, with signed QR "
        "summaries on paper between the tiers.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # not written yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = cast(Callable[[argparse.Namespace], int], args.func)
    try:
        return func(args)
    except TelketenError as exc:
        print(f"telketen: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("telketen: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
