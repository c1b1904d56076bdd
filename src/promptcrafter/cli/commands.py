"""The client commands of ``promptcrafter``: accounts, prompts, logs, search, export/import.

``register`` adds them to the top-level parser's subparsers; each sets ``func`` to a handler
returning the exit status.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

from rich.console import RenderableType

from promptcrafter.cli import credentials, keys, output, registry_commands, transfer
from promptcrafter.cli.argtypes import KEY_ID, LOG_ID, PROMPT_ID
from promptcrafter.cli.session import (
    CLIError,
    Handler,
    Session,
    ask,
    common_options,
    guarded,
    read_password,
    read_text,
    session,
    warn,
)
from promptcrafter.client import AuthenticationError, PromptCrafterError

if TYPE_CHECKING:
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]


# --- accounts --------------------------------------------------------------------------------


def _signup(args: argparse.Namespace) -> int:
    s = session(args)
    name = args.name or ask("Name")
    email = args.email or ask("Email")
    password = read_password(args.password_stdin, confirm=True)
    with s.client(need_token=False) as client:
        token = client.signup(name, email, password)
    return _logged_in(s, token, email, f"Account created; logged in to {s.url} as {email}.")


def _login(args: argparse.Namespace) -> int:
    s = session(args)
    email = args.email or ask("Email")
    password = read_password(args.password_stdin)
    with s.client(need_token=False) as client:
        token = client.login(email, password)
    return _logged_in(s, token, email, f"Logged in to {s.url} as {email}.")


def _logged_in(s: Session, token: str, email: str, sentence: str) -> int:
    """Keep the new token for this server and say so."""
    credentials.remember(s.url, token, email)
    if s.as_json:
        output.write_json({"url": s.url, "email": email})
    else:
        print(sentence)
    return 0


def _logout(args: argparse.Namespace) -> int:
    s = session(args)
    revoked = False
    problem: str | None = None
    if s.token:
        try:
            with s.client() as client:
                client.logout()
            revoked = True
        except AuthenticationError:
            revoked = True  # the token was already dead
        except PromptCrafterError as exc:
            problem = str(exc)
    forgotten = credentials.forget(s.url)
    if problem is not None:
        warn(f"the server could not revoke the token: {problem}")
    if s.token_from_env:
        warn("PROMPTCRAFTER_TOKEN is set in the environment; unset it too.")
    if s.as_json:
        output.write_json({"url": s.url, "revoked": revoked, "forgotten": forgotten})
    elif s.token or forgotten:
        print(f"Logged out of {s.url}.")
    else:
        print(f"Not logged in to {s.url}.")
    return 1 if problem is not None else 0


def _whoami(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        user = client.get_me()
    if s.as_json:
        output.write_json(user)
    else:
        output.show(output.user_detail(user))
        print(f"Server: {s.url}")
    return 0


def _show(as_json: bool, data: Any, render: Callable[[Any], RenderableType]) -> None:
    if as_json:
        output.write_json(data)
    else:
        output.show(render(data))


# --- prompts ---------------------------------------------------------------------------------


def _content(args: argparse.Namespace, *, required: bool) -> str | None:
    if args.content is not None:
        return str(args.content)
    if args.content_file is not None:
        return read_text(args.content_file)
    if required:
        raise CLIError("Give the prompt's text with --content or --content-file.", 2)
    return None


def _prompts_list(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        prompts = client.get_prompts()
    _show(s.as_json, prompts, output.prompts_table)
    return 0


def _prompts_get(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        prompt = client.get_prompt(args.id, version=args.version, label=args.label)
    _show(s.as_json, prompt, output.prompt_detail)
    return 0


def _prompts_create(args: argparse.Namespace) -> int:
    s = session(args)
    content = _content(args, required=True)
    assert content is not None
    with s.client() as client:
        prompt = client.create_prompt(
            args.title, content, args.model, tags=args.tags, commit_message=args.message
        )
    _show(s.as_json, prompt, output.prompt_detail)
    return 0


def _prompts_update(args: argparse.Namespace) -> int:
    s = session(args)
    fields: dict[str, Any] = {}
    if args.title is not None:
        fields["title"] = args.title
    content = _content(args, required=False)
    if content is not None:
        fields["content"] = content
    if args.model is not None:
        fields["model"] = args.model
    if args.clear_tags:
        fields["tags"] = []
    elif args.tags is not None:
        fields["tags"] = args.tags
    if not fields:
        raise CLIError("Nothing to change: give --title, --content, --model or --tag.", 2)
    if args.message is not None:
        fields["commit_message"] = args.message
    with s.client() as client:
        prompt = client.update_prompt(args.id, **fields)
    _show(s.as_json, prompt, output.prompt_detail)
    return 0


def _report_deleted(as_json: bool, resource_id: str, sentence: str) -> int:
    if as_json:
        output.write_json({"deleted": resource_id})
    else:
        print(sentence)
    return 0


def _prompts_delete(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        client.delete_prompt(args.id)
    return _report_deleted(s.as_json, args.id, f"Deleted prompt {args.id} and its logs.")


def _search(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        prompts = client.search_prompts(" ".join(args.query))
    if s.as_json or prompts:
        _show(s.as_json, prompts, output.prompts_table)
    else:
        print("No matching prompts.")
    return 0


# --- logs ------------------------------------------------------------------------------------


def _score(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _logs_list(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        logs = client.get_logs_by_prompt(args.prompt) if args.prompt else client.get_logs()
    _show(s.as_json, logs, output.logs_table)
    return 0


def _logs_create(args: argparse.Namespace) -> int:
    s = session(args)
    text = args.output if args.output is not None else read_text(args.output_file)
    with s.client() as client:
        log = client.create_log(
            args.prompt,
            text,
            args.model,
            notes=args.notes,
            score=args.score,
            prompt_version=args.version,
            label=args.label,
        )
    _show(s.as_json, log, output.log_detail)
    return 0


def _logs_delete(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        client.delete_log(args.id)
    return _report_deleted(s.as_json, args.id, f"Deleted log {args.id}.")


# --- parsers ---------------------------------------------------------------------------------


def _add(
    subparsers: Subparsers, name: str, handler: Handler, help_text: str, parent: Any
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name, help=help_text, description=help_text, parents=[parent] if parent else []
    )
    parser.set_defaults(func=guarded(handler))
    return parser


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of asking",
    )


def _prompt_fields(parser: argparse.ArgumentParser, *, create: bool) -> None:
    parser.add_argument("--title", required=create, help="3 to 100 characters")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--content", help="the prompt's text")
    source.add_argument(
        "--content-file", metavar="PATH", help="read the text from PATH (`-` for stdin)"
    )
    parser.add_argument("--model", required=create, help="model the prompt is meant for")
    tags = parser.add_mutually_exclusive_group() if not create else parser
    tags.add_argument(
        "--tag",
        dest="tags",
        action="append",
        metavar="TAG",
        help="a tag; repeat for several" + ("" if create else " (replaces all tags)"),
    )
    if not create:
        tags.add_argument("--clear-tags", action="store_true", help="remove every tag")
    parser.add_argument("--message", help="commit message kept with the version this makes")


def _group(subparsers: Subparsers, name: str, help_text: str) -> Subparsers:
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    inner = parser.add_subparsers(dest=f"{name}_command", metavar="COMMAND", required=True)
    return inner


def register(subparsers: Subparsers) -> None:
    """Add the client commands to the top-level ``promptcrafter`` parser."""
    common = common_options()

    p = _add(subparsers, "signup", _signup, "create an account and log in to it", common)
    p.add_argument("--name", help="your display name (asked for when omitted)")
    p.add_argument("--email", help="your email address (asked for when omitted)")
    _password_option(p)

    p = _add(subparsers, "login", _login, "log in and keep the token for later commands", common)
    p.add_argument("--email", help="your email address (asked for when omitted)")
    _password_option(p)

    _add(subparsers, "logout", _logout, "revoke the token and forget it", common)
    _add(subparsers, "whoami", _whoami, "show the logged-in account", common)

    prompts = _group(subparsers, "prompts", "list, show, create, change and delete prompts")
    _add(prompts, "list", _prompts_list, "list your prompts, oldest first", common)
    p = _add(prompts, "get", _prompts_get, "show one prompt (or one of its versions)", common)
    p.add_argument("id", type=PROMPT_ID, help="prompt id")
    registry_commands.version_or_label(p)
    p = _add(prompts, "create", _prompts_create, "store a new prompt", common)
    _prompt_fields(p, create=True)
    p = _add(prompts, "update", _prompts_update, "change some fields of a prompt", common)
    p.add_argument("id", type=PROMPT_ID, help="prompt id")
    _prompt_fields(p, create=False)
    p = _add(prompts, "delete", _prompts_delete, "delete a prompt and its logs", common)
    p.add_argument("id", type=PROMPT_ID, help="prompt id")

    logs = _group(subparsers, "logs", "list, record and delete outputs of tested prompts")
    p = _add(logs, "list", _logs_list, "list your logs, oldest first", common)
    p.add_argument("--prompt", metavar="ID", type=PROMPT_ID, help="only the logs of this prompt")
    p = _add(logs, "create", _logs_create, "record an output of a prompt", common)
    p.add_argument(
        "--prompt", metavar="ID", type=PROMPT_ID, required=True, help="the prompt tested"
    )
    text = p.add_mutually_exclusive_group(required=True)
    text.add_argument("--output", help="the output text")
    text.add_argument(
        "--output-file", metavar="PATH", help="read the output from PATH (`-`: stdin)"
    )
    p.add_argument("--model", required=True, help="the model that produced the output")
    p.add_argument("--notes", help="your notes")
    p.add_argument("--score", type=_score, help="a score from 0 to 10")
    registry_commands.version_or_label(p)
    p = _add(logs, "delete", _logs_delete, "delete a log", common)
    p.add_argument("id", type=LOG_ID, help="log id")

    registry_commands.register(subparsers, prompts, common)

    p = _add(subparsers, "search", _search, "find your prompts containing every word", common)
    p.add_argument("query", nargs="+", help="words to look for in titles, tags and text")

    api_keys = _group(subparsers, "keys", keys.HELP)
    p = _add(api_keys, "create", keys.create, "create an API key (log in first)", common)
    p.add_argument("--name", required=True, help="what the key is for, 1 to 100 characters")
    p.add_argument("--scope", choices=["read", "write"], default="write", help="default: write")
    p.add_argument("--days", type=int, metavar="N", help="expire after N days (1-3650)")
    _add(api_keys, "list", keys.list_keys, "list your API keys", common)
    p = _add(api_keys, "revoke", keys.revoke, "delete an API key at once", common)
    p.add_argument("id", type=KEY_ID, help="key id")

    p = _add(subparsers, "export", transfer.export_command, transfer.EXPORT_HELP, common)
    p.add_argument("file", metavar="FILE", help="JSON lines file to write (`-` for stdout)")
    p = _add(subparsers, "import", transfer.import_command, transfer.IMPORT_HELP, common)
    p.add_argument("file", metavar="FILE", help="JSON lines file to read (`-` for stdin)")
