"""The registry's commands: ``prompts versions|diff|restore``, ``labels list|set|delete|history``,
``render``, ``stats`` and ``compare``. Tables for people, ``--json`` for scripts."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TypeAlias

from promptcrafter.cli import output, registry_views
from promptcrafter.cli.argtypes import LABEL, PROMPT_ID
from promptcrafter.cli.records import strict_json
from promptcrafter.cli.session import (
    JSON_FILE_LIMIT,
    CLIError,
    Handler,
    guarded,
    read_text,
    session,
)
from promptcrafter.numbers import digits_at_most

if TYPE_CHECKING:
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]


def _print(as_json: bool, data: Any, view: Any) -> int:
    if as_json:
        output.write_json(data)
    else:
        output.show(view(data))
    return 0


# Versions are 32-bit integers on both engines: a larger number can name none.
MAX_VERSION = 2**31 - 1


def _ref(text: str) -> int | str:
    """A version number (ASCII digits) or a label name, as the API reads it (an argparse
    type: anything else is a command-line mistake, exit 2)."""
    if text.isascii() and text.isdigit():
        return _version(text)
    if not text.strip():
        raise argparse.ArgumentTypeError("give a version number or a label name")
    return text


def _version(text: str) -> int:
    number = digits_at_most(text, MAX_VERSION)
    if number is None or number < 1:
        raise argparse.ArgumentTypeError(f"not a version number: {text!r}")
    return number


# --- prompts versions | diff | restore ---------------------------------------------------------


def _versions(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        versions = client.get_versions(args.id)
    return _print(s.as_json, versions, registry_views.versions_table)


def _diff(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        result = client.diff(
            args.id,
            args.from_,
            args.to,
        )
    return _print(s.as_json, result, registry_views.diff_view)


def _restore(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        prompt = client.restore_version(args.id, args.version, args.message)
    return _print(s.as_json, prompt, output.prompt_detail)


# --- labels ----------------------------------------------------------------------------------


def _labels_list(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        labels = client.get_labels(args.id)
    return _print(s.as_json, labels, registry_views.labels_table)


def _labels_set(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        label = client.set_label(args.id, args.name, args.version)
    return _print(s.as_json, label, registry_views.label_detail)


def _labels_delete(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        client.delete_label(args.id, args.name)
    if s.as_json:
        output.write_json({"deleted": args.name})
    else:
        print(f"Deleted label {args.name} of prompt {args.id}.")
    return 0


def _labels_history(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        history = client.get_label_history(args.id, args.name)
    return _print(s.as_json, history, registry_views.history_table)


# --- render, stats, compare --------------------------------------------------------------------


def _variables(args: argparse.Namespace) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if args.vars_file is not None:
        try:
            loaded = strict_json(read_text(args.vars_file, JSON_FILE_LIMIT))
        except ValueError as exc:
            raise CLIError(f"{args.vars_file}: not valid JSON ({exc}).") from None
        if not isinstance(loaded, dict):
            raise CLIError(f"{args.vars_file}: expected a JSON object of variables.")
        values.update(loaded)
    for item in args.var or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise CLIError(f"--var expects NAME=VALUE, got {item!r}.", 2)
        values[name] = value
    return values


def _render(args: argparse.Namespace) -> int:
    s = session(args)
    values = _variables(args)
    with s.client() as client:
        result = client.render(
            args.id, values, version=args.version, label=args.label, strict=not args.lenient
        )
    if s.as_json:
        output.write_json(result)
        return 0
    # The rendered text is the user's own prompt, meant to be piped on: written as it is.
    sys.stdout.write(result["rendered"])
    if not result["rendered"].endswith("\n"):
        sys.stdout.write("\n")
    for name in result.get("missing") or []:
        sys.stderr.write(f"{output.one_line(name)}: not given, left as written\n")
    for name in result.get("unused") or []:
        sys.stderr.write(f"{output.one_line(name)}: given but not in the template\n")
    return 0


def _stats(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        stats = client.get_stats(args.id, args.by)
    return _print(s.as_json, stats, registry_views.stats_table)


def _compare(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        result = client.compare(args.id, args.a, args.b, model=args.model)
    return _print(s.as_json, result, registry_views.comparison)


# --- parsers ---------------------------------------------------------------------------------


def _add(
    subparsers: Subparsers, name: str, handler: Handler, help_text: str, parent: Any
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(name, help=help_text, description=help_text, parents=[parent])
    parser.set_defaults(func=guarded(handler))
    parser.add_argument("id", type=PROMPT_ID, help="prompt id")
    return parser


def version_or_label(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--version", type=_version, metavar="N", help="a version number")
    which.add_argument("--label", metavar="NAME", type=LABEL, help="the version a label points at")


def register(subparsers: Subparsers, prompts: Subparsers, common: Any) -> None:
    """Add the registry commands: some under ``prompts``, the rest at the top level."""
    _add(prompts, "versions", _versions, "list a prompt's versions, newest first", common)
    p = _add(prompts, "diff", _diff, "show what changed between two versions", common)
    p.add_argument(
        "--from",
        dest="from_",
        metavar="REF",
        type=_ref,
        help="version or label (default: the one before)",
    )
    p.add_argument(
        "--to", metavar="REF", type=_ref, help="version or label (default: the current one)"
    )
    p = _add(prompts, "restore", _restore, "make a copy of an old version the current one", common)
    p.add_argument("version", type=_version, help="the version to restore")
    p.add_argument("--message", help="commit message for the new version")

    labels_parser = subparsers.add_parser(
        "labels", help="names pointing at versions", description="names pointing at versions"
    )
    labels = labels_parser.add_subparsers(dest="labels_command", metavar="COMMAND", required=True)
    _add(labels, "list", _labels_list, "list a prompt's labels", common)
    p = _add(labels, "set", _labels_set, "create a label or move it to a version", common)
    p.add_argument("name", type=LABEL, help="label name, e.g. production")
    p.add_argument("version", type=_version, help="the version it points at")
    p = _add(labels, "delete", _labels_delete, "delete a label (its history stays)", common)
    p.add_argument("name", type=LABEL, help="label name")
    p = _add(labels, "history", _labels_history, "every change of a label, newest first", common)
    p.add_argument("name", type=LABEL, help="label name")

    p = _add(subparsers, "render", _render, "fill a prompt's {{ variables }}", common)
    p.add_argument("--var", action="append", metavar="NAME=VALUE", help="a value; repeat")
    p.add_argument("--vars-file", metavar="PATH", help="a JSON object of values (`-`: stdin)")
    version_or_label(p)
    p.add_argument(
        "--lenient", action="store_true", help="leave missing variables as written (no error)"
    )

    p = _add(subparsers, "stats", _stats, "score statistics per version and model", common)
    p.add_argument(
        "--by", choices=["version", "model", "version,model"], help="grouping (default: both)"
    )

    p = _add(subparsers, "compare", _compare, "compare the scores of two versions", common)
    p.add_argument("a", metavar="A", type=_ref, help="version or label")
    p.add_argument("b", metavar="B", type=_ref, help="version or label")
    p.add_argument("--model", help="only logs of this model")
