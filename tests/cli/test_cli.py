"""The client commands of ``promptcrafter``, run through the real entry point against a real
server: ``python -m promptcrafter ...`` in a subprocess, with a private config directory."""

from __future__ import annotations

import json
import os
import pty
import select
import socket
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from promptcrafter.client import AuthenticationError, NotFoundError, PromptCrafterClient

PASSWORD = "correct horse battery staple"


def unique_email() -> str:
    return f"cli-{uuid.uuid4().hex}@example.com"


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass
class CLI:
    """Runs ``promptcrafter`` as a user whose config lives in ``config_home``."""

    base_url: str
    config_home: Path
    env: dict[str, str]

    @property
    def credentials(self) -> Path:
        return self.config_home / "promptcrafter" / "credentials.json"

    def run(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "promptcrafter", *args],
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**self.env, **(env or {})},
            timeout=120,
        )

    def ok(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        result = self.run(*args, input=input)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result

    def json(self, *args: str, input: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--json", input=input).stdout)

    def login(self, email: str) -> None:
        self.ok("login", "--email", email, "--password-stdin", input=PASSWORD + "\n")


def make_cli(tmp_path: Path, base_url: str, name: str) -> CLI:
    home = tmp_path / name
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTCRAFTER_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        PROMPTCRAFTER_URL=base_url,
        PYTHONIOENCODING="utf-8",
    )
    return CLI(base_url=base_url, config_home=home / "config", env=env)


@pytest.fixture
def cli(tmp_path: Path, live_server: Any) -> CLI:
    return make_cli(tmp_path, live_server.base_url, "alice")


@pytest.fixture
def account(live_server: Any) -> Iterator[tuple[str, PromptCrafterClient]]:
    """A fresh account made through the SDK, with a client to inspect what is stored."""
    email = unique_email()
    with PromptCrafterClient(base_url=live_server.base_url) as client:
        client.signup("Alice", email, PASSWORD)
        yield email, client


# --- accounts --------------------------------------------------------------------------------


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


# --- prompts ---------------------------------------------------------------------------------


def test_prompt_commands(
    cli: CLI, account: tuple[str, PromptCrafterClient], tmp_path: Path
) -> None:
    email, client = account
    cli.login(email)

    made = cli.json(
        "prompts",
        "create",
        "--title",
        "Launch email",
        "--content",
        "Write a launch email.",
        "--model",
        "gpt-4o",
        "--tag",
        "marketing",
        "--tag",
        "email",
    )
    assert made["title"] == "Launch email"
    assert made["tags"] == ["marketing", "email"]
    assert client.get_prompt(made["_id"]) == made

    text_file = tmp_path / "prompt.txt"
    text_file.write_bytes("Line one\r\nLine two — ünïcode\n".encode())
    from_file = cli.json(
        "prompts",
        "create",
        "--title",
        "From a file",
        "--content-file",
        str(text_file),
        "--model",
        "claude",
    )
    assert client.get_prompt(from_file["_id"])["content"] == "Line one\r\nLine two — ünïcode\n"
    assert from_file["tags"] == []

    from_stdin = cli.json(
        "prompts",
        "create",
        "--title",
        "From stdin",
        "--content-file",
        "-",
        "--model",
        "m",
        input="piped text\n",
    )
    assert client.get_prompt(from_stdin["_id"])["content"] == "piped text\n"

    listed = cli.json("prompts", "list")
    assert [p["_id"] for p in listed] == [made["_id"], from_file["_id"], from_stdin["_id"]]
    table = cli.ok("prompts", "list").stdout.splitlines()
    assert table[0].split() == ["ID", "TITLE", "MODEL", "TAGS", "UPDATED"]
    assert made["_id"] in table[1] and "marketing, email" in table[1]

    shown = cli.ok("prompts", "get", made["_id"]).stdout
    assert "Launch email" in shown and "Write a launch email." in shown
    assert cli.json("prompts", "get", made["_id"]) == client.get_prompt(made["_id"])

    changed = cli.json("prompts", "update", made["_id"], "--title", "Launch v2", "--tag", "launch")
    assert changed["title"] == "Launch v2" and changed["tags"] == ["launch"]
    assert changed["content"] == "Write a launch email."
    cleared = cli.json("prompts", "update", made["_id"], "--clear-tags")
    assert cleared["tags"] == []
    stored = client.get_prompt(made["_id"])
    assert (stored["title"], stored["tags"], stored["model"]) == ("Launch v2", [], "gpt-4o")

    nothing = cli.run("prompts", "update", made["_id"])
    assert nothing.returncode == 2
    assert "Nothing to change" in nothing.stderr

    removed = cli.ok("prompts", "delete", from_stdin["_id"])
    assert from_stdin["_id"] in removed.stdout
    with pytest.raises(NotFoundError):
        client.get_prompt(from_stdin["_id"])


def test_search_command(cli: CLI, account: tuple[str, PromptCrafterClient]) -> None:
    email, client = account
    cli.login(email)
    wanted = client.create_prompt("Photosynthesis explainer", "Explain it simply.", "m")
    client.create_prompt("Unrelated", "Something else.", "m", tags=["misc"])
    assert [p["_id"] for p in cli.json("search", "PHOTO", "simply")] == [wanted["_id"]]
    assert cli.json("search", "zzz-no-match") == []
    assert "No matching prompts." in cli.ok("search", "zzz-no-match").stdout


# --- logs ------------------------------------------------------------------------------------


def test_log_commands(cli: CLI, account: tuple[str, PromptCrafterClient], tmp_path: Path) -> None:
    email, client = account
    cli.login(email)
    first = client.create_prompt("First prompt", "text", "gpt-4o")
    second = client.create_prompt("Second prompt", "text", "claude")

    scored = cli.json(
        "logs",
        "create",
        "--prompt",
        first["_id"],
        "--output",
        "Ready to upgrade?",
        "--model",
        "gpt-4o",
        "--notes",
        "Engaging.",
        "--score",
        "7.5",
    )
    assert (scored["output"], scored["modelUsed"]) == ("Ready to upgrade?", "gpt-4o")
    assert (scored["notes"], scored["score"]) == ("Engaging.", 7.5)

    out_file = tmp_path / "output.txt"
    out_file.write_text("A long\nmulti-line output\n", encoding="utf-8")
    bare = cli.json(
        "logs",
        "create",
        "--prompt",
        second["_id"],
        "--output-file",
        str(out_file),
        "--model",
        "claude",
    )
    assert bare["output"] == "A long\nmulti-line output\n"
    assert bare["notes"] is None and bare["score"] is None

    assert [x["_id"] for x in cli.json("logs", "list")] == [scored["_id"], bare["_id"]]
    assert [x["_id"] for x in cli.json("logs", "list", "--prompt", second["_id"])] == [bare["_id"]]
    table = cli.ok("logs", "list").stdout
    assert "SCORE" in table and scored["_id"] in table and "7.5" in table

    bad_score = cli.run(
        "logs",
        "create",
        "--prompt",
        first["_id"],
        "--output",
        "x",
        "--model",
        "m",
        "--score",
        "11",
    )
    assert bad_score.returncode == 1
    assert "Required fields are missing or invalid." in bad_score.stderr

    cli.ok("logs", "delete", scored["_id"])
    assert [x["_id"] for x in client.get_logs()] == [bare["_id"]]


# --- errors ----------------------------------------------------------------------------------


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


# --- export and import -----------------------------------------------------------------------


def seed_library(client: PromptCrafterClient) -> None:
    a = client.create_prompt(
        "Launch email", "Write a launch email.\n\tBe brief.", "gpt-4o", tags=["marketing", "email"]
    )
    client.create_log(a["_id"], "Ready to upgrade?", "gpt-4o", notes="Engaging.", score=7)
    client.create_log(a["_id"], "Upgrade today!", "claude", score=4.5)
    b = client.create_prompt("Ünïcode “quotes” 🚀", "Line\u2028separator and 100% _literal_", "m")
    client.create_log(b["_id"], "résumé\r\nnaïve", "m", notes="CRLF kept")
    client.create_prompt("No logs here", "Just a prompt.", "llama", tags=["solo"])


def summary(client: PromptCrafterClient) -> list[tuple[Any, ...]]:
    logs = client.get_logs()
    return [
        (
            p["title"],
            p["content"],
            p["model"],
            p["tags"],
            [
                (x["output"], x["modelUsed"], x["notes"], x["score"])
                for x in logs
                if x["promptId"] == p["_id"]
            ],
        )
        for p in client.get_prompts()
    ]


def test_export_then_import_into_another_account(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient], live_server: Any
) -> None:
    email, source = account
    seed_library(source)
    cli.login(email)

    export_file = tmp_path / "library.jsonl"
    exported = cli.ok("export", str(export_file))
    assert "Exported 3 prompts and 3 logs" in exported.stdout
    assert "\r" not in exported.stderr  # no progress bar when stderr is not a terminal
    assert stat.S_IMODE(export_file.stat().st_mode) == 0o600
    lines = export_file.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == 4
    records = [json.loads(line) for line in lines[:-1]]
    assert [r["prompt"]["title"] for r in records] == [p["title"] for p in source.get_prompts()]
    assert [len(r["logs"]) for r in records] == [2, 1, 0]

    target_email = unique_email()
    with PromptCrafterClient(base_url=live_server.base_url) as target:
        target.signup("Bob", target_email, PASSWORD)
        bob = make_cli(tmp_path, live_server.base_url, "bob")
        bob.login(target_email)
        imported = bob.run("import", str(export_file))
        assert imported.returncode == 0, imported.stderr
        assert "Imported 3 prompts and 3 logs; 0 prompts and 0 logs failed." in imported.stdout

        assert summary(target) == summary(source)
        source_ids = {p["_id"] for p in source.get_prompts()}
        assert source_ids.isdisjoint(p["_id"] for p in target.get_prompts())
        me = target.get_me()
        assert all(p["ownerId"] == me["_id"] for p in target.get_prompts())
    # The source account is unchanged.
    assert len(source.get_prompts()) == 3 and len(source.get_logs()) == 3


def test_export_to_stdout_and_import_from_stdin_json(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient], live_server: Any
) -> None:
    email, source = account
    seed_library(source)
    cli.login(email)
    exported = cli.ok("export", "-", "--json")
    assert json.loads(exported.stderr) == {"prompts": 3, "logs": 3, "file": "-"}

    with PromptCrafterClient(base_url=live_server.base_url) as target:
        target.signup("Dora", unique_email(), PASSWORD)
        report = cli.run(
            "import",
            "-",
            "--json",
            input=exported.stdout,
            env={"PROMPTCRAFTER_TOKEN": str(target.token)},
        )
        assert report.returncode == 0, report.stderr
        assert json.loads(report.stdout) == {
            "created": {"prompts": 3, "logs": 3},
            "failed": {"prompts": 0, "logs": 0},
        }
        assert summary(target) == summary(source)


def test_import_reports_failures(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    email, client = account
    cli.login(email)
    good = {
        "prompt": {"title": "Good prompt", "content": "text", "model": "m", "tags": ["ok"]},
        "logs": [
            {"output": "fine", "modelUsed": "m", "notes": None, "score": 5},
            {"output": "bad score", "modelUsed": "m", "notes": None, "score": 11},
        ],
    }
    short_title = {
        "prompt": {"title": "ab", "content": "text", "model": "m"},
        "logs": [{"output": "orphan", "modelUsed": "m"}],
    }
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join([json.dumps(good), "{not json", "", json.dumps(short_title)]) + "\n",
        encoding="utf-8",
    )
    result = cli.run("import", str(path), "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout) == {
        "created": {"prompts": 1, "logs": 1},
        "failed": {"prompts": 2, "logs": 2},
    }
    assert f"{path}:2: not valid JSON" in result.stderr
    assert f"{path}:4: prompt not created: Required fields are missing or invalid." in result.stderr
    assert f"{path}:1: log 2 not created" in result.stderr
    assert summary(client) == [("Good prompt", "text", "m", ["ok"], [("fine", "m", None, 5)])]


def test_progress_bar_only_on_a_terminal(
    cli: CLI, account: tuple[str, PromptCrafterClient], tmp_path: Path
) -> None:
    email, client = account
    seed_library(client)
    cli.login(email)
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "promptcrafter", "export", str(tmp_path / "out.jsonl")],
            stdout=subprocess.PIPE,
            stderr=terminal,
            env=cli.env,
        )
        os.close(terminal)
        terminal = -1
        seen = b""
        while True:
            ready, _, _ = select.select([controller], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
        assert process.wait(timeout=60) == 0
        assert process.stdout is not None
        assert b"Exported 3 prompts" in process.stdout.read()
        process.stdout.close()
    finally:
        os.close(controller)
        if terminal >= 0:
            os.close(terminal)
    assert b"Exporting [" in seen and b"3/3" in seen and b"\r" in seen
