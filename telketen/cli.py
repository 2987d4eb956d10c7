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
from typing import NoReturn, cast

from shared.errors import TelketenError

# Command name (and aliases) → the module that registers it; the order is the order of `telketen --help`.
COMMANDS: dict[str, str] = {
    "municipality": "municipality.cli",
    "hoofdstembureau": "hoofdstembureau.cli",
    "hsb": "hoofdstembureau.cli",
    "central": "central.cli",
    "eml": "telketen.commands.eml",
    "seats": "telketen.commands.seats",
    "paper": "telketen.commands.paper",
    "keys": "telketen.commands.keys",
    "verify": "telketen.commands.verify",
    "plausibility": "telketen.commands.plausibility",
    "audit": "telketen.commands.audit",
    "demo": "telketen.commands.demo",
}


class Parser(argparse.ArgumentParser):
    """argparse with the one error line of every command, after the usage: `telketen: error: <command>:
    <what>`, exit 2. Sub-command parsers are of this class too (argparse makes them of the parent's)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        where = self.prog.removeprefix("telketen").strip() or "telketen"
        self.exit(2, f"telketen: error: {where}: {message}\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `command` only that command's module is imported (start-up stays fast)."""
    parser = Parser(
        prog="telketen",
        description="Dutch election results from paper station reports to seats, offline, with signed QR "
        "summaries on paper between the tiers.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    modules = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # not written yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv else None)
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
