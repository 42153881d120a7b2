"""Client settings: where to find credentials and the server, validated once.

Credentials are kept in :class:`Secret`, whose ``repr`` and ``str`` never show the value.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from ssl import SSLContext, create_default_context

from yarl import URL

from ._version import __version__
from .errors import ConfigurationError, MissingCredentialsError

__all__ = [
    "DEFAULT_API_VERSION",
    "DEFAULT_BASE_URL",
    "ClientConfig",
    "Secret",
    "proxy_secret",
    "resolve_config",
    "ssl_setting",
]

DEFAULT_BASE_URL = "https://cockroachlabs.cloud"
DEFAULT_API_VERSION = "2024-09-16"
USER_AGENT = f"ccloud-async/{__version__}"

ENV_API_KEY = "COCKROACH_API_KEY"
ENV_JWT = "COCKROACH_API_JWT"
ENV_VANITY_NAME = "COCKROACH_VANITY_NAME"
ENV_USERNAME = "COCKROACH_USERNAME"
ENV_SERVER = "COCKROACH_SERVER"


class Secret:
    """A credential that refuses to be printed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("credentials are not picklable")


@dataclass(frozen=True)
class ClientConfig:
    """Resolved, validated settings. Build it with :func:`resolve_config`."""

    base_url: URL
    api_version: str
    credential: Secret = field(repr=True)
    vanity_name: str | None = None
    username: str | None = None

    @property
    def uses_jwt(self) -> bool:
        return self.vanity_name is not None

    def headers(self) -> dict[str, str]:
        """Headers sent on every request (Content-Type is added only with a body)."""
        headers = {
            "Authorization": f"Bearer {self.credential.reveal()}",
            "Cc-Version": self.api_version,
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        if self.vanity_name is not None:
            headers["Cc-Vanity-Name"] = self.vanity_name
        if self.username is not None:
            headers["Cc-Username"] = self.username
        return headers


def _is_loopback(host: str) -> bool:
    # Only "localhost" itself and loopback literals: a name under .localhost is resolved
    # by whoever answers DNS, and plaintext would carry the key to them.
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_USERINFO = re.compile(r"(?<=//)[^/@]*@")


def _shown(raw: object) -> str:
    """``raw`` fit to quote in an error: any ``user:password@`` part masked."""
    return repr(_USERINFO.sub("***@", str(raw)))


def validate_base_url(raw: str) -> URL:
    """https only, except loopback hosts, which may use http (local emulators)."""
    try:
        url = URL(raw)
    except (TypeError, ValueError):
        raise ConfigurationError(f"base_url is not a URL: {_shown(raw)}") from None
    if not url.is_absolute() or not url.host:
        raise ConfigurationError(f"base_url must be an absolute URL with a host, got {_shown(raw)}")
    if url.user or url.password:
        raise ConfigurationError("base_url must not hold credentials")
    if url.scheme == "https":
        pass
    elif url.scheme == "http":
        if not _is_loopback(url.host):
            raise ConfigurationError(
                "base_url must use https (http is allowed only for loopback hosts), "
                f"got {_shown(raw)}"
            )
    else:
        raise ConfigurationError(f"base_url scheme must be https, got {url.scheme!r}")
    if url.query_string or url.fragment:
        raise ConfigurationError("base_url must not have a query or fragment")
    return url.with_path(url.path.rstrip("/") or "/")


def _header_safe(value: str) -> bool:
    """Sendable as a header value: printable, no control characters."""
    return value.isprintable() and value == value.strip() and bool(value)


def proxy_secret(raw: str | None) -> Secret | None:
    """A proxy URL (http or https, optionally ``user:password@``), kept as a Secret."""
    if raw is None:
        return None
    try:
        url = URL(raw)
    except (TypeError, ValueError):
        raise ConfigurationError(f"proxy is not a URL: {_shown(raw)}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"proxy must be an http(s) URL with a host, got {_shown(raw)}")
    return Secret(str(url))


def ssl_setting(
    ssl: SSLContext | bool | None, base_url: URL, trust_env: bool, env: Mapping[str, str]
) -> SSLContext | bool:
    """What to verify the server with: the caller's context; ``False`` (loopback only);
    else the CA file or directory ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` name (when the
    environment is trusted), else the system's CAs."""
    if ssl is False:
        if not _is_loopback(base_url.host or ""):
            raise ConfigurationError("ssl=False (no verification) is allowed for loopback only")
        return False
    if isinstance(ssl, SSLContext):
        return ssl
    if ssl not in (None, True):
        raise ConfigurationError("ssl must be an ssl.SSLContext, True or False")
    cafile = env.get("SSL_CERT_FILE") if trust_env else None
    capath = env.get("SSL_CERT_DIR") if trust_env else None
    if cafile or capath:
        try:
            return create_default_context(cafile=cafile or None, capath=capath or None)
        except (OSError, ValueError) as exc:
            raise ConfigurationError(
                f"cannot load the CA certificates SSL_CERT_FILE/SSL_CERT_DIR name: {exc}"
            ) from None
    return True


def _pick(value: str | None, env: Mapping[str, str], name: str) -> str | None:
    if value is not None:
        return value
    found = env.get(name)
    return found if found else None


def resolve_config(
    *,
    api_key: str | None = None,
    jwt: str | None = None,
    vanity_name: str | None = None,
    username: str | None = None,
    base_url: str | None = None,
    api_version: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ClientConfig:
    """Resolve settings from arguments, then the environment, then defaults."""
    env = os.environ if env is None else env
    if api_key is not None and jwt is not None:
        raise ConfigurationError("pass api_key= or jwt=, not both")
    # What is passed wins over the environment; there, a key over a JWT.
    key: str | None
    token: str | None
    if jwt is not None:
        key, token = None, jwt
    else:
        key = _pick(api_key, env, ENV_API_KEY)
        token = _pick(None, env, ENV_JWT) if key is None else None
    if key is None and token is None:
        raise MissingCredentialsError(
            f"no API key: pass api_key= or set {ENV_API_KEY} "
            f"(or, for JWT auth, jwt= / {ENV_JWT} with vanity_name= / {ENV_VANITY_NAME})"
        )
    vanity = user = None
    if token is not None:
        vanity = _pick(vanity_name, env, ENV_VANITY_NAME)
        if not vanity:
            raise ConfigurationError(
                f"JWT auth needs the organization's vanity name: "
                f"pass vanity_name= or set {ENV_VANITY_NAME}"
            )
        user = _pick(username, env, ENV_USERNAME)
    credential = key if key is not None else token
    assert credential is not None
    if not credential.strip() or any(c in credential for c in "\r\n"):
        raise ConfigurationError("the API key / JWT is empty or contains a line break")
    version = api_version or DEFAULT_API_VERSION
    for name, value in (("api_version", version), ("vanity_name", vanity), ("username", user)):
        if value is not None and not _header_safe(value):
            raise ConfigurationError(f"{name} must be printable text with no control characters")
    url = validate_base_url(_pick(base_url, env, ENV_SERVER) or DEFAULT_BASE_URL)
    return ClientConfig(
        base_url=url,
        api_version=version,
        credential=Secret(credential),
        vanity_name=vanity,
        username=user,
    )
