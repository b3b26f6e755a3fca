"""Command line of a sandbox process: the arguments every sandbox takes, and its run loop."""
import argparse
import logging
import signal
import sys
import threading
from pathlib import Path


def _scale(value: str) -> float:
    scale = float(value)
    if scale < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return scale


def parser(*, prog, description, port, data_dir, data_help) -> argparse.ArgumentParser:
    """A parser with --host, --port, --data-dir; the caller adds its own, then time_scale()."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port, help="0 picks a free port")
    parser.add_argument("--data-dir", default=data_dir, type=Path, help=data_help)
    return parser


def time_scale(parser, help):
    """--time-scale: a number >= 0 that multiplies the sandbox's delays."""
    parser.add_argument("--time-scale", default=1.0, type=_scale, help=help)


def log_to_stderr():
    """INFO and up to stderr (a starter sends it to <data_dir>/sandbox.log); stdout stays free."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")


def serve(server, notifier, store, *, name, log) -> int:
    """Serve until SIGTERM or SIGINT, then stop the server, the notifier and the store.

    The first line on stdout, `<name> listening on <url>`, tells a starter the port.
    """
    stop = threading.Event()
    # serve_forever runs in a thread because shutdown() from a signal handler in the serving
    # thread would deadlock; the main thread only waits for a signal.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="http",
                     daemon=True).start()
    notifier.start()
    print(f"{name} listening on {server.url}", flush=True)
    while not stop.wait(1.0):
        pass
    log.info("stopping")
    server.shutdown()
    notifier.stop()
    server.server_close()
    store.shutdown()
    return 0
