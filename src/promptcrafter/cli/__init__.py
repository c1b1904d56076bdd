"""The ``promptcrafter`` command: ``serve`` runs the API; the other commands talk to one."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from promptcrafter import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="promptcrafter",
        description="PromptCrafter: your private library of prompts and tested outputs.",
    )
    parser.add_argument("--version", action="version", version=f"promptcrafter {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    from promptcrafter.cli import backup, serve

    serve.register(commands)
    backup.register(commands)
    try:
        from promptcrafter.cli.commands import register
    except ImportError:  # the client commands are optional to the server
        pass
    else:
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    given = sys.argv[1:] if argv is None else list(argv)
    for position, arg in enumerate(given, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:  # bytes the locale could not decode, kept as surrogates
            parser.error(f"argument {position} is not valid UTF-8 text")
    args = parser.parse_args(given)
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return code
