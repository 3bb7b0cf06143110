"""Serve the sample newsroom over HTTP on 127.0.0.1 (``python -m wirebrief.demo.server``)."""

from __future__ import annotations

import argparse
import hashlib
import socket
import sys
import threading
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from wirebrief.demo.site import Publication, Resource, build_resources, publications

__all__ = ["NewsroomServer", "Publication", "publications"]

LOOPBACK = "127.0.0.1"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    resources: dict[str, Resource]

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        """A client that hung up (a fetch stopped by Ctrl-C) is no error worth a traceback
        in the demo's terminal; anything else still gets one."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "WirebriefNewsroom/1.0"
    protocol_version = "HTTP/1.1"  # keep-alive; every response carries a Content-Length
    timeout = 30  # drop idle keep-alive connections
    disable_nagle_algorithm = True  # headers and body go out in separate writes

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet; the newsroom runs inside tests and demos."""

    def _respond(self, with_body: bool) -> None:
        path = urlsplit(self.path).path or "/"
        resource = self.server.resources.get(path)
        if resource is None and path + "/" in self.server.resources:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if resource is None:
            body = b'<!DOCTYPE html><html lang="en"><title>404 Not Found</title><h1>Not Found</h1>'
            self.send_response(HTTPStatus.NOT_FOUND)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)
            return
        etag = '"' + hashlib.sha256(resource.body).hexdigest()[:32] + '"'
        last_modified = format_datetime(resource.last_modified.astimezone(UTC), usegmt=True)
        status = HTTPStatus.NOT_MODIFIED if self._not_modified(etag, resource) else HTTPStatus.OK
        self.send_response(status)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.send_header("Cache-Control", "max-age=60")
        if status is HTTPStatus.OK:
            self.send_header("Content-Type", resource.content_type)
            self.send_header("Content-Length", str(len(resource.body)))
        self.end_headers()
        if with_body and status is HTTPStatus.OK:
            self.wfile.write(resource.body)

    def _not_modified(self, etag: str, resource: Resource) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return etag in tags or "*" in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return resource.last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False


class NewsroomServer:
    """The sample newsroom on a background thread; use as a context manager."""

    def __init__(self, host: str = LOOPBACK, port: int = 0) -> None:
        if host != LOOPBACK:
            raise ValueError(f"the sample newsroom only binds {LOOPBACK}, not {host!r}")
        self.host = host
        self.port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self._httpd is None:
            raise RuntimeError("NewsroomServer is not running")
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    def feed_urls(self) -> list[tuple[str, str]]:
        """``(publication name, absolute feed URL)`` for every publication."""
        return [(pub.name, self.base_url + pub.feed_path) for pub in publications()]

    def start(self) -> None:
        """Bind, build the site for the bound URL and serve on a daemon thread."""
        if self._httpd is not None:
            return
        httpd = _HTTPServer((self.host, self.port), _Handler)
        self._httpd = httpd
        httpd.resources = build_resources(self.base_url)
        self._thread = threading.Thread(
            target=httpd.serve_forever, name="wirebrief-newsroom", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Shut the server down and release the port."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> NewsroomServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """Run the newsroom in the foreground and print its feed URLs."""
    parser = argparse.ArgumentParser(description="Serve the Wirebrief sample newsroom.")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0 = any)")
    args = parser.parse_args(argv)
    server = NewsroomServer(port=args.port)
    server.start()
    print(f"Sample newsroom at {server.base_url}/")
    for name, url in server.feed_urls():
        print(f"  {name}: {url}")
    print("Press Ctrl+C to stop.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
