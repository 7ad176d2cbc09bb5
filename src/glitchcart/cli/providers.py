"""``glitchcart providers``: list the configured model providers and check them.

The checks themselves live with the adapters; this surface gets them injected
(surfaces never pick adapters), and the composition root registers it::

    app.add_typer(make_providers_app(check_providers), name="providers")

    $ glitchcart providers list
    $ glitchcart providers check [--no-calls] [--paint] [--json]

Keys are never printed: a provider shows ``key: set`` or ``key: none``. Exit
status 0 when every provider checked answered, 5 otherwise, 2 for bad settings.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Protocol

import typer
from rich.console import Console
from rich.table import Table

from glitchcart.cli.common import settings as load
from glitchcart.cli.help import PlainHelp
from glitchcart.settings import Settings

EXIT_PROVIDER_FAILED = 5


class Report(Protocol):
    """What a check reports about one provider (see ``adapters.provider_check``)."""

    name: str
    kind: str
    base_url: str
    model: str
    key_set: bool
    reachable: bool
    model_listed: bool | None
    completes: bool | None
    json_schema: bool | None
    stream: bool | None
    paints: bool | None
    latency_ms: float | None
    configured: dict[str, bool]
    problems: list[str]

    @property
    def ok(self) -> bool: ...


Check = Callable[..., Awaitable[Sequence[Report]]]
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _settings() -> Settings:
    return load()  # a bad one: one line naming the variable, exit 2, never its value


def _mark(value: bool | None) -> str:
    return "-" if value is None else "yes" if value else "[red]no[/]"


def _row(report: Report) -> dict[str, Any]:
    return {
        "name": report.name,
        "kind": report.kind,
        "base_url": report.base_url,
        "model": report.model,
        "key": "set" if report.key_set else "none",
        "ok": report.ok,
        "reachable": report.reachable,
        "model_listed": report.model_listed,
        "completes": report.completes,
        "json_schema": report.json_schema,
        "stream": report.stream,
        "paints": report.paints,
        "latency_ms": None if report.latency_ms is None else round(report.latency_ms, 1),
        "configured": report.configured,
        "problems": report.problems,
    }


def make_providers_app(check: Check) -> typer.Typer:
    """The ``providers`` command group, running ``check`` (``check_providers``)."""
    providers_app = typer.Typer(
        cls=PlainHelp, help="The model providers: list and check them.", no_args_is_help=True
    )

    @providers_app.command("list")
    def list_providers(as_json: JsonFlag = False) -> None:
        """List the configured providers and the chains (never the keys)."""
        settings = _settings()
        rows: list[dict[str, Any]] = [
            {
                "name": p.name,
                "kind": p.kind,
                "base_url": p.base_url,
                "model": p.model,
                "key": "set" if p.api_key else "none",
                "max_concurrency": p.max_concurrency,
                "paid": p.paid,
            }
            for p in settings.providers
        ]
        if as_json:
            chains = {"narrator": settings.narrator_chain, "painter": settings.painter_chain}
            print(json.dumps({"providers": rows, "chains": chains}, indent=2))
            return
        out = Console()
        if not rows:
            out.print("no providers configured: the offline narrator and painter are used")
            return
        table = Table("name", "kind", "model", "base url", "key", "slots", "paid")
        for r in rows:
            table.add_row(r["name"], r["kind"], r["model"], r["base_url"], r["key"],
                          str(r["max_concurrency"]), "yes" if r["paid"] else "no")  # fmt: skip
        out.print(table)
        out.print(f"narrator chain: {' → '.join([*settings.narrator_chain, 'offline'])}")
        out.print(f"painter chain:  {' → '.join(settings.painter_chain) or '(offline)'}")

    @providers_app.command("check")
    def check_command(
        calls: Annotated[
            bool, typer.Option("--calls/--no-calls", help="Make tiny chat calls (costs tokens).")
        ] = True,
        paint: Annotated[
            bool, typer.Option("--paint", help="Also paint one test image per image provider.")
        ] = False,
        as_json: JsonFlag = False,
    ) -> None:
        """Test connectivity and print what each provider supports."""
        settings = _settings()
        reports = asyncio.run(_run(check, settings, calls, paint))
        if as_json:
            print(json.dumps([_row(r) for r in reports], indent=2))
        else:
            _print(reports)
        if not all(r.ok for r in reports):
            raise typer.Exit(EXIT_PROVIDER_FAILED)

    return providers_app


async def _run(check: Check, settings: Settings, calls: bool, paint: bool) -> Sequence[Report]:
    return await check(settings, calls=calls, paint=paint)


def _print(reports: Sequence[Report]) -> None:
    out = Console()
    if not reports:
        out.print("no providers configured: the offline narrator and painter are used")
        return
    table = Table("name", "kind", "model", "key", "reachable", "model listed", "completes",
                  "json schema", "stream", "paints", "ms")  # fmt: skip
    for r in reports:
        ms = "-" if r.latency_ms is None else f"{r.latency_ms:.0f}"
        table.add_row(r.name, r.kind, r.model, "set" if r.key_set else "none", _mark(r.reachable),
                      _mark(r.model_listed), _mark(r.completes), _mark(r.json_schema),
                      _mark(r.stream), _mark(r.paints), ms)  # fmt: skip
    out.print(table)
    for r in reports:
        for key, claimed in r.configured.items():
            found = getattr(r, key, None)
            if found is not None and found != claimed:
                out.print(f"hint: {r.name} supports_{key} is {claimed} but the check found {found}")
        for problem in r.problems:
            out.print(f"[yellow]{r.name}[/]: {problem}", highlight=False)
