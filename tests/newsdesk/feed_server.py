"""A real HTTP server on 127.0.0.1 for the intake tests.

Each path answers with a queue of canned responses (the last one repeats),
so a test can script what a feed does over several polls. Every request is
recorded with its headers, to assert what the client sent.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Canned:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    # No Content-Length: the body runs until the connection closes, as a
    # server streaming a generated feed does.
    unsized: bool = False
    # Seconds between bytes of the body: a server that keeps every socket
    # read under the read timeout and still never finishes.
    trickle: float = 0.0


Responder = Canned | Callable[[BaseHTTPRequestHandler], Canned]


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up early (the size-limit tests do) is expected;
        # anything else is still reported.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Responder]] = {}
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self.httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def route(self, path: str, *responses: Responder) -> str:
        with self._lock:
            self.routes[path] = list(responses)
        return self.url(path)

    def requests_to(self, path: str) -> list[Recorded]:
        return [request for request in self.requests if request.path == path]

    def _next(self, handler: BaseHTTPRequestHandler) -> Canned:
        with self._lock:
            self.requests.append(Recorded(handler.path, dict(handler.headers.items())))
            queue = self.routes.get(handler.path)
            if not queue:
                return Canned(404, b"no existe", {"Content-Type": "text/plain"})
            responder = queue.pop(0) if len(queue) > 1 else queue[0]
        return responder(handler) if callable(responder) else responder

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Without this, Nagle's algorithm and delayed ACKs add ~40 ms
            # to every response.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                canned = server._next(self)
                if canned.delay:
                    time.sleep(canned.delay)
                self.send_response(canned.status)
                for name, value in canned.headers.items():
                    self.send_header(name, value)
                if canned.unsized:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                elif "Content-Length" not in canned.headers:
                    self.send_header("Content-Length", str(len(canned.body)))
                self.end_headers()
                step = 1 if canned.trickle else 256 * 1024
                try:
                    for start in range(0, len(canned.body), step):
                        self.wfile.write(canned.body[start : start + step])
                        if canned.trickle:
                            self.wfile.flush()
                            time.sleep(canned.trickle)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(name="feed_server")
def feed_server_fixture() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server
