"""The numbered pieces of PostgreSQL's search index (promptcrafter/grams.py).

The index entry of a word is computed by a fast path for the usual characters and by
``code`` for the rest; both must give the numbers ``code`` gives each piece, and distinct
pieces of usual characters must never share a number.
"""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from promptcrafter import grams


def every_piece(word: str) -> set[str]:
    pieces = {word[i : i + n] for n in (1, 2, 3) for i in range(len(word) - n + 1)}
    return {piece for piece in pieces if not (len(piece) == 1 and piece.isalnum())}


WORD = st.text(
    st.characters(exclude_categories=["Cs", "Zs", "Zl", "Zp", "Cc"]), min_size=1, max_size=80
)


@given(word=WORD)
def test_a_words_entry_is_the_number_of_each_of_its_pieces(word: str) -> None:
    expected = {grams.code(piece) for piece in every_piece(word)}
    assert grams.of_text(word) == expected
    assert grams.of_text(f"  {word}\n{word} ") == expected  # white space only separates


def test_letters_and_digits_alone_are_left_out_other_characters_kept() -> None:
    assert grams.of_text("a") == set()
    assert grams.of_text("%") == {grams.code("%")}
    assert grams.of_text("é7") == {grams.code("é7")}
    assert grams.of_text("ab cd") == {grams.code("ab"), grams.code("cd")}


def test_pieces_of_usual_characters_have_numbers_of_their_own() -> None:
    alphabet = "az09 %'é\u03fe"
    pieces = ["".join(p) for n in (1, 2, 3) for p in itertools.product(alphabet, repeat=n)]
    numbers = [grams.code(piece) for piece in pieces]
    assert len(set(numbers)) == len(pieces)
    assert all(0 < number < 2**30 for number in numbers)


@given(piece=st.text(min_size=1, max_size=3).filter(lambda p: max(map(ord, p)) > 0x3FE))
def test_other_pieces_are_hashed_into_positive_32_bit_numbers(piece: str) -> None:
    assert 2**30 <= grams.code(piece) < 2**31


def test_a_word_of_200000_characters_gives_its_few_distinct_pieces() -> None:
    entry = grams.of_text("ab%" * 66_667)
    assert entry == {grams.code(p) for p in ("%", "ab", "b%", "%a", "ab%", "b%a", "%ab")}


def test_the_entry_and_the_codes_list_the_same_numbers() -> None:
    assert sorted(grams.entry("it's (rare)")) == sorted(
        grams.codes(every_piece("it's") | every_piece("(rare)"))
    )
