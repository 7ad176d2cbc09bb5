"""``glitchcart providers``: list and check the configured providers, never showing a key."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from glitchcart.adapters.providers.check import check_providers
from glitchcart.cli.providers import make_providers_app
from support.fake_openai import Reply, serve_in_thread

SECRET = "sk-test-secret-123"
app = make_providers_app(check_providers)


def env_for(base_url: str, **chat: object) -> dict[str, str | None]:
    providers = [
        {"name": "hosted", "kind": "chat", "base_url": base_url, "model": "fake-chat",
         "api_key": SECRET, "supports_json_schema": True, "timeout": 2, **chat},
        {"name": "paint", "kind": "image", "base_url": base_url, "model": "fake-image"},
    ]  # fmt: skip
    return {"GLITCHCART_PROVIDERS": json.dumps(providers), "GLITCHCART_PROVIDERS_FILE": None}


def test_check_reports_what_each_provider_supports() -> None:
    with serve_in_thread() as server:
        result = CliRunner().invoke(
            app, ["check", "--json", "--paint"], env=env_for(server.base_url)
        )
    assert result.exit_code == 0, result.output
    hosted, paint = json.loads(result.output)
    assert hosted["name"] == "hosted" and hosted["key"] == "set" and hosted["ok"]
    assert hosted["reachable"] and hosted["model_listed"] and hosted["completes"]
    assert hosted["json_schema"] is True and hosted["stream"] is True
    assert paint["paints"] is True and paint["key"] == "none"
    assert SECRET not in result.output
    assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"


def test_check_fails_with_a_sanitized_reason_when_a_provider_is_down() -> None:
    with serve_in_thread() as server:
        server.script("models", Reply(status=401))
        server.script("chat", Reply(status=401, body=f'{{"error": "{SECRET}"}}'.encode()))
        result = CliRunner().invoke(app, ["check"], env=env_for(server.base_url))
    assert result.exit_code == 5
    assert "HTTP 401" in result.output
    assert SECRET not in result.output


def test_check_without_calls_only_lists_models() -> None:
    with serve_in_thread() as server:
        result = CliRunner().invoke(
            app, ["check", "--no-calls", "--json"], env=env_for(server.base_url)
        )
        paths = [r.path for r in server.requests]
    assert result.exit_code == 0, result.output
    assert paths == ["/v1/models", "/v1/models"]
    assert json.loads(result.output)[0]["completes"] is None


def test_list_shows_providers_and_chains_without_keys() -> None:
    result = CliRunner().invoke(app, ["list"], env=env_for("http://127.0.0.1:9/v1"))
    assert result.exit_code == 0, result.output
    assert "hosted" in result.output and "paint" in result.output
    assert "set" in result.output and SECRET not in result.output


def test_bad_settings_exit_2_without_echoing_values() -> None:
    env = {"GLITCHCART_PROVIDERS": json.dumps([{"name": "x", "kind": "chat", "api_key": SECRET}])}
    result = CliRunner().invoke(app, ["check"], env=env)
    assert result.exit_code == 2
    assert "GLITCHCART_PROVIDERS[0][base_url]" in result.output
    assert SECRET not in result.output
