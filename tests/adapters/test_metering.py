"""Usage and cost per turn, game and session; budgets that only touch their own session."""

from __future__ import annotations

from pathlib import Path

import pytest

from glitchcart.adapters.providers.metering import Meter, Usage, price
from glitchcart.adapters.providers.spend_ledger import SqliteSpendLedger
from glitchcart.core.keys import SessionKey
from glitchcart.errors import StorageError
from glitchcart.settings import ProviderConfig

HOSTED = ProviderConfig(
    name="hosted",
    kind="chat",
    base_url="http://127.0.0.1:1/v1",
    model="m",
    price_input_per_1k=0.01,
    price_output_per_1k=0.03,
)
PAINT = ProviderConfig(
    name="paint", kind="image", base_url="http://127.0.0.1:1/v1", model="i", price_per_image=0.04
)
LOCAL = ProviderConfig(name="local", kind="chat", base_url="http://127.0.0.1:2/v1", model="m")
A, B = SessionKey.parse("web:a"), SessionKey.parse("web:b")


def meter(**budgets: float | None) -> Meter:
    return Meter({"hosted": HOSTED, "paint": PAINT, "local": LOCAL}, **budgets)


def test_price_comes_from_the_provider_settings() -> None:
    assert price(HOSTED, Usage(1000, 2000)) == pytest.approx(0.07)
    assert price(PAINT, Usage(images=3)) == pytest.approx(0.12)
    assert price(LOCAL, Usage(5000, 5000)) == 0
    assert HOSTED.paid and PAINT.paid and not LOCAL.paid


def test_usage_is_counted_per_turn_game_session_and_provider() -> None:
    m = meter()
    m.charge(Usage(1000, 1000), provider="hosted", session=A, game_id="g1", turn=1)
    m.charge(Usage(500, 0), provider="hosted", session=A, game_id="g1", turn=2)
    m.charge(Usage(images=1), provider="paint", session=A, game_id="g1", turn=2)
    m.charge(Usage(1000, 0), provider="hosted", session=B, game_id="g2", turn=1)
    assert m.turn("g1", 1).cost == pytest.approx(0.04)
    assert m.turn("g1", 2).usage == Usage(500, 0, 1)
    assert m.game("g1").calls == 3
    assert m.session(A).cost == pytest.approx(0.04 + 0.005 + 0.04)
    assert m.session(B).usage == Usage(1000, 0, 0)
    assert m.provider("hosted").calls == 3
    assert m.turn("g9", 1).calls == 0


def test_a_spent_session_budget_stops_paid_providers_for_that_session_only() -> None:
    m = meter(session_budget=0.05)
    assert m.allows(A, "g1") and m.allows(B, "g2")
    m.charge(Usage(1000, 1000), provider="hosted", session=A, game_id="g1")
    assert m.allows(A, "g1")
    assert m.notices(A) == []
    m.charge(Usage(1000, 0), provider="hosted", session=A, game_id="g1")
    assert not m.allows(A, "g1")
    assert m.allows(B, "g2")
    notices = m.notices(A)
    assert len(notices) == 1 and "session's model budget is spent" in notices[0]
    assert m.notices(A) == []  # told once
    m.charge(Usage(1000, 0), provider="hosted", session=A, game_id="g1")
    assert m.notices(A) == []
    assert m.notices(B) == []


def test_a_spent_game_budget_follows_the_game_not_the_session() -> None:
    m = meter(game_budget=0.04)
    m.charge(Usage(images=1), provider="paint", session=A, game_id="g1")
    assert not m.allows(A, "g1")
    assert m.allows(A, "g2")  # the same session on another game
    assert not m.allows(B, "g1")  # the same game loaded into another session
    assert "game's model budget" in m.notices(A)[0]


def test_free_providers_never_spend_a_budget() -> None:
    m = meter(session_budget=0.0001)
    for _ in range(10):
        m.charge(Usage(100_000, 100_000), provider="local", session=A, game_id="g1")
    assert m.allows(A, "g1")
    assert not m.is_paid("local") and m.is_paid("hosted") and not m.is_paid("offline")


def test_a_picture_counts_for_the_turn_being_resolved() -> None:
    m = meter()
    m.charge(Usage(images=1), provider="paint", session=A, game_id="g1")  # before any turn
    m.charge(Usage(100, 100), provider="hosted", session=A, game_id="g1", turn=3)
    m.charge(Usage(images=1), provider="paint", session=A, game_id="g1")
    assert m.turn("g1", 3).usage == Usage(100, 100, 1)
    assert m.game("g1").usage.images == 2


def test_spend_outlives_the_meter_and_is_shared_through_the_ledger(tmp_path: Path) -> None:
    first = SqliteSpendLedger(tmp_path / "spend.db")
    m = Meter({"hosted": HOSTED}, session_budget=0.05, ledger=first)
    m.charge(Usage(1000, 1000), provider="hosted", session=A, game_id="g1")
    m.charge(Usage(1000, 0), provider="hosted", session=A, game_id="g1")
    assert not m.allows(A, "g1") and len(m.notices(A)) == 1
    other = SqliteSpendLedger(tmp_path / "spend.db")  # another process on the same data
    assert not Meter({"hosted": HOSTED}, session_budget=0.05, ledger=other).allows(A, "g1")
    first.close()
    restarted = Meter({"hosted": HOSTED}, session_budget=0.05, ledger=other)
    assert restarted.session(A).cost == pytest.approx(0.05) and restarted.session(A).calls == 2
    assert not restarted.allows(A, "g1") and restarted.allows(B, "g2")
    restarted.charge(Usage(10, 10), provider="hosted", session=A, game_id="g1")
    assert restarted.notices(A) == []  # told once, not again after the restart
    other.close()
    with pytest.raises(StorageError):
        other.get("session", str(A))


def test_a_ledger_that_cannot_be_opened_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "spend.db").mkdir()  # a folder where the file should be
    with pytest.raises(StorageError):
        SqliteSpendLedger(tmp_path / "spend.db")


def test_unread_notices_are_bounded_and_told_once_per_scope() -> None:
    from glitchcart.adapters.providers.metering import MAX_TRACKED

    m = meter(session_budget=0.001, game_budget=0.001)
    m.charge(Usage(1000, 1000), provider="hosted", session=A, game_id="g1")
    m.charge(Usage(1000, 1000), provider="hosted", session=A, game_id="g2")  # a second game
    assert len(m.notices(A)) == 2  # the session's and the games' (one, not one per game)
    sessions = [SessionKey("web", f"s{i}") for i in range(MAX_TRACKED + 10)]
    for key in sessions:  # sessions that spend their budget and never take a turn again
        m.charge(Usage(1000, 1000), provider="hosted", session=key, game_id=None)
    assert m.notices(sessions[0]) == []  # the oldest unread ones were forgotten
    assert len(m.notices(sessions[-1])) == 1
