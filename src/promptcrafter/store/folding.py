"""Case folding for search (str.casefold), done in Python so every engine folds the same way.

The folded copies end with two ``PAD`` characters. A trigram index only knows three-character
runs, so a one- or two-character term can only be found as the start of some trigram; the pad
guarantees that every position of the real text starts one (see ``search``). ``PAD`` is a
Unicode noncharacter, and folding removes it from texts and terms alike, so it never matches.
"""

from __future__ import annotations

from collections.abc import Iterable

# A newline separates tags: search terms never contain white space, so no match can span two.
TAG_SEPARATOR = "\n"
PAD = "\uffff"
_PADDING = PAD * 2


def fold(text: str) -> str:
    # casefold, not lower: see migration 0016 (final sigma, ß); both sides fold alike.
    return text.casefold().replace(PAD, "")


def fold_title(title: str) -> str:
    return fold(title) + _PADDING


def fold_content(content: str) -> str:
    return fold(content) + _PADDING


def fold_tags(tags: Iterable[str]) -> str:
    return TAG_SEPARATOR.join(fold(tag) for tag in tags) + _PADDING
