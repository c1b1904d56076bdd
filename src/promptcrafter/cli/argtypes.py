"""Argument types shared by the commands: a value the API could never accept is a
command-line mistake (one sentence, exit 2), not a request and never a traceback."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def non_blank(what: str) -> Callable[[str], str]:
    """An argparse type refusing an empty or all-blank ``what`` (an id, a label name)."""

    def check(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"{what} cannot be empty")
        return text

    check.__name__ = what  # argparse names the type in its messages
    return check


PROMPT_ID = non_blank("a prompt id")
LOG_ID = non_blank("a log id")
KEY_ID = non_blank("a key id")
LABEL = non_blank("a label name")
