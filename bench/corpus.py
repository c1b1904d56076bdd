"""The made-up data the benchmark seeds: prompts, logs, and the search library with its queries.

The search library is built so that a query's result size does not grow with the library:
prompt ``i`` belongs to group ``i // GROUP_SIZE`` and carries that group's made-up word
(``token(g)``) in its title, in a tag or only in its content. Queries use a mixed-case
fragment from the middle of a group's word (partial, case-insensitive matching), sometimes
together with a common tag (every term must match), and sometimes characters that must be
taken literally (``%``, ``_``, quotes, ``*``, ``(``, backslash) and match nothing. Each query
then matches about ``GROUP_SIZE`` prompts at 10,000 prompts as at 100,000, so the latency
ratio between the two sizes measures the search itself, not the size of the answer.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

GROUP_SIZE = 10

_WORD_TEXT = (
    "write explain summarise draft review translate compare outline describe plan list "
    "create rewrite improve check generate answer analyse suggest design story poem "
    "essay article report email letter script scene dialogue chapter headline slogan "
    "tweet post product launch customer support ticket refund policy invoice meeting "
    "agenda notes minutes recipe menu travel itinerary budget forecast market research "
    "survey question interview resume cover tutorial lesson quiz exercise workout garden "
    "kitchen coffee tea bread pasta salad soup city river mountain forest ocean island "
    "desert winter summer spring autumn morning evening night friendly formal playful "
    "concise detailed short long clear simple vivid warm calm bold honest careful gentle "
    "modern classic rustic minimal colourful quiet loud fast slow young old small large "
    "first last every each audience reader student teacher manager developer designer "
    "founder parent child team client partner neighbour function class module test bug "
    "error query index table schema cache server request response latency deploy release "
    "version feature budget image photo portrait landscape lighting camera lens style "
    "palette texture mood scene"
)
_WORDS = tuple(_WORD_TEXT.split())

TAGS = (
    "marketing",
    "email",
    "code",
    "python",
    "writing",
    "image",
    "support",
    "research",
    "education",
    "fiction",
    "business",
    "travel",
    "food",
    "design",
    "legal",
    "health",
)

MODELS = ("gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "llama-3.1-70b", "sdxl", "midjourney-6")

# Characters SPEC says are literal; none of these strings occurs in the corpus, so each
# must return [] (a LIKE wildcard or a syntax slip would return many prompts, or a 5xx).
LITERAL_QUERIES = (
    "a%e",
    "o_e",
    "100%",
    "e\\n",
    '"draft',
    "it's",
    "(write",
    "[a-z]",
    "%%_",
    "w*e",
    "a\\%",
)
# One or two characters: a trigram index cannot serve them, so they cost a scan of the
# caller's library. Checked for correctness and timed on their own, not in the load mix.
SHORT_QUERIES = ("%", "_", "*", "\\", "'", "zq")

_VOCABULARY = " ".join((*_WORDS, *TAGS, *MODELS, "someone else's prompt not yours")).lower()
_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"


@functools.cache
def token(group: int) -> str:
    """A pronounceable made-up word, the same every time for the same group.

    Its queried middle (:func:`token_fragment`) never occurs inside a real word of the
    corpus (``marise`` would match every ``summarise``), so a query hits about one group.
    """
    rng = random.Random(f"group-{group}")
    while True:
        word = "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(6))
        if word[2:9] not in _VOCABULARY:
            return word


def token_fragment(group: int, rng: random.Random) -> str:
    """Seven letters from the middle of the group's word, in mixed case."""
    word = token(group)[2:9]
    return "".join(c.upper() if rng.random() < 0.3 else c for c in word)


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


# --------------------------------------------------------------------------- payloads


def reader_prompt(i: int) -> dict[str, Any]:
    """A prompt shaped like the floor's body (about 760 bytes of JSON)."""
    rng = random.Random(f"reader-{i}")
    title = f"{_sentence(rng, 3).capitalize()} #{i}"
    content = (_sentence(rng, 70).capitalize() + ".")[:480]
    tags = rng.sample(TAGS, 3)
    return {"title": title, "content": content, "model": rng.choice(MODELS), "tags": tags}


@dataclass(frozen=True)
class SearchDoc:
    """What the harness remembers of one search-library prompt, to check answers."""

    index: int
    title: str
    content: str
    tags: tuple[str, ...]

    @functools.cached_property
    def blob(self) -> str:
        return "\n".join((self.title, self.content, *self.tags)).lower()


def search_doc(i: int) -> SearchDoc:
    """Prompt ``i`` of the search library; its group word sits in one field only."""
    rng = random.Random(f"search-{i}")
    group = i // GROUP_SIZE
    word = token(group)
    where = i % 3  # 0: title, 1: tag, 2: content only
    title = _sentence(rng, 4).capitalize()
    content = _sentence(rng, 30).capitalize() + "."
    tags = rng.sample(TAGS, 2)
    if where == 0:
        title = f"{title} {word}"
    elif where == 1:
        tags.append(word)
    else:
        cut = rng.randrange(5, 25)
        parts = content.split(" ")
        content = " ".join([*parts[:cut], word, *parts[cut:]])
    return SearchDoc(index=i, title=title, content=content, tags=tuple(tags))


def search_payload(doc: SearchDoc) -> dict[str, Any]:
    return {
        "title": doc.title,
        "content": doc.content,
        "model": MODELS[doc.index % len(MODELS)],
        "tags": list(doc.tags),
    }


def other_payload(group: int) -> dict[str, Any]:
    """Another user's prompt using a search word: it must never show in the searcher's hits."""
    word = token(group)
    return {
        "title": f"Someone else's {word} prompt",
        "content": f"Not yours: {word}.",
        "model": "gpt-4o",
        "tags": [word],
    }


def log_payload(prompt_id: str, n: int) -> dict[str, Any]:
    rng = random.Random(f"log-{n}")
    payload: dict[str, Any] = {
        "promptId": prompt_id,
        "output": _sentence(rng, 35).capitalize() + ".",
        "modelUsed": rng.choice(MODELS),
    }
    if n % 2 == 0:
        payload["notes"] = _sentence(rng, 8)
        payload["score"] = round(rng.uniform(0, 10), 1)
    return payload


def search_queries(groups: int, count: int, seed: int = 7) -> list[str]:
    """Query strings over groups ``0..groups-1``: 70% fragments, 20% tag + fragment, 10%
    literal characters that match nothing."""
    rng = random.Random(seed)
    out: list[str] = []
    for n in range(count):
        kind = n % 10
        group = rng.randrange(groups)
        if kind < 7:
            out.append(token_fragment(group, rng))
        elif kind < 9:
            doc = search_doc(group * GROUP_SIZE + rng.randrange(GROUP_SIZE))
            out.append(f"{doc.tags[0]} {token_fragment(group, rng)}")
        else:
            out.append(rng.choice(LITERAL_QUERIES))
    rng.shuffle(out)
    return out


def query_kind(query: str) -> str:
    """Which part of the :func:`search_queries` mix a query comes from."""
    if len(query) < 3:
        return "1-2 chars"
    if query in LITERAL_QUERIES:
        return "literal chars"
    return "tag + fragment" if len(query.split()) > 1 else "fragment"


def search_path(query: str) -> str:
    return "/search?q=" + quote(query, safe="")


def expected_hits(docs: Sequence[SearchDoc], query: str) -> list[tuple[int, SearchDoc]]:
    """SPEC's rules applied locally: every term occurs (case-insensitive, as a literal
    substring) in the title, the content or a tag. Returns ``(rank_class, doc)``: 0 when a
    term is in the title, else 1 when one is in a tag, else 2 (content only)."""
    terms = [t.lower() for t in query.split()]
    hits: list[tuple[int, SearchDoc]] = []
    for doc in docs:
        blob = doc.blob  # fields joined by newlines; no term contains white space
        if not all(t in blob for t in terms):
            continue
        title = doc.title.lower()
        tags = [t.lower() for t in doc.tags]
        if any(t in title for t in terms):
            rank = 0
        elif any(t in tag for t in terms for tag in tags):
            rank = 1
        else:
            rank = 2
        hits.append((rank, doc))
    return hits
