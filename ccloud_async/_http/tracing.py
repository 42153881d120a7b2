"""OpenTelemetry spans, emitted natively when the application has a tracer provider.

With ``opentelemetry-api`` installed (the ``otel`` extra) and an SDK tracer provider set
by the application, every call is one INTERNAL span named by its operationId, and every
wire attempt under it one CLIENT span following the HTTP client semantic conventions
(``http.request.method``, ``url.template``, ``server.address``, ``server.port``,
``http.response.status_code``, ``error.type``, ``http.request.resend_count``), with the
limiter wait (``ccloud.limiter.wait_s``) and, on a retry, why (``ccloud.retry.reason``).
Without an installed provider — or without the package — nothing is created: the check
costs an attribute lookup per call.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any, Protocol

__all__ = ["TracerProviderLike", "attempt_span", "call_span", "inject", "installed", "tracer"]

_NAME = "ccloud_async"
_api: Any = None  # the opentelemetry.trace module, once imported; False when absent
_ENV_PROVIDER = False  # a provider named by the environment, made on first use
_last: tuple[Any, Any] = (None, None)  # the last provider used, and its tracer


class TracerProviderLike(Protocol):
    """An OpenTelemetry tracer provider (typed loosely: the package is optional)."""

    def get_tracer(self, instrumenting_module_name: str, /) -> Any: ...


def tracer(choice: bool | TracerProviderLike = True) -> Any:
    """The tracer to use, or None: ``False`` opts out, ``True`` reads the global tracer
    provider (None while none is installed), a provider is used as given."""
    if choice is False:
        return None
    api = _api if _api is not None else _load()
    if api is False:
        return None
    if choice is True:
        # The API's own global, read directly while unset: get_tracer_provider() also
        # looks up an environment variable each time (~1 µs, 5 % of an untraced call).
        if getattr(api, "_TRACER_PROVIDER", True) is None and not _ENV_PROVIDER:
            return None
        provider = api.get_tracer_provider()
        if isinstance(provider, (api.ProxyTracerProvider, api.NoOpTracerProvider)):
            return None
    else:
        provider = choice
    global _last
    if _last[0] is not provider:  # the SDK makes a new Tracer per get_tracer call
        _last = (provider, provider.get_tracer(_NAME))
    return _last[1]


def installed() -> bool:
    """Whether ``opentelemetry-api`` is importable: without it no call is ever traced."""
    return (_api if _api is not None else _load()) is not False


def _load() -> Any:
    global _api, _ENV_PROVIDER
    try:
        from opentelemetry import trace
    except ImportError:
        _api = False
    else:
        _api = trace
        _ENV_PROVIDER = "OTEL_PYTHON_TRACER_PROVIDER" in os.environ
    return _api


@contextlib.contextmanager
def call_span(active: Any, operation: str, method: str, template: str) -> Iterator[Any]:
    """One span around a whole call, retries and pauses included."""
    trace = _api
    with active.start_as_current_span(
        operation,
        kind=trace.SpanKind.INTERNAL,
        attributes={"http.request.method": method, "url.template": template},
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except BaseException as exc:
            span.set_attribute("error.type", type(exc).__name__)
            span.set_status(trace.Status(trace.StatusCode.ERROR, type(exc).__name__))
            raise


def attempt_span(active: Any, method: str, template: str, host: str, port: int | None) -> Any:
    """A CLIENT span for one wire attempt (ended by the caller)."""
    attributes: dict[str, Any] = {
        "http.request.method": method,
        "url.template": template,
        "server.address": host,
    }
    if port is not None:
        attributes["server.port"] = port
    return active.start_span(
        f"{method} {template}", kind=_api.SpanKind.CLIENT, attributes=attributes
    )


def end_attempt(span: Any, status: int | None, error: BaseException | None) -> None:
    if status is not None:
        span.set_attribute("http.response.status_code", status)
    if error is not None:
        span.set_attribute("error.type", type(error).__name__)
        span.set_status(_api.Status(_api.StatusCode.ERROR, type(error).__name__))
    elif status is not None and status >= 400:
        span.set_attribute("error.type", str(status))
        span.set_status(_api.Status(_api.StatusCode.ERROR))
    span.end()


def inject(headers: dict[str, str], span: Any) -> None:
    """Put the attempt's trace context into the request (``traceparent``)."""
    from opentelemetry import propagate

    propagate.inject(headers, context=_api.set_span_in_context(span))
