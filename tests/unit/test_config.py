"""Client settings: credentials, environment, base URL rules, secrecy."""

from __future__ import annotations

import pickle

import pytest

from ccloud_async._config import Secret, resolve_config
from ccloud_async.errors import ConfigurationError, MissingCredentialsError


def test_key_from_argument_wins_over_environment() -> None:
    config = resolve_config(api_key="arg-key", env={"COCKROACH_API_KEY": "env-key"})
    assert config.credential.reveal() == "arg-key"
    assert config.headers()["Authorization"] == "Bearer arg-key"


def test_a_given_jwt_wins_over_a_key_in_the_environment() -> None:
    env = {"COCKROACH_API_KEY": "env-key", "COCKROACH_VANITY_NAME": "acme"}
    config = resolve_config(jwt="arg-token", env=env)
    assert config.credential.reveal() == "arg-token" and config.uses_jwt
    with pytest.raises(ConfigurationError, match="not both"):
        resolve_config(api_key="k", jwt="t", vanity_name="acme", env={})
    # Both only in the environment: the key, as before.
    both = resolve_config(env={**env, "COCKROACH_API_JWT": "env-token"})
    assert both.credential.reveal() == "env-key"


def test_key_and_server_from_environment() -> None:
    config = resolve_config(
        env={"COCKROACH_API_KEY": "env-key", "COCKROACH_SERVER": "http://127.0.0.1:9"}
    )
    assert config.credential.reveal() == "env-key"
    assert str(config.base_url) == "http://127.0.0.1:9/"


def test_defaults() -> None:
    config = resolve_config(api_key="k", env={})
    assert str(config.base_url) == "https://cockroachlabs.cloud/"
    headers = config.headers()
    assert headers["Cc-Version"] == "2024-09-16"
    assert headers["User-Agent"].startswith("ccloud-async/")
    assert "Content-Type" not in headers
    assert "Cc-Vanity-Name" not in headers


def test_missing_key_names_the_variable() -> None:
    with pytest.raises(MissingCredentialsError, match="COCKROACH_API_KEY"):
        resolve_config(env={})


def test_jwt_needs_a_vanity_name() -> None:
    with pytest.raises(ConfigurationError, match="COCKROACH_VANITY_NAME"):
        resolve_config(jwt="token", env={})
    config = resolve_config(
        env={
            "COCKROACH_API_JWT": "token",
            "COCKROACH_VANITY_NAME": "acme",
            "COCKROACH_USERNAME": "alice@example.com",
        }
    )
    headers = config.headers()
    assert headers["Authorization"] == "Bearer token"
    assert headers["Cc-Vanity-Name"] == "acme"
    assert headers["Cc-Username"] == "alice@example.com"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://localhost:1",
        "http://[::1]:8080",
        "https://example.com",
        "https://cockroachlabs.cloud/",
    ],
)
def test_allowed_base_urls(url: str) -> None:
    resolve_config(api_key="k", base_url=url, env={})


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "http://10.0.0.1",
        "http://localhost.example.com",
        "ftp://127.0.0.1",
        "cockroachlabs.cloud",
        "https://user:pw@example.com",
        "https://example.com/?x=1",
    ],
)
def test_rejected_base_urls(url: str) -> None:
    with pytest.raises(ConfigurationError):
        resolve_config(api_key="k", base_url=url, env={})


@pytest.mark.parametrize("key", ["", "  ", "a\nb", "a\r\nInjected: 1"])
def test_bad_keys_are_rejected_without_echoing_them(key: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_config(api_key=key, env={})
    if key.strip():
        assert key not in str(info.value)


def test_secret_never_shows() -> None:
    secret = Secret("super-secret-value")
    config = resolve_config(api_key="super-secret-value", env={})
    for text in (repr(secret), str(secret), repr(config), f"{config}", f"{secret!s}"):
        assert "super-secret-value" not in text
    with pytest.raises(TypeError):
        pickle.dumps(secret)
