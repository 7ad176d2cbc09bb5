"""Getting one JSON object out of a model's text: repaired, or refused."""

from __future__ import annotations

import pytest

from glitchcart.adapters.providers.openai.json_repair import parse_object, partial_string


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('  {"a": "x"}  ', {"a": "x"}),
        ('Here you go:\n```json\n{"a": 1}\n```\nEnjoy!', {"a": 1}),
        ('{"a": [1, 2,], "b": {"c": 3,},}', {"a": [1, 2], "b": {"c": 3}}),
        ('{"a": True, "b": None, "c": False}', {"a": True, "b": None, "c": False}),
        ('{"text": "True, None and a comma,}"}', {"text": "True, None and a comma,}"}),
        ('{"a": "brace } inside", "b": 2} trailing {"x": 1}', {"a": "brace } inside", "b": 2}),
        ('{"narration": "The door creaks', {"narration": "The door creaks"}),
        ('{"a": 1, "b": [1, 2', {"a": 1, "b": [1, 2]}),
        ('{"a": 1, "b":', {"a": 1}),
        ('{"a": 1, "unfinished_ke', {"a": 1}),
        ('{"a": "ends with a backslash \\', {"a": "ends with a backslash "}),
        ('{"quote": "she said \\"run\\""}', {"quote": 'she said "run"'}),
    ],
)
def test_repairs_what_models_commonly_get_wrong(text: str, expected: dict[str, object]) -> None:
    assert parse_object(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I'm sorry, I can't do that.",
        "[1, 2, 3]",
        '{"a": ]',
        '{"a": 1]',
        '{"a": tru',
        "{'a': 1}",
    ],
)
def test_refuses_what_cannot_be_repaired_without_guessing(text: str) -> None:
    with pytest.raises(ValueError):
        parse_object(text)


def test_refuses_an_enormous_reply() -> None:
    with pytest.raises(ValueError):
        parse_object('{"a": "' + "x" * 300_000 + '"}')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"narr', None),
        ('{"narration": ', None),
        ('{"narration": "', ""),
        ('{"narration": "You st', "You st"),
        ('{"narration": "A \\"quoted\\" wo', 'A "quoted" wo'),
        ('{"narration": "line\\nbreak \\u00e9t\\u00', "line\nbreak ét"),
        ('{"narration": "done.", "damage": 2', "done."),
        ('{"damage": 1, "narration" : "late field', "late field"),
    ],
)
def test_reads_a_string_field_while_it_streams(text: str, expected: str | None) -> None:
    assert partial_string(text, "narration") == expected
