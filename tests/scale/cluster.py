"""Test harness: production processes started from the Procfile, and a round-robin TCP proxy.

Everything here runs on 127.0.0.1 with ports picked at run time; every process is started in
its own session so that it (and its children) can be killed as a whole, like a host dying.
"""
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RoundRobinProxy:
    """A TCP load balancer: each connection goes to the next backend that accepts it.

    `stop()` closes the listener and every open connection (a backend seen as down);
    `start()` listens again on the same port.
    """

    def __init__(self, backends, port=None):
        self.backends = list(backends)
        self.port = port or free_port()
        self._next = 0
        self._lock = threading.Lock()
        self._sockets = set()
        self._listener = None

    def start(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self):
        listener, self._listener = self._listener, None
        if listener:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close alone does not
            except OSError:
                pass
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by stop()
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _connect(self):
        for _ in range(len(self.backends)):
            with self._lock:
                backend = self.backends[self._next % len(self.backends)]
                self._next += 1
            try:
                return socket.create_connection(backend, timeout=5)
            except OSError:
                continue  # like a balancer's passive health check: try the next one
        return None

    def _serve(self, client):
        upstream = self._connect()
        if upstream is None:
            client.close()
            return
        upstream.settimeout(None)
        with self._lock:
            self._sockets.update((client, upstream))
        threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()
        self._pipe(client, upstream)

    def _pipe(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def procfile_command(name) -> str:
    """The command of a process type in the production Procfile, exactly as written there."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise KeyError(name)


class Process:
    """One Procfile process type running in its own session, its output in a log file."""

    def __init__(self, name, env, log_dir):
        self.name, self.env, self.log_file = name, env, Path(log_dir) / f"{name}.log"
        self.popen = None

    def start(self):
        with open(self.log_file, "ab") as log:
            self.popen = subprocess.Popen(  # noqa: S603 -- our own Procfile line
                ["bash", "-c", procfile_command(self.name.split("-")[0])], cwd=ROOT,
                env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill(self, sig=signal.SIGKILL):
        """Signal the whole process group (gunicorn's or celery's workers too), then reap."""
        if self.popen is None or self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.popen.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(15)

    def stop(self):
        self.kill(signal.SIGTERM)

    def tail(self, size=3000):
        try:
            return self.log_file.read_text(errors="replace")[-size:]
        except OSError:
            return ""


def run_procfile(name, env, timeout=180):
    """Run a one-shot Procfile process type (release) to completion."""
    return subprocess.run(["bash", "-c", procfile_command(name)], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=timeout)


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def request(method, url, payload=None, headers=None, timeout=20):
    """(status, JSON body or None); raises OSError when nothing answers (connection refused)."""
    data = None if payload is None else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **(headers or {})}
    req = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with _opener.open(req, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            status, body = error.code, error.read()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


def wait_http(url, timeout=60, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.tail()}")
        try:
            if request("GET", url, timeout=3)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 in {timeout}s"
                       + (f":\n{process.tail()}" if process else ""))

