""" "Use this prompt" snippets: how to fetch a prompt at a version or label, fill it in and
log an output, with curl, the Python SDK and the CLI.

Plain text (the page's template escapes it). The key is never in a snippet: curl and the CLI
read ``$PROMPTCRAFTER_API_KEY`` from the environment, the SDK reads it through ``os.environ``.
Every value that comes from the user goes through ``shlex.quote`` for the shells and
``repr`` for Python, so a label such as ``a'b;rm -rf ~`` stays one argument.

A snippet for a label fetches by the label and logs by the label too (``POST /logs``
accepts one); the SDK snippet logs the version it actually fetched, which stays right even
when the label moves in between.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode

API_KEY_ENV = "PROMPTCRAFTER_API_KEY"
OUTPUT_PLACEHOLDER = "the model output"
VALUE_PLACEHOLDER = "..."


@dataclass(frozen=True, slots=True)
class Snippets:
    curl: str
    python: str
    cli: str


def _ref(version: int | None, label: str | None) -> tuple[str, str | int]:
    if (version is None) == (label is None):
        raise ValueError("give exactly one of version and label")
    if version is not None:
        return ("version", version)
    assert label is not None
    return ("label", label)


def curl_snippet(
    base_url: str, prompt_id: str, ref: tuple[str, str | int], model: str, names: Sequence[str]
) -> str:
    kind, value = ref
    base = base_url.rstrip("/")
    auth = f'-H "Authorization: Bearer ${API_KEY_ENV}"'  # double quotes: the shell expands it
    path = f"{base}/prompts/{quote(prompt_id, safe='')}"
    lines = [
        "# Fetch the prompt",
        f"curl -sS {auth} \\\n  {shlex.quote(path + '?' + urlencode({kind: value}))}",
    ]
    if names:
        body = {"variables": dict.fromkeys(names, VALUE_PLACEHOLDER), kind: value}
        lines += [
            "",
            "# Fill in its variables",
            f"curl -sS -X POST {auth} -H 'Content-Type: application/json' \\\n"
            f"  -d {shlex.quote(json.dumps(body, ensure_ascii=False))} \\\n"
            f"  {shlex.quote(path + '/render')}",
        ]
    log = {
        "promptId": prompt_id,
        "promptVersion" if kind == "version" else "label": value,
        "output": OUTPUT_PLACEHOLDER,
        "modelUsed": model,
        "score": 8,
    }
    lines += [
        "",
        "# Log an output of this version",
        f"curl -sS -X POST {auth} -H 'Content-Type: application/json' \\\n"
        f"  -d {shlex.quote(json.dumps(log, ensure_ascii=False))} \\\n"
        f"  {shlex.quote(base + '/logs')}",
    ]
    return "\n".join(lines) + "\n"


def python_snippet(
    base_url: str, prompt_id: str, ref: tuple[str, str | int], model: str, names: Sequence[str]
) -> str:
    kind, value = ref
    which = f"{kind}={value!r}"
    lines = [
        "import os",
        "",
        "from promptcrafter.client import PromptCrafterClient",
        "",
        "client = PromptCrafterClient(",
        f"    base_url={base_url!r}, api_key=os.environ[{API_KEY_ENV!r}]",
        ")",
        f"prompt = client.get_prompt({prompt_id!r}, {which})",
    ]
    if names:
        values = ", ".join(f"{name!r}: {VALUE_PLACEHOLDER!r}" for name in names)
        lines.append(f"rendered = client.render({prompt_id!r}, {{{values}}}, {which})")
        lines.append('text = rendered["rendered"]')
    else:
        lines.append('text = prompt["content"]')
    lines += [
        "# ... send text to the model, then record what it answered:",
        "client.create_log(",
        f"    {prompt_id!r},",
        f"    output={OUTPUT_PLACEHOLDER!r},",
        f"    model_used={model!r},",
        "    score=8,",
        '    prompt_version=prompt["version"],',
        ")",
    ]
    return "\n".join(lines) + "\n"


def cli_snippet(
    base_url: str, prompt_id: str, ref: tuple[str, str | int], model: str, names: Sequence[str]
) -> str:
    kind, value = ref
    q = shlex.quote
    common = f"--{kind} {q(str(value))} --url {q(base_url.rstrip('/'))}"
    lines = [
        f"# The CLI reads your key from ${API_KEY_ENV}",
        f"promptcrafter prompts get {q(prompt_id)} {common}",
    ]
    if names:
        values = " ".join(f"--var {q(f'{name}={VALUE_PLACEHOLDER}')}" for name in names)
        lines.append(f"promptcrafter render {q(prompt_id)} {values} {common}")
    lines.append(
        f"promptcrafter logs create --prompt {q(prompt_id)} --model {q(model)} "
        f"--output {q(OUTPUT_PLACEHOLDER)} --score 8 {common}"
    )
    return "\n".join(lines) + "\n"


def usage_snippets(
    base_url: str,
    prompt_id: str,
    *,
    version: int | None = None,
    label: str | None = None,
    model: str = "gpt-4o",
    variables: Sequence[str] = (),
) -> Snippets:
    """The three snippets for ``prompt_id`` at ``version`` or ``label`` (exactly one), on the
    server at ``base_url``; ``model`` goes in the log, ``variables`` (the template's names)
    get a placeholder value each in a render call."""
    ref = _ref(version, label)
    args = (base_url, prompt_id, ref, model, list(variables))
    return Snippets(curl_snippet(*args), python_snippet(*args), cli_snippet(*args))
