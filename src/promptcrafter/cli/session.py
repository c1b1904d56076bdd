"""What every client command shares: which server and token to use, error reporting, input."""

from __future__ import annotations

import argparse
import functools
import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from promptcrafter.cli import credentials
from promptcrafter.client import (
    DEFAULT_BASE_URL,
    URL_ENV,
    AuthenticationError,
    PromptCrafterAPIError,
    PromptCrafterClient,
    PromptCrafterConnectionError,
    PromptCrafterError,
)

Handler = Callable[[argparse.Namespace], int]

# The CLI retries rate-limited and unavailable answers a few times; the SDK does not by default.
CLI_MAX_RETRIES = 3
CLI_MAX_RETRY_DELAY = 30.0
PROG = "promptcrafter"


class CLIError(Exception):
    """A user-facing failure with its exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def common_options() -> argparse.ArgumentParser:
    """Options every client command accepts; defaults are suppressed so the values set on an
    enclosing parser are never overwritten by a subcommand's defaults."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("connection and output")
    group.add_argument(
        "--url",
        default=argparse.SUPPRESS,
        metavar="URL",
        help=f"server URL (default: ${URL_ENV}, else the server of the last login, "
        f"else {DEFAULT_BASE_URL})",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print JSON for scripts instead of human-readable text",
    )
    return parent


@dataclass(frozen=True)
class Session:
    url: str
    token: str | None
    token_from_env: bool
    as_json: bool

    def client(self, *, need_token: bool = True) -> PromptCrafterClient:
        if need_token and not self.token:
            raise CLIError(
                f"Not logged in to {self.url}. Run `{PROG} login --email EMAIL` first "
                "(or set PROMPTCRAFTER_TOKEN or PROMPTCRAFTER_API_KEY)."
            )
        if need_token and self.token and not (self.token.isascii() and self.token.isprintable()):
            # No token or key has such characters, and an HTTP header cannot carry them.
            where = (
                "PROMPTCRAFTER_TOKEN / PROMPTCRAFTER_API_KEY"
                if self.token_from_env
                else ("the stored credentials")
            )
            raise CLIError(
                f"The token in {where} is not a token: it holds characters no token has."
            )
        return PromptCrafterClient(
            token=self.token if need_token else None,
            base_url=self.url,
            max_retries=CLI_MAX_RETRIES,
            max_retry_delay=CLI_MAX_RETRY_DELAY,
        )


def resolve_url(args: argparse.Namespace) -> str:
    explicit: str | None = getattr(args, "url", None)
    url = explicit or os.environ.get(URL_ENV) or credentials.load().current or DEFAULT_BASE_URL
    url = credentials.normalize_url(url)
    if not url.lower().startswith(("http://", "https://")):
        raise CLIError(f"The server URL must start with http:// or https://, got {url!r}.", 2)
    try:
        httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise CLIError(f"The server URL {url!r} is not a valid URL ({exc}).", 2) from None
    return url


def session(args: argparse.Namespace) -> Session:
    url = resolve_url(args)
    env_token = (
        os.environ.get(credentials.TOKEN_ENV, "").strip()
        or os.environ.get(credentials.API_KEY_ENV, "").strip()
    )
    token = env_token or credentials.load().token_for(url)
    return Session(
        url=url,
        token=token or None,
        token_from_env=bool(env_token),
        as_json=bool(getattr(args, "json", False)),
    )


def error(message: str) -> None:
    sys.stderr.write(f"{PROG}: error: {message}\n")
    sys.stderr.flush()


def warn(message: str) -> None:
    sys.stderr.write(f"{PROG}: warning: {message}\n")
    sys.stderr.flush()


def guarded(handler: Handler) -> Handler:
    """Turn the SDK's exceptions into a message on stderr and exit status 1."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except AuthenticationError as exc:
            error(exc.message)
            if "token" in exc.message.lower():
                hint = (
                    "unset PROMPTCRAFTER_TOKEN / PROMPTCRAFTER_API_KEY or renew it"
                    if _env_token()
                    else "log in again"
                )
                sys.stderr.write(f"Hint: {hint} (`{PROG} login --email EMAIL`).\n")
            return 1
        except PromptCrafterAPIError as exc:
            error(exc.message)
            return 1
        except PromptCrafterConnectionError as exc:
            error(exc.message)
            return 1
        except PromptCrafterError as exc:
            error(str(exc))
            return 1
        except CLIError as exc:
            error(exc.message)
            return exc.code
        except BrokenPipeError:
            # The reader went away (`... | head`); say nothing more on the closed pipe.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 1
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            error(f"{where}{exc.strerror or exc}")
            return 1
        except EOFError:  # Ctrl-D at a password or email question
            sys.stderr.write("\n")
            error("No input; cancelled.")
            return 1
        except KeyboardInterrupt:
            sys.stderr.write("\nInterrupted.\n")
            return 130

    return run


def _env_token() -> bool:
    return any(
        os.environ.get(name, "").strip()
        for name in (credentials.TOKEN_ENV, credentials.API_KEY_ENV)
    )


def read_password(from_stdin: bool, *, confirm: bool = False) -> str:
    """The password from one line of stdin, or asked for on the terminal without echo."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.removesuffix("\n").removesuffix("\r")
        if not password:
            raise CLIError("No password on standard input.")
        return password
    if not sys.stdin.isatty():
        raise CLIError("No terminal to ask for the password on; pass it with --password-stdin.")
    password = getpass.getpass("Password: ")
    if confirm and getpass.getpass("Repeat password: ") != password:
        raise CLIError("The passwords do not match.")
    if not password:
        raise CLIError("The password is empty.")
    return password


def ask(label: str) -> str:
    if not sys.stdin.isatty():
        raise CLIError(f"Missing --{label.lower()}.", 2)
    value = input(f"{label}: ").strip()
    if not value:
        raise CLIError(f"{label} is required.", 2)
    return value


# The server takes at most 1 MiB in one request, so no text sent in one can be longer (JSON
# escaping only adds to it). A file is read up to one byte past it: /dev/zero or a 20 GB log
# is refused, not read into memory.
REQUEST_LIMIT = 1024 * 1024
# A JSON file is sent re-encoded, compact and unescaped: "\u4e2d" on disk is one character
# in the request, so the file may be six times the body it makes.
JSON_FILE_LIMIT = 6 * REQUEST_LIMIT


def read_text(path: str, limit: int = REQUEST_LIMIT) -> str:
    """A file's text exactly as stored (no newline translation); ``-`` reads stdin."""
    name = "standard input" if path == "-" else path
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    if len(data) > limit:
        raise CLIError(
            f"{name} is larger than {limit // REQUEST_LIMIT} MiB, more than a request to the "
            "server can carry."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CLIError(f"{name} is not UTF-8 text.") from exc
