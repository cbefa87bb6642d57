"""The page's defences that are not about files: a request body limit, sessions, CSRF tokens.

Sessions are Starlette's SessionMiddleware: a cookie signed with itsdangerous, SameSite=strict,
HttpOnly, eight hours. CSRF is the synchronizer-token pattern (OWASP): a random token kept in the
signed session, written into every form, compared in constant time on every POST; a POST whose
Origin header names another site is refused too.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_HOURS = 8


class BodyLimit:
    """Refuse (413) a request whose body is larger than `max_bytes`: by its Content-Length before
    reading, and by counting while it is read (a chunked body has no length)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, "上传过大 upload too large")
            return message

        await self.app(scope, limited, send)


async def _too_large(send: Send) -> None:
    body = "上传过大 upload too large".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def session_secret(path: Path) -> str:
    """The key that signs sessions: UNIONWH_SESSION_SECRET, else a random one kept (0600) in the
    private folder, so sessions survive a restart."""
    if configured := os.environ.get("UNIONWH_SESSION_SECRET"):
        return configured
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as stream:
        stream.write(secret)
    return secret


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def require_csrf(request: Request, form: FormData) -> None:
    expected = request.session.get("csrf") or ""
    given = form.get("csrf")
    if not expected or not isinstance(given, str) or not hmac.compare_digest(given, expected):
        raise HTTPException(403, "表单已失效或缺少校验码，请刷新页面 / missing or wrong CSRF token")
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise HTTPException(403, "跨站请求被拒绝 / cross-site request refused")
