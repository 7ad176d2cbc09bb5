"""The HTTP transport: the engine runs behind a glitchcart server.

Problem answers become the project's exceptions again; httpx's own errors are
translated where they enter (:class:`Unreachable`). The event stream reconnects
after a dropped connection, resuming after the last event id it saw.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any, TypeVar, overload
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from glitchcart.client.models import (
    BootRequest,
    CartridgeInfo,
    EventOut,
    ForceRequest,
    GameInfo,
    GameRef,
    GrantCrown,
    HistoryPage,
    HolderRequest,
    JoinRequest,
    ModeRequest,
    OptionsRequest,
    PassCrown,
    PlayerRequest,
    SessionExport,
    SessionOptionsOut,
    SessionView,
    TapeOut,
    TapeRequest,
    Turn,
    TurnRequest,
    TwistRequest,
    VetoRequest,
    VoteReceiptOut,
    VoteRequest,
)
from glitchcart.client.problems import error_from_problem
from glitchcart.client.sse import SseReader
from glitchcart.core.keys import SessionKey
from glitchcart.errors import GlitchcartError, Unreachable

M = TypeVar("M")
B = TypeVar("B", bound=BaseModel)
_CARTRIDGES = TypeAdapter(list[CartridgeInfo])
_GAMES = TypeAdapter(list[GameInfo])
_TAPES = TypeAdapter(list[TapeOut])


def _path(key: SessionKey, tail: str = "") -> str:
    return f"/v1/sessions/{quote(str(key), safe='')}{tail}"


def _body(model: BaseModel) -> dict[str, Any]:
    """The fields the caller set (defaults are the server's too; a merge patch needs it)."""
    return model.model_dump(mode="json", exclude_unset=True)


class HttpTransport:
    """Talks to ``base_url`` with ``api_key`` (none for a loopback server without keys).

    Pass your own ``http`` client to share connections or to run against an app
    in this process (``httpx.ASGITransport``); otherwise one is made and closed here.
    A tape build may take longer than other calls: it waits up to ``tape_timeout``.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        http: httpx.AsyncClient | None = None,
        *,
        timeout: float = 30.0,
        event_timeout: float = 60.0,
        tape_timeout: float = 300.0,
        reconnects: int = 3,
    ) -> None:
        self._owned = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._event_timeout = event_timeout
        self._tape_timeout = tape_timeout
        self._reconnects = reconnects

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        wait: float | None = None,
    ) -> httpx.Response:
        """One request; ``wait``: seconds to wait for it, if not the client's own timeout."""
        extra: dict[str, Any] = {} if wait is None else {"timeout": wait}
        try:
            response = await self._http.request(
                method,
                self._base + path,
                json=json,
                params=params,
                headers={**self._headers, **(headers or {})},
                **extra,
            )
        except httpx.TimeoutException as exc:
            raise Unreachable(f"{self._base} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise Unreachable(f"cannot reach {self._base} ({type(exc).__name__})") from exc
        if response.status_code >= 400:
            raise _problem(response)
        return response

    async def cartridges(self) -> list[CartridgeInfo]:
        return _parse(_CARTRIDGES, await self._call("GET", "/v1/cartridges"))

    async def boot(self, key: SessionKey, body: BootRequest) -> Turn:
        return _parse(Turn, await self._call("PUT", _path(key), json=_body(body)))

    async def snapshot(self, key: SessionKey) -> SessionView:
        return _parse(SessionView, await self._call("GET", _path(key)))

    async def exit(self, key: SessionKey) -> GameRef:
        return _parse(GameRef, await self._call("DELETE", _path(key)))

    async def delete_session(self, key: SessionKey) -> None:
        await self._call("DELETE", f"/v1/admin/sessions/{quote(str(key), safe='')}")

    async def vote(
        self, key: SessionKey, body: VoteRequest, idempotency_key: str | None
    ) -> VoteReceiptOut:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        answer = await self._call("POST", _path(key, "/votes"), json=_body(body), headers=headers)
        return _parse(VoteReceiptOut, answer)

    async def turn(self, key: SessionKey, body: TurnRequest, expected_version: int | None) -> Turn:
        headers = _if_match(expected_version)
        answer = await self._call("POST", _path(key, "/turns"), json=_body(body), headers=headers)
        return _parse(Turn, answer)

    async def tick(self, key: SessionKey, expected_version: int | None) -> Turn:
        answer = await self._call("POST", _path(key, "/tick"), headers=_if_match(expected_version))
        return _parse(Turn, answer)

    async def regenerate(self, key: SessionKey, body: PlayerRequest) -> SessionView:
        answered = await self._call("POST", _path(key, "/regenerate"), json=_body(body))
        return _parse(SessionView, answered)

    async def reset(self, key: SessionKey, body: PlayerRequest) -> Turn:
        return _parse(Turn, await self._call("POST", _path(key, "/reset"), json=_body(body)))

    async def join(self, key: SessionKey, body: JoinRequest) -> None:
        await self._call("POST", _path(key, "/players"), json=_body(body))

    async def take_crown(self, key: SessionKey, body: JoinRequest) -> None:
        await self._call("POST", _path(key, "/crown/take"), json=_body(body))

    async def pass_crown(self, key: SessionKey, body: PassCrown) -> None:
        await self._call("POST", _path(key, "/crown/pass"), json=_body(body))

    async def drop_crown(self, key: SessionKey, body: HolderRequest) -> None:
        await self._call("POST", _path(key, "/crown/drop"), json=_body(body))

    async def grant_crown(self, key: SessionKey, body: GrantCrown) -> None:
        await self._call("PUT", _path(key, "/crown"), json=_body(body))

    async def twist(self, key: SessionKey, body: TwistRequest) -> None:
        await self._call("POST", _path(key, "/crown/twist"), json=_body(body))

    async def veto(self, key: SessionKey, body: VetoRequest) -> None:
        await self._call("POST", _path(key, "/crown/veto"), json=_body(body))

    async def force(self, key: SessionKey, body: ForceRequest) -> VoteReceiptOut:
        answer = await self._call("POST", _path(key, "/crown/force"), json=_body(body))
        return _parse(VoteReceiptOut, answer)

    async def set_mode(self, key: SessionKey, body: ModeRequest) -> None:
        await self._call("PUT", _path(key, "/mode"), json=_body(body))

    async def configure(self, key: SessionKey, body: OptionsRequest) -> SessionOptionsOut:
        answer = await self._call("PATCH", _path(key, "/options"), json=_body(body))
        return _parse(SessionOptionsOut, answer)

    async def history(self, key: SessionKey, start: int, limit: int) -> HistoryPage:
        params = {"start": start, "limit": limit}
        return _parse(HistoryPage, await self._call("GET", _path(key, "/history"), params=params))

    async def export(self, key: SessionKey) -> SessionExport:
        return _parse(SessionExport, await self._call("GET", _path(key, "/export")))

    async def frame(self, key: SessionKey, name: str) -> bytes:
        answer = await self._call("GET", _path(key, f"/frames/{quote(name, safe='')}"))
        return answer.content

    async def build_tape(self, key: SessionKey, body: TapeRequest) -> TapeOut:
        path = _path(key, "/tapes")
        answer = await self._call("POST", path, json=_body(body), wait=self._tape_timeout)
        return _parse(TapeOut, answer)

    async def list_tapes(self, key: SessionKey) -> list[TapeOut]:
        return _parse(_TAPES, await self._call("GET", _path(key, "/tapes")))

    async def tape(self, key: SessionKey, name: str) -> bytes:
        answer = await self._call("GET", _path(key, f"/tapes/{quote(name, safe='')}"))
        return answer.content

    async def tape_chunks(self, key: SessionKey, name: str) -> AsyncGenerator[bytes, None]:
        url = self._base + _path(key, f"/tapes/{quote(name, safe='')}")
        try:
            async with self._http.stream("GET", url, headers=self._headers) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise _problem(response)
                async for chunk in response.aiter_bytes():
                    yield chunk
        except httpx.TimeoutException as exc:
            raise Unreachable(f"{self._base} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise Unreachable(f"cannot reach {self._base} ({type(exc).__name__})") from exc

    async def events(self, key: SessionKey, after: int | None) -> AsyncGenerator[EventOut, None]:
        last, failures = after, 0
        timeout = httpx.Timeout(10.0, read=self._event_timeout)
        while True:
            headers = {**self._headers, "Accept": "text/event-stream"}
            if last is not None:
                headers["Last-Event-ID"] = str(last)
            try:
                async with self._http.stream(
                    "GET", self._base + _path(key, "/events"), headers=headers, timeout=timeout
                ) as response:
                    if response.status_code >= 400:
                        await response.aread()
                        raise _problem(response)
                    reader = SseReader()
                    async for line in response.aiter_lines():
                        message = reader.feed(line)
                        if message is None:
                            continue
                        event = _parse_model(EventOut, message.data)
                        if event.id:  # an ephemeral event (id 0) is not a place to resume
                            last = event.id
                        failures = 0
                        yield event
                cause: Exception = Unreachable("the server ended the event stream")
            except httpx.HTTPError as exc:
                cause = exc
            failures += 1
            if failures > self._reconnects:
                raise Unreachable(
                    f"lost the event stream of {key} ({type(cause).__name__})"
                ) from cause
            await asyncio.sleep(min(0.25 * 2**failures, 5.0))

    async def games(self) -> list[GameInfo]:
        return _parse(_GAMES, await self._call("GET", "/v1/games"))

    async def load_game(self, key: SessionKey, game_id: str, swap: bool) -> GameRef:
        body = {"session": str(key), "swap": swap}
        answer = await self._call("POST", f"/v1/games/{quote(game_id, safe='')}/load", json=body)
        return _parse(GameRef, answer)

    async def delete_game(self, game_id: str) -> None:
        await self._call("DELETE", f"/v1/games/{quote(game_id, safe='')}")

    async def aclose(self) -> None:
        if self._owned:
            await self._http.aclose()


def _if_match(version: int | None) -> dict[str, str] | None:
    return None if version is None else {"If-Match": f'"{version}"'}


def _problem(response: httpx.Response) -> GlitchcartError:
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    return error_from_problem(response.status_code, body)


@overload
def _parse(model: TypeAdapter[M], response: httpx.Response) -> M: ...


@overload
def _parse(model: type[B], response: httpx.Response) -> B: ...


def _parse(model: type[B] | TypeAdapter[M], response: httpx.Response) -> B | M:
    if isinstance(model, TypeAdapter):
        try:
            return model.validate_json(response.content)
        except ValidationError as exc:
            raise GlitchcartError("the server's answer does not match the API") from exc
    return _parse_model(model, response.content)


def _parse_model(model: type[B], raw: str | bytes) -> B:
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise GlitchcartError("the server's answer does not match the API") from exc
