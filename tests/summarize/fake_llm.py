"""An OpenAI-compatible chat-completions endpoint on 127.0.0.1 that answers from a script."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.httpserver import FixtureServer


@dataclass(frozen=True)
class Reply:
    """One answer: a chat message's content, or a bare status; optionally late."""

    content: str | None = None
    status: int = 200
    delay_s: float = 0.0
    body: bytes | None = None  # a raw body instead of a chat completion

    @classmethod
    def json(cls, answer: dict[str, Any], **options: Any) -> Reply:
        """A reply whose content is ``answer`` as JSON."""
        return cls(json.dumps(answer, ensure_ascii=False), **options)


Script = Callable[[int, dict[str, Any]], Reply]  # (request number from 0, request body)


class FakeLlm(FixtureServer):
    """Context manager: ``base_url`` ends in ``/v1`` like a real server's."""

    def __init__(self, script: Script | Reply) -> None:
        super().__init__()
        self.script: Script = script if callable(script) else (lambda _n, _body: script)
        self.requests: list[dict[str, Any]] = []  # type: ignore[assignment]  # bodies
        self.headers: list[dict[str, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return super().base_url + "/v1"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(super()._handler()):  # type: ignore[misc]
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake._lock:
                    number = len(fake.requests)
                    fake.requests.append(body)
                    fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                    fake.in_flight += 1
                    fake.most_in_flight = max(fake.most_in_flight, fake.in_flight)
                try:
                    reply = fake.script(number, body)
                    time.sleep(reply.delay_s)
                    if self.path != "/v1/chat/completions":
                        reply = Reply(status=404, body=b'{"error": "no such route"}')
                    payload = reply.body
                    if payload is None:
                        payload = json.dumps({
                            "id": f"chatcmpl-{number}", "object": "chat.completion",
                            "model": body.get("model"),
                            "choices": [{"index": 0, "finish_reason": "stop", "message": {
                                "role": "assistant", "content": reply.content}}],
                        }).encode()  # fmt: skip
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

        return Handler
