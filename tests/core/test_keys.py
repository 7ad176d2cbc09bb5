import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glitchcart.core.keys import MediaRef, SessionKey, is_game_id
from glitchcart.errors import InvalidInput, InvalidSessionKey

VALID_NS = st.from_regex(r"[a-z][a-z0-9]{0,15}", fullmatch=True)
VALID_ID = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)


def test_parse_splits_namespace_and_id() -> None:
    key = SessionKey.parse("discord:1234567890")
    assert (key.namespace, key.id) == ("discord", "1234567890")
    assert str(key) == "discord:1234567890"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "discord",
        "discord:",
        ":123",
        "a:b:c",
        "web:../../etc",
        "web:a/b",
        "web:a\\b",
        "web:a\x00b",
        "web:{x}",
        "web:a.b",
        "Web:abc",
        "1web:abc",
        "web:" + "x" * 65,
        "abcdefghijklmnopq:x",
        "web:blue fox",
        "web:blue-fox\n",
        "wеb:abc",  # Cyrillic e
        "web:аbc",  # Cyrillic a
        "web:ａbc",  # fullwidth a
    ],
)
def test_invalid_keys_are_refused(raw: str) -> None:
    with pytest.raises(InvalidSessionKey):
        SessionKey.parse(raw)


@pytest.mark.parametrize("raw", [None, 12, b"web:abc", ["web", "abc"]])
def test_non_strings_are_refused(raw: object) -> None:
    with pytest.raises(InvalidSessionKey):
        SessionKey.parse(raw)


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(InvalidSessionKey):
        SessionKey("web", "../x")


@given(VALID_NS, VALID_ID)
def test_valid_keys_round_trip(ns: str, ident: str) -> None:
    key = SessionKey.parse(f"{ns}:{ident}")
    assert SessionKey.parse(str(key)) == key


@given(st.text(max_size=100))
def test_arbitrary_text_is_either_a_safe_key_or_refused(raw: str) -> None:
    try:
        key = SessionKey.parse(raw)
    except InvalidSessionKey:
        return
    safe = set(string.ascii_letters + string.digits + "_-.")
    assert set(key.folder_name) <= safe
    assert ".." not in key.folder_name.split(".", 1)[1]
    assert str(key) == raw


@given(VALID_ID, VALID_ID)
def test_folder_names_are_distinct_per_key_even_case_folded(a: str, b: str) -> None:
    ka, kb = SessionKey("web", a), SessionKey("web", b)
    if ka != kb:
        assert ka.folder_name.lower() != kb.folder_name.lower()


def test_folder_name_escapes_case_and_underscores() -> None:
    assert SessionKey.parse("web:Fox_1").folder_name == "web._fox__1"
    assert SessionKey.parse("web:fox_1").folder_name == "web.fox__1"


def test_media_ref_names_are_plain_file_names() -> None:
    key = SessionKey.parse("web:a")
    assert MediaRef(key, "frame", "g1-00001.png").name == "g1-00001.png"
    for bad in ["../x.png", "a/b.png", ".png", "x.exe", "a..png/", "x\x00.png", ""]:
        with pytest.raises(InvalidInput):
            MediaRef(key, "frame", bad)


def test_media_ref_round_trips_through_dict() -> None:
    ref = MediaRef(SessionKey.parse("web:a"), "tape", "run-1.gif")
    assert MediaRef.from_dict(ref.to_dict()) == ref


def test_a_game_id_is_ascii_letters_and_digits() -> None:
    assert is_game_id("c8410093fd87") and is_game_id("A" * 64)
    for bad in ("", "A" * 65, "g-1", "../x", "٣٣", "é1", None, 12):
        assert not is_game_id(bad)
