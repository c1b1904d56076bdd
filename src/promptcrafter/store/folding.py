"""Case folding for search, done in Python so every engine folds the same way."""

from __future__ import annotations

from collections.abc import Iterable

# A newline separates tags: search terms never contain white space, so no match can span two.
TAG_SEPARATOR = "\n"


def fold(text: str) -> str:
    return text.lower()


fold_title = fold
fold_content = fold


def fold_tags(tags: Iterable[str]) -> str:
    return TAG_SEPARATOR.join(fold(tag) for tag in tags)
