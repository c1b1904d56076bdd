"""``promptcrafter keys create|list|revoke`` and client commands run with $PROMPTCRAFTER_API_KEY."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.cli import PASSWORD, make_cli, unique_email


def test_keys_create_list_revoke_and_use_from_the_environment(
    tmp_path: Path, live_server: Any
) -> None:
    cli = make_cli(tmp_path, live_server.base_url, "keys")
    email = unique_email()
    cli.ok("signup", "--name", "Ada", "--email", email, "--password-stdin", input=PASSWORD + "\n")
    made = cli.json("keys", "create", "--name", "ci job", "--scope", "write", "--days", "30")
    assert made["key"].startswith("pc_") and made["name"] == "ci job"
    table = cli.ok("keys", "list").stdout
    assert made["_id"] in table and made["prefix"] in table and made["key"] not in table
    shown = cli.ok("keys", "create", "--name", "reader", "--scope", "read").stdout
    assert "pc_" in shown and "shown only now" in shown

    # A CI job: no login stored, only the key in the environment.
    ci = make_cli(tmp_path, live_server.base_url, "ci")
    key_env = {"PROMPTCRAFTER_API_KEY": made["key"]}
    prompt = ci.run(
        "prompts",
        "create",
        "--json",
        "--title",
        "CI prompt",
        "--content",
        "Hi",
        "--model",
        "gpt-4o",
        env=key_env,
    )
    assert prompt.returncode == 0, prompt.stderr
    assert ci.run("whoami", env=key_env).returncode == 0
    refused = ci.run("keys", "list", env=key_env)
    assert refused.returncode == 1 and "API keys cannot manage the account." in refused.stderr

    assert [k["_id"] for k in cli.json("keys", "list")][:1] == [made["_id"]]
    assert cli.json("keys", "revoke", made["_id"]) == {"deleted": made["_id"]}
    gone = ci.run("prompts", "list", env=key_env)
    assert gone.returncode == 1 and "Authentication token is expired or invalid." in gone.stderr
