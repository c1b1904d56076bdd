"""Public ids: 26 lowercase Crockford base32 digits of a 128-bit ULID after the type prefix."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from promptcrafter import ids

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def digit_by_digit(value: int) -> str:
    digits = ""
    for _ in range(26):
        digits = CROCKFORD[value & 31] + digits
        value >>= 5
    return digits


@given(st.integers(min_value=0, max_value=(1 << 128) - 1))
def test_the_encoding_is_base32_digit_by_digit(value: int) -> None:
    assert ids._encode(value) == digit_by_digit(value)


def test_edges_of_the_range() -> None:
    assert ids._encode(0) == "0" * 26
    assert ids._encode((1 << 128) - 1) == "7" + "z" * 25
    assert ids._encode(1 << 80) == "0" * 9 + "1" + "0" * 16  # one millisecond, no randomness


def test_ids_of_one_process_sort_in_creation_order() -> None:
    made = [ids.new_log_id() for _ in range(2000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert all(ids.is_log_id(one) and len(one) == len("log") + 26 for one in made)
    assert ids.is_prompt_id(ids.new_prompt_id())
