"""HTTP plumbing of a sandbox: a threading server, and a handler base that reads bodies,
sends answers and serves /control/faults; each provider routes its own paths."""
import json
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class BadRequest(Exception):
    """The request's body cannot be read (bad Content-Length, or over MAX_BODY)."""


class Handler(BaseHTTPRequestHandler):
    """GET, POST and DELETE go to _route(verb); the server has a `faults` attribute."""

    timeout = 30  # an idle keep-alive or a slow client must not hold a thread forever
    log = logging.getLogger("sandbox.http")
    json_type = "application/json; charset=utf-8"
    always_headers: dict = {}  # sent with every answer

    def _route(self, verb):
        raise NotImplementedError

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")

    def do_DELETE(self):
        self._route("DELETE")

    def log_message(self, format, *args):
        self.log.warning("%s", format % args)

    def _body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise BadRequest("bad Content-Length") from None
        if not 0 <= length <= MAX_BODY:
            raise BadRequest("body too large")
        return self.rfile.read(length) if length else b""

    def _send(self, status, content_type, body: bytes, headers=None):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if status != 204:  # RFC 9110: a 204 carries no Content-Length
            self.send_header("Content-Length", str(len(body)))
        for name, value in {**self.always_headers, **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _json(self, status, data):
        self._send(status, self.json_type,
                   json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))

    def _control_faults(self, verb):
        """GET shows the switches, DELETE resets them, POST merges a JSON object of changes."""
        faults = self.server.faults
        if verb == "GET":
            return self._json(200, faults.snapshot())
        if verb == "DELETE":
            return self._json(200, faults.reset())
        try:
            changes = json.loads(self._body().decode("utf-8") or "{}")
            return self._json(200, faults.update(changes))
        except (ValueError, BadRequest) as error:  # JSONDecodeError and validation both
            return self._json(400, {"error": str(error)})
