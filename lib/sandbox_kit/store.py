"""A sandbox's SQLite store: one locked connection, one transaction per change, notify bookkeeping.

The provider's schema must have `notifications (notify_id, state, attempts, next_at, ...)` and
`notify_attempts (notify_id, attempt, at, http_status, body, outcome, ...)`.
"""
import sqlite3
import threading
import time
from contextlib import contextmanager


class SqliteStore:
    """Subclasses give SCHEMA and Refusal, the business error that still commits what it saw."""

    SCHEMA = ""
    Refusal: type[Exception] | tuple = ()  # () catches nothing: every error rolls back

    def __init__(self, path):
        # One connection guarded by a lock: simple, and SQLite serialises writers anyway.
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None,
                                   timeout=10)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=10000")
        with self._lock:
            self._db.executescript(self.SCHEMA)

    def shutdown(self):
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self):
        with self._lock:
            # IMMEDIATE takes the write lock up front so read-then-write cannot race.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except self.Refusal:
                # A refusal writes nothing itself; keep what it observed (a lazy expiry).
                self._db.execute("COMMIT")
                raise
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- notifications --------------------------------------------------------------------------

    def due_notifications(self, now: float) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute(
                "SELECT notify_id FROM notifications WHERE state = 'pending' AND next_at <= ?"
                " ORDER BY next_at", (now,))]

    def next_notification_due(self, busy) -> float | None:
        """Earliest next_at of pending notifications not currently being delivered."""
        with self._lock:
            rows = self._db.execute(
                "SELECT notify_id, next_at FROM notifications WHERE state = 'pending'").fetchall()
        pending = [r["next_at"] for r in rows if r["notify_id"] not in busy]
        return min(pending) if pending else None

    def record_attempt(self, notify_id, results: list[dict], delay_for) -> None:
        """Store one attempt (one result per copy sent) and schedule the next or finish.

        Delivered if any copy succeeded; else delay_for(attempts_made) gives the seconds until
        the next attempt, or None to give up.
        """
        with self._tx() as c:
            attempt = c.execute("SELECT attempts FROM notifications WHERE notify_id = ?",
                                (notify_id,)).fetchone()[0] + 1
            for copy, result in enumerate(results):
                self._insert_attempt(c, notify_id, attempt, copy, result)
            delivered = any(result["outcome"] == "success" for result in results)
            delay = None if delivered else delay_for(attempt)
            state = "delivered" if delivered else ("failed" if delay is None else "pending")
            c.execute("UPDATE notifications SET attempts = ?, state = ?, next_at = ?"
                      " WHERE notify_id = ?",
                      (attempt, state, None if delay is None else time.time() + delay, notify_id))

    @staticmethod
    def _insert_attempt(c, notify_id, attempt, copy, result):
        """One notify_attempts row; `at` is the moment it is recorded."""
        c.execute("INSERT INTO notify_attempts (notify_id, attempt, at, http_status, body,"
                  " outcome) VALUES (?, ?, ?, ?, ?, ?)",
                  (notify_id, attempt, time.time(), result.get("http_status"),
                   result.get("body"), result["outcome"]))
