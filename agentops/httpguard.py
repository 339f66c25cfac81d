"""What the HTTP API checks before a request reaches an endpoint (a pure ASGI middleware).

- Host allowlist: an API without a token is bound to loopback, and only requests addressed to
  loopback by name (localhost, 127.0.0.1, [::1], with the server's port) are served, so a web
  page whose DNS name is rebound to 127.0.0.1 cannot reach /propose from a browser; a request
  or websocket carrying an Origin that is not such a name is refused too (cross-site
  websockets and simple POSTs need no preflight).
- Body size: a request body over `max_body` bytes is a 413, read no further.
- Body text: a JSON body must be UTF-8 and hold no lone surrogate (`"\\ud800"`), which JSON's
  escapes allow but no string agentops writes can hold: a 400 naming the problem, never a 500
  from an encoder deep inside.

Error bodies never echo the request back beyond a short excerpt (see `excerpt`).
"""

from __future__ import annotations

import json
from typing import Any, Iterable

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
MAX_BODY_BYTES = 512 * 1024
EXCERPT_CHARS = 200


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> Any:
    """A value as it may appear in an error response: strings cut to `limit` characters."""
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit] + f"... ({len(value)} characters)"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return value if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"
    return value


def host_allowed(host_header: str | None, allowed: Iterable[str], port: int | None) -> bool:
    """Whether a Host header names one of `allowed` (and, when `port` is known, that port
    or none)."""
    if not host_header:
        return False
    host = host_header.strip().lower()
    name, _, given_port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if not name:  # no colon at all: "localhost"
        name, given_port = host, ""
    if name not in allowed:
        return False
    return not given_port or port is None or given_port == str(port)


class RequestGuard:
    """ASGI middleware: Host allowlist (when `allowed_hosts` is set), body size and text."""

    def __init__(self, app, allowed_hosts: Iterable[str] | None = None, port: int | None = None,
                 max_body: int = MAX_BODY_BYTES):
        self.app = app
        self.allowed_hosts = tuple(allowed_hosts) if allowed_hosts else None
        self.port = port
        self.max_body = max_body

    def _foreign(self, headers: dict[str, str]) -> bool:
        """A request (or websocket) a tokenless server must refuse: addressed to another name,
        or sent by a page from another origin (a browser lets any page open a websocket to
        127.0.0.1, and POST to it without a preflight)."""
        if self.allowed_hosts is None:
            return False
        if not host_allowed(headers.get("host"), self.allowed_hosts, self.port):
            return True
        origin = headers.get("origin")
        if origin is None:  # not a browser page
            return False
        _, sep, rest = origin.partition("://")
        return not sep or not host_allowed(rest.split("/")[0], self.allowed_hosts, self.port)

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if scope["type"] == "websocket":
            if self._foreign(headers):
                return await send({"type": "websocket.close", "code": 1008})
            return await self.app(scope, receive, send)
        if self._foreign(headers):
            return await _reply(send, 403, "this server answers only requests addressed to "
                                "localhost from localhost pages", "use http://127.0.0.1:PORT/ "
                                "(or configure API tokens to serve other names)")
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            return await _too_large(send, self.max_body)
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                return await _too_large(send, self.max_body)
        problem = _body_problem(bytes(body), headers.get("content-type", ""))
        if problem:
            return await _reply(send, 400, problem, "send a JSON body of UTF-8 text")
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        return await self.app(scope, replay, send)


def _body_problem(body: bytes, content_type: str) -> str | None:
    if not body or "json" not in content_type.lower():
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"the request body is not UTF-8 (byte {exc.start})"
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None  # not JSON at all: FastAPI's own validation answers it (422)
    bad = _lone_surrogate(data)
    if bad is not None:
        return f"the request body holds an unpaired UTF-16 surrogate in {bad}"
    return None


def _lone_surrogate(data: Any, where: str = "the body") -> str | None:
    stack = [(data, where)]
    while stack:
        value, at = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return at
        elif isinstance(value, dict):
            for k, v in value.items():
                if _lone_surrogate(k, at) is not None:
                    return f"a key of {at}"
                stack.append((v, f"'{excerpt(k, 40)}'"))
        elif isinstance(value, list):
            stack.extend((v, at) for v in value)
    return None


async def _too_large(send, limit: int) -> None:
    await _reply(send, 413, f"the request body is over {limit} bytes",
                 "send a command or an ActionPlan, not a file")


async def _reply(send, status: int, error: str, hint: str) -> None:
    payload = json.dumps({"error": error, "hint": hint}).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})
