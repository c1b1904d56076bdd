"""Bad input to the results sections, through the real server on both engines: refused
fields beside their form (nothing stored), odd query values answered with 400-class pages,
never a 5xx."""

from __future__ import annotations

import pytest

from tests.ui import results_support
from tests.ui.results_support import Setup

XSS = "<script>alert(1)</script>"

setup = results_support.setup


@pytest.mark.parametrize(
    ("fields", "field", "status", "sentence"),
    [
        ({"score": "abc"}, "score", 400, "Required fields are missing or invalid."),
        ({"score": "11"}, "score", 400, "Required fields are missing or invalid."),
        ({"score": "nan"}, "score", 400, "Required fields are missing or invalid."),
        ({"output": "   "}, "output", 400, "Required fields are missing or invalid."),
        ({"model": ""}, "model", 400, "Required fields are missing or invalid."),
        ({"version": "x"}, "version", 400, "Required fields are missing or invalid."),
        ({"version": "7"}, "version", 404, "No such version of this prompt."),
    ],
)
def test_add_log_refusals_are_shown_beside_the_field(
    setup: Setup, fields: dict[str, str], field: str, status: int, sentence: str
) -> None:
    prompt = setup.prompt()
    data = {"output": "kept text", "score": "5", "notes": "", "model": "m", "version": "1"}
    answer = setup.post(f"/ui/prompts/{prompt['_id']}/logs", data | fields)
    assert answer.status_code == status, answer.text
    assert f'<p class="error" id="add-log-{field}-error">{sentence}</p>' in answer.text
    if field != "output":
        assert "kept text" in answer.text  # what was typed is kept
    assert setup.logs(prompt["_id"]) == []


@pytest.mark.parametrize(
    "query",
    [
        "log_cursor=" + "A" * 3000,
        "log_model=%00",
        "log_model=" + "m" * 101,
        "log_version=99999999999",
        "log_version=2147483648",
        "log_min=-1",
        "log_min=1e400",
        "log_max=%EF%BC%95",  # a full-width digit
        "log_min=%ED%A0%80",  # a lone surrogate, as UTF-8 would spell it
        "compare_a=%00&compare_b=1",
        "compare_a=1&compare_b=99999999999999999999",
        "compare_a=latest&compare_b=1&compare_model=" + "m" * 101,
        "compare_a=1&compare_b=1&compare_model=%00",  # PostgreSQL text cannot hold NUL
        "compare_a=1",
        "log_cursor=&log_version=&compare_a=&compare_b=",
    ],
)
def test_odd_query_values_are_400_class_never_5xx(setup: Setup, query: str) -> None:
    prompt = setup.prompt()
    setup.log(prompt["_id"], score=5)
    answer = setup.browser.get(f"/ui/prompts/{prompt['_id']}?{query}")
    assert answer.status_code < 500, answer.text
    assert answer.headers["content-type"].startswith("text/html")


def test_odd_render_fields_are_escaped_and_ignored(setup: Setup) -> None:
    prompt = setup.prompt()
    answer = setup.post(
        f"/ui/prompts/{prompt['_id']}/render",
        {"ref": "1", "var.name": "a", "var.place": "b", f"var.{XSS}": "x", "var.": "y"},
    )
    assert answer.status_code == 200
    assert XSS not in answer.text and "Hello a, from b." in answer.text
    too_long = setup.post(
        f"/ui/prompts/{prompt['_id']}/logs", {"output": "x" * 500_001, "model": "m", "version": "1"}
    )
    assert too_long.status_code == 400
    assert setup.logs(prompt["_id"]) == []
