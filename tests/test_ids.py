"""One pattern per id: the core, the settings and the API's wire models agree on
every id, because they all read :mod:`glitchcart.core.ids`."""

from __future__ import annotations

from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import Field, TypeAdapter, ValidationError

from glitchcart.client import models
from glitchcart.core import ids
from glitchcart.core.cartridge import parse_cartridge
from glitchcart.core.keys import SessionKey, is_game_id
from glitchcart.core.options import check_provider_names
from glitchcart.core.roster import check_player_id
from glitchcart.errors import InvalidCartridge, InvalidInput
from glitchcart.settings import ApiKeyConfig, ProviderConfig
from support.cartridges import MINI

# Near misses: look-alike digits and letters, separators, a trailing newline.
ALPHABET = "aAzZ09_-.:/\\ \n\x00{}١ſK"
TEXT = st.text(alphabet=ALPHABET, max_size=70) | st.from_regex(ids.SESSION_KEY_PATTERN)


def api_accepts(pattern: str, text: str) -> bool:
    try:
        TypeAdapter(Annotated[str, Field(pattern=pattern)]).validate_python(text)
    except ValidationError:
        return False
    return True


def core_accepts(check: object, text: str) -> bool:
    try:
        check(text)  # type: ignore[operator]
    except InvalidInput:
        return False
    return True


@given(TEXT)
def test_session_keys(text: str) -> None:
    expected = ids.SESSION_KEY.fullmatch(text) is not None
    assert core_accepts(SessionKey.parse, text) is expected
    assert api_accepts(models.KEY_PATTERN, text) is expected


RESERVED = st.sampled_from(sorted(ids.RESERVED_PLAYER_IDS)).flatmap(
    lambda word: st.sampled_from([word, word.upper(), word.title()])
)


@given(st.text(alphabet=ALPHABET, max_size=70) | st.from_regex(ids.PLAYER_ID_PATTERN) | RESERVED)
def test_player_ids(text: str) -> None:
    expected = ids.PLAYER_ID.fullmatch(text) is not None and not ids.is_reserved_player_id(text)
    assert core_accepts(check_player_id, text) is expected
    assert wire_accepts(models.PlayerId, text) is expected


def wire_accepts(annotation: object, text: str) -> bool:
    try:
        TypeAdapter(annotation).validate_python(text)
    except ValidationError:
        return False
    return True


@given(st.text(alphabet=ALPHABET, max_size=70) | st.from_regex(ids.GAME_ID_PATTERN))
def test_game_ids(text: str) -> None:
    expected = ids.GAME_ID.fullmatch(text) is not None
    assert is_game_id(text) is expected
    assert api_accepts(models.GAME_ID_PATTERN, text) is expected


@given(st.text(alphabet=ALPHABET, max_size=50) | st.from_regex(ids.PROVIDER_NAME_PATTERN))
def test_provider_names(text: str) -> None:
    expected = ids.PROVIDER_NAME.fullmatch(text) is not None
    assert core_accepts(lambda t: check_provider_names([t]), text) is expected
    assert api_accepts(models.PROVIDER_PATTERN, text) is expected
    try:
        ProviderConfig(name=text, kind="chat", base_url="http://x/v1", model="m")
    except ValidationError:
        in_settings = False
    else:
        in_settings = True
    assert in_settings is expected


@given(st.text(alphabet=ALPHABET, max_size=20) | st.from_regex(ids.NAMESPACE_PATTERN))
def test_namespaces_of_api_keys(text: str) -> None:
    expected = ids.NAMESPACE.fullmatch(text) is not None
    try:
        ApiKeyConfig(name="bot", key="k" * 16, namespaces=[text])
    except ValidationError:
        in_settings = False
    else:
        in_settings = True
    assert in_settings is expected
    assert core_accepts(lambda t: SessionKey.parse(f"{t}:room"), text) is expected


@pytest.mark.parametrize("text", ["dust-signal", "a", "a" * 48, "a" * 49, "Dust", "9lives", ""])
def test_cartridge_ids(text: str) -> None:
    expected = ids.CARTRIDGE_ID.fullmatch(text) is not None
    assert api_accepts(models.CARTRIDGE_PATTERN, text) is expected
    try:
        parse_cartridge({**MINI, "id": text})
    except InvalidCartridge as exc:
        assert str(exc).startswith("id: must match")
        in_core = False
    else:
        in_core = True
    assert in_core is expected


def test_anchored_patterns_are_whole_matches() -> None:
    assert ids.anchored(ids.GAME_ID_PATTERN) == "^[A-Za-z0-9]{1,64}$"
    assert len("a" * 16 + ":" + "b" * 64) == ids.MAX_KEY_LENGTH
