"""``promptcrafter keys create|list|revoke``: API keys for scripts and CI (needs a login)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import RenderableType

from promptcrafter.cli import output
from promptcrafter.cli.session import session

HELP = "create, list and revoke API keys for scripts and CI"


def _table(keys: Sequence[Mapping[str, Any]]) -> RenderableType:
    if not keys:
        return output.empty("No API keys.")
    rows = [
        [
            str(key.get("_id", "")),
            output.truncate(output.one_line(str(key.get("name", ""))), 40),
            str(key.get("scope", "")),
            str(key.get("prefix", "")),
            output.fmt_time(key.get("createdAt")),
            output.fmt_time(key.get("expiresAt")) if key.get("expiresAt") else "never",
            output.fmt_time(key.get("lastUsedAt")),
        ]
        for key in keys
    ]
    headers = ["ID", "NAME", "SCOPE", "PREFIX", "CREATED", "EXPIRES", "LAST USED"]
    return output.table(headers, rows, flexible=1)


def create(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        made = client.create_api_key(args.name, scope=args.scope, expires_in_days=args.days)
    if s.as_json:
        output.write_json(made)
    else:
        output.show(_table([made]))
        print(f"\nKey (shown only now, keep it secret):\n{made.get('key', '')}")
    return 0


def list_keys(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        keys = client.list_api_keys()
    if s.as_json:
        output.write_json(keys)
    else:
        output.show(_table(keys))
    return 0


def revoke(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        client.revoke_api_key(args.id)
    if s.as_json:
        output.write_json({"deleted": args.id})
    else:
        print(f"Revoked API key {args.id}.")
    return 0
