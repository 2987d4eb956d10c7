"""The air-gap check on every request that changes data, while a tier's site is running.

Why: `serve` checks the machine when it starts, but a cable plugged in (or a wifi switched on) an hour later
would go unnoticed. Reading the routing tables costs microseconds, so every POST (a save, a finalise, an
upload, a login) runs the same check first and, when the machine is connected, gets a Dutch 503 page
instead; pages that only show (GET) keep working, so a coordinator can still see where things stand. The
override given to `serve` (`--allow-network`, TELKETEN_ALLOW_NETWORK=1) holds for its requests too.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.errors import EnvironmentProblem

_CSP = b"default-src 'none'; style-src 'self'; frame-ancestors 'none'"
_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verbonden met een netwerk · Telketen</title><link rel="stylesheet" href="/static/telketen.css"></head>
<body><main id="inhoud"><h1>Niets opgeslagen: deze computer is verbonden met een netwerk</h1>
<p>Invoeren, scannen en vaststellen kan alleen op een computer zonder verbinding met internet. Haal de
netwerkkabel eruit of zet wifi uit en probeer het opnieuw. Er is niets veranderd.</p>
<p><small>{detail}</small></p><p><a href="/">Naar het begin</a></p></main></body></html>
"""


class AirGapGuard:
    """ASGI middleware: `check()` before every POST; when it raises EnvironmentProblem, a 503 page instead."""

    def __init__(self, app: ASGIApp, check: Callable[[], object]) -> None:
        self.app = app
        self.check = check

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "POST":
            try:
                self.check()
            except EnvironmentProblem as exc:
                body = _PAGE.format(detail=html.escape(str(exc))).encode("utf-8")
                await send(
                    {
                        "type": "http.response.start",
                        "status": 503,
                        "headers": [
                            (b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode("ascii")),
                            (b"cache-control", b"no-store"),
                            (b"content-security-policy", _CSP),
                            (b"x-content-type-options", b"nosniff"),
                            (b"x-frame-options", b"DENY"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
