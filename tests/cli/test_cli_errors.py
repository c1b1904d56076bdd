"""How the CLI fails: the server's sentence on stderr with exit code 1, no traceback."""

from __future__ import annotations

from typing import Any

from tests.support.cli import CLI, PASSWORD, closed_port_url, unique_email

from promptcrafter.client import PromptCrafterClient


def test_api_errors_exit_1_with_the_server_sentence(
    cli: CLI, account: tuple[str, PromptCrafterClient], live_server: Any
) -> None:
    email, _ = account
    cli.login(email)
    absent = cli.run("prompts", "get", "prompt0")
    assert absent.returncode == 1
    assert "No prompt found with the specified ID." in absent.stderr
    assert absent.stdout == ""

    malformed = cli.run("prompts", "delete", "not-an-id")
    assert malformed.returncode == 1
    assert "The prompt ID format is invalid." in malformed.stderr

    with PromptCrafterClient(base_url=live_server.base_url) as other:
        other.signup("Mallory", unique_email(), PASSWORD)
        theirs = other.create_prompt("Not yours", "secret", "m")
    forbidden = cli.run("prompts", "get", theirs["_id"])
    assert forbidden.returncode == 1
    assert "You do not have permission to access this resource." in forbidden.stderr

    bad_token = cli.run("prompts", "list", env={"PROMPTCRAFTER_TOKEN": "garbage"})
    assert bad_token.returncode == 1
    assert "Authentication token is expired or invalid." in bad_token.stderr


def test_not_logged_in(cli: CLI) -> None:
    result = cli.run("prompts", "list")
    assert result.returncode == 1
    assert "Not logged in" in result.stderr and "promptcrafter login" in result.stderr


def test_connection_refused(cli: CLI) -> None:
    url = closed_port_url()
    result = cli.run(
        "login",
        "--url",
        url,
        "--email",
        unique_email(),
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.returncode == 1
    assert "offline" in result.stderr and "promptcrafter serve" in result.stderr
    assert "Traceback" not in result.stderr
    listing = cli.run("prompts", "list", "--url", url, env={"PROMPTCRAFTER_TOKEN": "t"})
    assert listing.returncode == 1 and "offline" in listing.stderr
