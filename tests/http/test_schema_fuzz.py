"""Schemathesis against the app's own OpenAPI: every default check, no 5xx, no
schema violation. Runs on the real app (ASGI, in this process) with an admin key;
rate limits are out of the way here (the access tests own them).

A second pass aims every generated request at a session with a game running.
There the stateless "schema-valid data is accepted" check is left out: a live
game refuses schema-valid moves its state doesn't allow (choice 7 of 3 on offer,
the crown passed to a stranger) with 422, as the one error table says; every
other check still holds, and nothing may answer 5xx."""

from __future__ import annotations

import string
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi import checks

from glitchcart.client.models import TEXT_FORMAT, SessionView
from glitchcart.http import create_app
from support.api import ADMIN_KEY, api_engine, api_settings, bearer
from support.tapes import add_tapes

_ROOT = tempfile.TemporaryDirectory(prefix="glitchcart-fuzz-")
_SETTINGS = api_settings(
    Path(_ROOT.name),
    api_rate=1e9,
    api_burst=10**9,
    player_rate=1e9,
    player_burst=10**9,
    new_sessions_per_hour=10**6,
)
_ENGINE = api_engine(Path(_ROOT.name), _SETTINGS)
add_tapes(_ENGINE)  # the tape routes build real (small) tapes rather than answer "off"
APP = create_app(_SETTINGS, _ENGINE)

# Printable text with something other than spaces: what the schema's format promises.
schemathesis.openapi.format(
    TEXT_FORMAT,
    st.text(string.ascii_letters + string.digits + " .,!?'-", min_size=1, max_size=60).filter(
        str.strip
    ),
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


SEEDED = "/v1/sessions/web:seeded"


@pytest.fixture(scope="module", autouse=True)
def _seeded_session() -> Iterator[None]:
    """A running game for the fuzzer to stumble on, booted through the API itself."""
    with asgi.get_client(APP) as client:
        booted = client.put(
            SEEDED, json={"cartridge": "mini", "seed": 1}, headers=bearer(ADMIN_KEY)
        )
        assert booted.status_code == 200, booted.text
    yield
    _ROOT.cleanup()


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_own_promises(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=bearer(ADMIN_KEY))


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_a_live_game_never_breaks_the_server(case: schemathesis.Case) -> None:
    path = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    deletes_it = case.operation.path.startswith("/v1/admin/sessions/")  # it would be gone
    if (
        "key" in (case.path_parameters or {})
        and path
        and path.mode is GenerationMode.POSITIVE
        and not deletes_it
    ):
        case.path_parameters["key"] = "web:seeded"  # type: ignore[index]
    # An event stream never ends by itself: read what it sends in a second, then check it.
    stream = {"timeout": 1.0} if case.operation.path.endswith("/events") else {}
    case.call_and_validate(
        headers=bearer(ADMIN_KEY), excluded_checks=[checks.positive_data_acceptance], **stream
    )


def test_fuzzing_left_the_seeded_session_whole() -> None:
    """The fuzzed session still answers, and its answer is a whole session."""
    with asgi.get_client(APP) as client:
        found = client.get(SEEDED, headers=bearer(ADMIN_KEY))
    assert found.status_code == 200
    assert SessionView.model_validate(found.json()).key == "web:seeded"
