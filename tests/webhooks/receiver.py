"""A real webhook receiver on 127.0.0.1: ``http.server`` in a thread, recording what it gets.

It answers 500 to its first ``fail_first`` requests (a receiver that is down for a while) and 204
after, and keeps every request's headers and body so a test can verify the signature with the
``standardwebhooks`` package exactly as an integrator would.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's default of 5 drops concurrent connections


class Receiver:
    def __init__(self, *, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver._lock:
                    failing = len(receiver.requests) < receiver.fail_first
                    status = 500 if failing else 204
                    receiver.requests.append(Received(self.path, dict(self.headers), body, status))
                self.send_response(status)
                payload = b"receiver is down" if failing else b""
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def delivered(self) -> list[Received]:
        return [request for request in self.requests if request.answered < 300]
