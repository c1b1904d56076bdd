"""Every API operation described once, as a :class:`Call`, for both clients."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast
from urllib.parse import quote

import httpx

from promptcrafter.client._common import Call, read_list, read_nothing, read_object
from promptcrafter.client._errors import PromptCrafterError
from promptcrafter.client._types import ApiKey, Log, Prompt, User

UPDATABLE_PROMPT_FIELDS = frozenset({"title", "content", "model", "tags"})
# Keyword arguments of update_prompt() that are not prompt fields, by their JSON names.
UPDATE_OPTIONS = {"commit_message": "commitMessage"}


def segment(value: str, what: str) -> str:
    """A path segment from an id; ids never get to add path structure."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    return quote(value, safe="")


def prompt_path(prompt_id: str) -> str:
    return f"/prompts/{segment(prompt_id, 'prompt_id')}"


def _tags(tags: Sequence[str]) -> list[str]:
    if isinstance(tags, str):
        raise TypeError("tags must be a list of strings, not a single string")
    return list(tags)


def _token(response: httpx.Response) -> str:
    token = read_object(response).get("token")
    if not isinstance(token, str) or not token:
        raise PromptCrafterError("The server's answer did not contain a token.")
    return token


def _optional_token(response: httpx.Response) -> str | None:
    token = read_object(response).get("token")
    return token if isinstance(token, str) and token else None


def _user(response: httpx.Response) -> User:
    return cast(User, read_object(response))


def _prompt(response: httpx.Response) -> Prompt:
    return cast(Prompt, read_object(response))


def _prompts(response: httpx.Response) -> list[Prompt]:
    return cast(list[Prompt], read_list(response))


def _log(response: httpx.Response) -> Log:
    return cast(Log, read_object(response))


def _logs(response: httpx.Response) -> list[Log]:
    return cast(list[Log], read_list(response))


# --- auth ------------------------------------------------------------------------------------


def signup(name: str, email: str, password: str) -> Call[str | None]:
    body = {"name": name, "email": email, "password": password}
    return Call("POST", "/auth/signup", _optional_token, body=body, authenticated=False)


def login(email: str, password: str) -> Call[str]:
    body = {"email": email, "password": password}
    return Call("POST", "/auth/login", _token, body=body, authenticated=False)


def logout() -> Call[None]:
    return Call("POST", "/auth/logout", read_nothing)


def me() -> Call[User]:
    return Call("GET", "/auth/me", _user)


def change_password(current_password: str, new_password: str) -> Call[None]:
    body = {"currentPassword": current_password, "newPassword": new_password}
    return Call("POST", "/auth/password", read_nothing, body=body)


def create_api_key(name: str, scope: str, expires_in_days: int | None) -> Call[ApiKey]:
    body: dict[str, Any] = {"name": name, "scope": scope}
    if expires_in_days is not None:
        body["expiresInDays"] = expires_in_days
    return Call("POST", "/auth/keys", lambda r: cast(ApiKey, read_object(r)), body=body)


def list_api_keys() -> Call[list[ApiKey]]:
    return Call("GET", "/auth/keys", lambda r: cast(list[ApiKey], read_list(r)))


def revoke_api_key(key_id: str) -> Call[None]:
    return Call("DELETE", f"/auth/keys/{segment(key_id, 'key_id')}", read_nothing)


def health() -> Call[dict[str, Any]]:
    return Call("GET", "/health", read_object, authenticated=False)


# --- prompts ---------------------------------------------------------------------------------


def create_prompt(
    title: str,
    content: str,
    model: str,
    tags: Sequence[str] | None,
    commit_message: str | None = None,
    first_version: int | None = None,
) -> Call[Prompt]:
    body: dict[str, Any] = {"title": title, "content": content, "model": model}
    if tags is not None:
        body["tags"] = _tags(tags)
    if commit_message is not None:
        body["commitMessage"] = commit_message
    if first_version is not None:
        body["version"] = version_number(first_version)
    return Call("POST", "/prompts", _prompt, body=body)


def version_number(version: int) -> int:
    if isinstance(version, bool) or not isinstance(version, int):
        raise TypeError("version must be an integer")
    return version


def version_params(version: int | None, label: str | None) -> dict[str, str] | None:
    """``?version=`` or ``?label=``, never both."""
    if version is not None and label is not None:
        raise ValueError("give a version or a label, not both")
    if version is not None:
        return {"version": str(version_number(version))}
    if label is not None:
        if not isinstance(label, str) or not label:
            raise ValueError("label must be a non-empty string")
        return {"label": label}
    return None


def get_prompt(
    prompt_id: str, version: int | None = None, label: str | None = None
) -> Call[Prompt]:
    return Call("GET", prompt_path(prompt_id), _prompt, params=version_params(version, label))


def get_prompts() -> Call[list[Prompt]]:
    return Call("GET", "/prompts", _prompts)


def update_prompt(prompt_id: str, fields: dict[str, Any]) -> Call[Prompt]:
    unknown = sorted(set(fields) - UPDATABLE_PROMPT_FIELDS - set(UPDATE_OPTIONS))
    if unknown:
        allowed = ", ".join(sorted(UPDATABLE_PROMPT_FIELDS | set(UPDATE_OPTIONS)))
        raise TypeError(f"update_prompt() got unknown fields {unknown}; allowed: {allowed}")
    if not set(fields) & UPDATABLE_PROMPT_FIELDS:
        raise TypeError("update_prompt() needs at least one field to change")
    # An option left at None is simply not sent (a null commitMessage would be refused).
    body = {
        UPDATE_OPTIONS.get(name, name): value
        for name, value in fields.items()
        if not (name in UPDATE_OPTIONS and value is None)
    }
    if "tags" in body and body["tags"] is not None:
        body["tags"] = _tags(body["tags"])
    return Call("PATCH", prompt_path(prompt_id), _prompt, body=body)


def delete_prompt(prompt_id: str) -> Call[None]:
    return Call("DELETE", prompt_path(prompt_id), read_nothing)


def search_prompts(query: str) -> Call[list[Prompt]]:
    return Call("GET", "/search", _prompts, params={"q": query})


# --- logs ------------------------------------------------------------------------------------


def create_log(
    prompt_id: str,
    output: str,
    model_used: str,
    notes: str | None,
    score: float | None,
    prompt_version: int | None = None,
    label: str | None = None,
) -> Call[Log]:
    if prompt_version is not None and label is not None:
        raise ValueError("give a prompt_version or a label, not both")
    body: dict[str, Any] = {"promptId": prompt_id, "output": output, "modelUsed": model_used}
    if notes is not None:
        body["notes"] = notes
    if score is not None:
        body["score"] = score
    if prompt_version is not None:
        body["promptVersion"] = prompt_version
    if label is not None:
        body["label"] = label
    return Call("POST", "/logs", _log, body=body)


def get_logs() -> Call[list[Log]]:
    return Call("GET", "/logs", _logs)


def get_logs_by_prompt(prompt_id: str) -> Call[list[Log]]:
    return Call("GET", "/logs", _logs, params={"promptId": prompt_id})


def delete_log(log_id: str) -> Call[None]:
    return Call("DELETE", f"/logs/{segment(log_id, 'log_id')}", read_nothing)
