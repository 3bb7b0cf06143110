"""An OpenAI-compatible chat-completions endpoint on 127.0.0.1 that answers from a script."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client timing out and hanging up is what some tests are about


class FakeLlm:
    """Context manager: ``base_url`` ends in ``/v1`` like a real server's."""

    def __init__(self, script: Script | Reply) -> None:
        self.script: Script = script if callable(script) else (lambda _n, _body: script)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> FakeLlm:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

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
