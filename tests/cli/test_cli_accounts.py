"""``promptcrafter signup``, ``login``, ``whoami`` and ``logout``, and which server and token
they use."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.support.cli import CLI, PASSWORD, closed_port_url, make_cli, unique_email

from promptcrafter.client import AuthenticationError, PromptCrafterClient


def test_signup_whoami_logout(cli: CLI, live_server: Any) -> None:
    email = unique_email()
    result = cli.run(
        "signup", "--name", "Ada", "--email", email, "--password-stdin", input=PASSWORD + "\n"
    )
    assert result.returncode == 0, result.stderr
    assert email in result.stdout

    # The token is stored for this server, readable by the user only.
    assert stat.S_IMODE(cli.credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE(cli.credentials.parent.stat().st_mode) == 0o700
    stored = json.loads(cli.credentials.read_text())
    token = stored["servers"][live_server.base_url]["token"]
    assert stored["current"] == live_server.base_url
    with PromptCrafterClient(token=token, base_url=live_server.base_url) as client:
        assert client.get_me()["email"] == email

    human = cli.ok("whoami").stdout
    assert email in human and "Ada" in human
    me = cli.json("whoami")
    assert me["email"] == email and me["name"] == "Ada"
    assert me["_id"].startswith("user") and me["createdAt"].endswith("Z")

    out = cli.ok("logout")
    assert "Logged out" in out.stdout
    assert not cli.credentials.exists()
    with (
        PromptCrafterClient(token=token, base_url=live_server.base_url) as client,
        pytest.raises(AuthenticationError),
    ):
        client.get_me()  # the server revoked it

    after = cli.run("whoami")
    assert after.returncode == 1
    assert "Not logged in" in after.stderr


def test_login_and_wrong_password(cli: CLI, account: tuple[str, PromptCrafterClient]) -> None:
    email, _ = account
    wrong = cli.run("login", "--email", email, "--password-stdin", input="wrong password!\n")
    assert wrong.returncode == 1
    assert "Incorrect email or password." in wrong.stderr
    assert PASSWORD not in wrong.stderr + wrong.stdout
    assert not cli.credentials.exists()

    cli.login(email)
    assert cli.json("whoami")["email"] == email


def test_password_needs_a_terminal_or_stdin(
    cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    email, _ = account
    result = cli.run("login", "--email", email, input="")
    assert result.returncode == 1
    assert "--password-stdin" in result.stderr
    assert not cli.credentials.exists()


def test_environment_token_overrides_the_stored_one(
    cli: CLI, account: tuple[str, PromptCrafterClient], live_server: Any
) -> None:
    email, _ = account
    cli.login(email)
    other_email = unique_email()
    with PromptCrafterClient(base_url=live_server.base_url) as other:
        other_token = other.signup("Bob", other_email, PASSWORD)
    overridden = cli.run("whoami", "--json", env={"PROMPTCRAFTER_TOKEN": other_token})
    assert overridden.returncode == 0, overridden.stderr
    assert json.loads(overridden.stdout)["email"] == other_email
    assert cli.json("whoami")["email"] == email


def test_url_option_and_stored_current_server(
    tmp_path: Path, account: tuple[str, PromptCrafterClient], live_server: Any
) -> None:
    email, _ = account
    cli = make_cli(tmp_path, closed_port_url(), "carol")  # $PROMPTCRAFTER_URL points nowhere
    cli.ok(
        "login",
        "--url",
        live_server.base_url,
        "--email",
        email,
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    # Without --url and without the variable, the server of the last login is used.
    env = {k: v for k, v in cli.env.items() if k != "PROMPTCRAFTER_URL"}
    plain = subprocess.run(
        [sys.executable, "-m", "promptcrafter", "whoami", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout)["email"] == email


def test_logout_forgets_the_token_even_when_the_server_is_down(
    cli: CLI, account: tuple[str, PromptCrafterClient], live_server: Any
) -> None:
    email, _ = account
    cli.login(email)
    dead = closed_port_url()
    stored = json.loads(cli.credentials.read_text())
    stored["servers"][dead] = {"token": "token-for-a-dead-server"}
    cli.credentials.write_text(json.dumps(stored))

    result = cli.run("logout", "--url", dead)
    assert result.returncode == 1
    assert "could not revoke" in result.stderr and "offline" in result.stderr
    remaining = json.loads(cli.credentials.read_text())
    assert dead not in remaining["servers"]
    assert live_server.base_url in remaining["servers"]  # other servers untouched
    assert stat.S_IMODE(cli.credentials.stat().st_mode) == 0o600
