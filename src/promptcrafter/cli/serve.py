"""``promptcrafter serve``: migrate, then run the API under uvicorn."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any

from pydantic import ValidationError

from promptcrafter.accesslog import uvicorn_log_config
from promptcrafter.config import ConfigError, Settings, get_settings
from promptcrafter.metrics import multiprocess_directory
from promptcrafter.numbers import digits_at_most


def _port(text: str) -> int:
    """A TCP port, 0-65535 (0: any free one). uvicorn would bind 70000 as 70000 mod 65536."""
    number = digits_at_most(text.strip(), 65535)
    if number is None:
        raise argparse.ArgumentTypeError(f"not a port (0-65535): {text!r}")
    return number


def register(commands: Any) -> None:
    parser = commands.add_parser("serve", help="run the API server")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8000, help="port to bind (default 8000)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from promptcrafter.store import locks, migrate

    if args.workers < 1:
        print("promptcrafter: --workers must be at least 1", file=sys.stderr)
        return 2
    run_lock: locks.RunLock | None = None
    try:
        settings = get_settings()
        if settings.engine == "sqlite":
            # Held until we exit, so ``restore`` cannot swap the file between the migration
            # and the workers opening it (each worker holds it too).
            run_lock = locks.RunLock(settings.sqlite_path)
            run_lock.acquire()
        settings.resolved_secret_key()  # create the embedded key once, before any worker
        migrate.upgrade(settings)
    except (ConfigError, ValidationError) as exc:
        print(f"promptcrafter: configuration error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"promptcrafter: cannot open the database: {exc}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        if run_lock is not None:
            stack.callback(run_lock.release)
        if settings.metrics_enabled:
            # Before any worker starts: every worker writes its metric files there.
            stack.enter_context(multiprocess_directory())
        _run(uvicorn, args, settings)
    return 0


def _run(uvicorn: Any, args: argparse.Namespace, settings: Settings) -> None:
    from promptcrafter.api.protocol import JSONErrorHttpToolsProtocol

    uvicorn.run(
        "promptcrafter.api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop="uvloop",
        http=JSONErrorHttpToolsProtocol,
        access_log=False,
        # The client address is the socket peer; forwarded headers are judged by our own
        # PROMPTCRAFTER_TRUSTED_PROXIES rule, never by uvicorn's default trust of localhost.
        proxy_headers=False,
        server_header=False,
        log_level=settings.log_level,
        log_config=uvicorn_log_config(settings.log_format) or uvicorn.config.LOGGING_CONFIG,
    )
