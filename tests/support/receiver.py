"""A webhook receiver on 127.0.0.1 that records each POST and answers from a script."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from tests.support.httpserver import FixtureServer


@dataclass(frozen=True)
class Received:
    """One POST as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver(FixtureServer):
    """Context manager: answers each POST to ``hook_url`` with the next status of
    ``statuses`` (then 200), after ``delay_s``."""

    def __init__(self, statuses: list[int] | None = None, delay_s: float = 0.0) -> None:
        self.statuses = list(statuses or [])
        self.delay_s = delay_s
        self.received: list[Received] = []
        self._lock = threading.Lock()
        super().__init__()

    @property
    def hook_url(self) -> str:
        """Where deliveries go."""
        return self.url("/hook")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(super()._handler()):  # type: ignore[misc]
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    receiver.received.append(Received(self.path, headers, body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                time.sleep(receiver.delay_s)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting, as a timeout test intends

        return Handler
