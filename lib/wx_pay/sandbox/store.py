"""SQLite store of the sandbox's trades, refunds and notify deliveries; one transaction per change."""
import json
import secrets
import time
import uuid

from lib.sandbox_kit.store import SqliteStore

NOTPAY, SUCCESS, REFUND, CLOSED = "NOTPAY", "SUCCESS", "REFUND", "CLOSED"
PAID = (SUCCESS, REFUND)
PROCESSING = "PROCESSING"

SCHEMA = """
CREATE TABLE IF NOT EXISTS trades (
    out_trade_no TEXT PRIMARY KEY,
    transaction_id TEXT UNIQUE,          -- set when paid
    appid TEXT NOT NULL,
    mchid TEXT NOT NULL,
    trade_type TEXT NOT NULL,            -- NATIVE | MWEB
    description TEXT NOT NULL,
    total INTEGER NOT NULL,              -- fen
    state TEXT NOT NULL,                 -- NOTPAY | SUCCESS | REFUND | CLOSED
    notify_url TEXT NOT NULL,
    attach TEXT,
    request TEXT NOT NULL,               -- the prepay body, to tell a retry from a reuse
    created_at REAL NOT NULL,            -- epoch seconds
    expires_at REAL NOT NULL,
    success_at REAL,
    closed_at REAL,
    openid TEXT
);
CREATE TABLE IF NOT EXISTS refunds (
    out_refund_no TEXT PRIMARY KEY,
    refund_id TEXT UNIQUE NOT NULL,
    out_trade_no TEXT NOT NULL REFERENCES trades(out_trade_no),
    refund INTEGER NOT NULL,
    total INTEGER NOT NULL,
    reason TEXT,
    notify_url TEXT,
    status TEXT NOT NULL,                -- PROCESSING, then outcome
    outcome TEXT NOT NULL DEFAULT 'SUCCESS',  -- SUCCESS | ABNORMAL | CLOSED (fault switches)
    created_at REAL NOT NULL,
    due_at REAL NOT NULL,                -- when PROCESSING turns SUCCESS
    success_at REAL
);
CREATE TABLE IF NOT EXISTS notifications (
    notify_id TEXT PRIMARY KEY,
    out_trade_no TEXT NOT NULL,
    out_refund_no TEXT,
    event_type TEXT NOT NULL,
    notify_url TEXT NOT NULL,
    state TEXT NOT NULL,                 -- pending | delivered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications(state, next_at);
CREATE TABLE IF NOT EXISTS notify_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    notify_id TEXT NOT NULL REFERENCES notifications(notify_id),
    attempt INTEGER NOT NULL,
    at REAL NOT NULL,
    http_status INTEGER,
    body TEXT,
    outcome TEXT NOT NULL                -- success | failure | error | dropped
);
CREATE TABLE IF NOT EXISTS extra_trades (  -- paid trades the merchant never created (tests)
    transaction_id TEXT PRIMARY KEY,
    out_trade_no TEXT NOT NULL,
    description TEXT NOT NULL,
    total INTEGER NOT NULL,
    success_at REAL NOT NULL
);
"""


class ApiError(Exception):
    """A business refusal answered as WeChat's `{"code","message"}` with this HTTP status."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


def _new_id(prefix: str) -> str:
    # 28 digits like WeChat's transaction ids; the date part makes them readable in logs.
    return prefix + time.strftime("%Y%m%d") + "".join(secrets.choice("0123456789")
                                                      for _ in range(28 - len(prefix) - 8))


class Store(SqliteStore):
    SCHEMA = SCHEMA
    Refusal = ApiError

    @staticmethod
    def _trade(c, out_trade_no=None, transaction_id=None) -> dict | None:
        if out_trade_no is not None:
            row = c.execute("SELECT * FROM trades WHERE out_trade_no = ?", (out_trade_no,))
        else:
            row = c.execute("SELECT * FROM trades WHERE transaction_id = ?", (transaction_id,))
        row = row.fetchone()
        return dict(row) if row else None

    # -- payments -----------------------------------------------------------------------------

    def prepay(self, *, out_trade_no, appid, mchid, trade_type, description, total, notify_url,
               attach, expires_at, request: dict) -> dict:
        """Create the trade, or return it again for an identical retry; OUT_TRADE_NO_USED else."""
        canonical = json.dumps(request, sort_keys=True, ensure_ascii=False)
        with self._tx() as c:
            trade = self._trade(c, out_trade_no)
            if trade is not None:
                if trade["request"] != canonical or trade["trade_type"] != trade_type:
                    raise ApiError(403, "OUT_TRADE_NO_USED", "商户订单号重复")
                if trade["state"] in PAID:
                    raise ApiError(400, "ORDER_PAID", "该订单已支付")
                if trade["state"] == CLOSED:
                    raise ApiError(400, "ORDER_CLOSED", "订单已关闭")
                return trade
            c.execute("INSERT INTO trades (out_trade_no, appid, mchid, trade_type, description,"
                      " total, state, notify_url, attach, request, created_at, expires_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (out_trade_no, appid, mchid, trade_type, description, total, NOTPAY,
                       notify_url, attach, canonical, time.time(), expires_at))
            return self._trade(c, out_trade_no)

    def trade(self, out_trade_no=None, transaction_id=None) -> dict | None:
        with self._lock:
            return self._trade(self._db, out_trade_no, transaction_id)

    def pay(self, out_trade_no) -> dict:
        """The buyer pays: NOTPAY -> SUCCESS and a TRANSACTION.SUCCESS notify is queued."""
        with self._tx() as c:
            trade = self._trade(c, out_trade_no)
            if trade is None:
                raise ApiError(404, "ORDER_NOT_EXIST", "订单不存在")
            if trade["state"] in PAID:
                raise ApiError(400, "ORDER_PAID", "该订单已支付")
            if trade["state"] == CLOSED:
                raise ApiError(400, "ORDER_CLOSED", "订单已关闭")
            if time.time() >= trade["expires_at"]:
                raise ApiError(400, "ORDER_CLOSED", "订单已过期，无法支付")
            c.execute("UPDATE trades SET state = ?, transaction_id = ?, success_at = ?,"
                      " openid = ? WHERE out_trade_no = ?",
                      (SUCCESS, _new_id("42"), time.time(),
                       "o" + secrets.token_urlsafe(20)[:27], out_trade_no))
            self._queue(c, out_trade_no, None, "TRANSACTION.SUCCESS", trade["notify_url"])
            return self._trade(c, out_trade_no)

    def close(self, out_trade_no) -> dict:
        """Close an unpaid trade (again: no-op); ORDER_PAID if paid, ORDER_NOT_EXIST if unknown."""
        with self._tx() as c:
            trade = self._trade(c, out_trade_no)
            if trade is None:
                raise ApiError(404, "ORDER_NOT_EXIST", "订单不存在")
            if trade["state"] in PAID:
                raise ApiError(400, "ORDER_PAID", "订单已支付")
            if trade["state"] == NOTPAY:
                c.execute("UPDATE trades SET state = ?, closed_at = ? WHERE out_trade_no = ?",
                          (CLOSED, time.time(), out_trade_no))
            return self._trade(c, out_trade_no)

    # -- refunds ------------------------------------------------------------------------------

    def refund(self, *, out_trade_no, out_refund_no, refund, total, reason, notify_url,
               due_in: float, outcome: str = "SUCCESS") -> dict:
        """Create a PROCESSING refund (or return the same one for a retry); it ends as outcome."""
        with self._tx() as c:
            done = c.execute("SELECT * FROM refunds WHERE out_refund_no = ?",
                             (out_refund_no,)).fetchone()
            if done is not None:
                if (done["out_trade_no"], done["refund"], done["total"]) != (
                        out_trade_no, refund, total):
                    raise ApiError(400, "INVALID_REQUEST", "同一退款单号的参数不一致")
                return dict(done)
            trade = self._trade(c, out_trade_no)
            if trade is None or trade["state"] not in PAID:
                raise ApiError(404, "RESOURCE_NOT_EXISTS", "订单不存在或未支付")
            if total != trade["total"]:
                raise ApiError(400, "INVALID_REQUEST", "订单金额与原订单不一致")
            # A CLOSED refund gave nothing back, so its amount may be refunded again.
            rows = c.execute("SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'CLOSED' THEN 0"
                             " ELSE refund END), 0) FROM refunds WHERE out_trade_no = ?",
                             (out_trade_no,)).fetchone()
            if rows[0] >= 50:
                raise ApiError(403, "RULE_LIMIT", "退款次数超过限制")
            if rows[1] + refund > trade["total"]:
                raise ApiError(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额")
            now = time.time()
            c.execute("INSERT INTO refunds (out_refund_no, refund_id, out_trade_no, refund, total,"
                      " reason, notify_url, status, outcome, created_at, due_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (out_refund_no, _new_id("50"), out_trade_no, refund, total, reason,
                       notify_url, PROCESSING, outcome, now, now + due_in))
            c.execute("UPDATE trades SET state = ? WHERE out_trade_no = ?", (REFUND, out_trade_no))
            return dict(c.execute("SELECT * FROM refunds WHERE out_refund_no = ?",
                                  (out_refund_no,)).fetchone())

    def get_refund(self, out_refund_no) -> dict | None:
        self.complete_due_refunds()
        with self._lock:
            row = self._db.execute("SELECT * FROM refunds WHERE out_refund_no = ?",
                                   (out_refund_no,)).fetchone()
            return dict(row) if row else None

    def complete_due_refunds(self) -> int:
        """PROCESSING refunds whose time came take their outcome and queue a REFUND.* notify."""
        with self._tx() as c:
            due = c.execute("SELECT * FROM refunds WHERE status = ? AND due_at <= ?",
                            (PROCESSING, time.time())).fetchall()
            for row in due:
                # Only a successful refund has a success_time (GO refunddomestic models).
                c.execute("UPDATE refunds SET status = outcome, success_at = ?"
                          " WHERE out_refund_no = ?",
                          (time.time() if row["outcome"] == "SUCCESS" else None,
                           row["out_refund_no"]))
                if row["notify_url"]:
                    self._queue(c, row["out_trade_no"], row["out_refund_no"],
                                f"REFUND.{row['outcome']}", row["notify_url"])
            return len(due)

    def next_refund_due(self) -> float | None:
        with self._lock:
            return self._db.execute("SELECT MIN(due_at) FROM refunds WHERE status = ?",
                                    (PROCESSING,)).fetchone()[0]

    def refunds_of(self, out_trade_no) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self._db.execute(
                "SELECT * FROM refunds WHERE out_trade_no = ? ORDER BY created_at",
                (out_trade_no,))]

    # -- bills --------------------------------------------------------------------------------

    def add_extra_trade(self, *, out_trade_no, description, total, success_at) -> dict:
        with self._tx() as c:
            transaction_id = _new_id("42")
            c.execute("INSERT INTO extra_trades VALUES (?, ?, ?, ?, ?)",
                      (transaction_id, out_trade_no, description, total, success_at))
            return dict(c.execute("SELECT * FROM extra_trades WHERE transaction_id = ?",
                                  (transaction_id,)).fetchone())

    def bill_rows(self, start: float, end: float) -> tuple[list[dict], list[dict]]:
        """(trades paid, refunds requested) in [start, end): each on the bill of its own day."""
        with self._lock:
            trades = [dict(r) for r in self._db.execute(
                "SELECT transaction_id, out_trade_no, appid, trade_type, description, total,"
                " success_at, openid, attach FROM trades WHERE success_at >= ? AND success_at < ?"
                " UNION ALL SELECT transaction_id, out_trade_no, NULL, 'NATIVE', description,"
                " total, success_at, NULL, NULL FROM extra_trades"
                " WHERE success_at >= ? AND success_at < ? ORDER BY success_at",
                (start, end, start, end))]
            refunds = [dict(r) for r in self._db.execute(
                "SELECT r.*, t.transaction_id, t.appid, t.trade_type, t.description, t.openid,"
                " t.attach FROM refunds r JOIN trades t ON t.out_trade_no = r.out_trade_no"
                " WHERE r.created_at >= ? AND r.created_at < ? ORDER BY r.created_at",
                (start, end))]
        return trades, refunds

    # -- notifications ------------------------------------------------------------------------

    @staticmethod
    def _queue(c, out_trade_no, out_refund_no, event_type, notify_url) -> str:
        notify_id = str(uuid.uuid4())
        c.execute("INSERT INTO notifications (notify_id, out_trade_no, out_refund_no, event_type,"
                  " notify_url, state, next_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                  (notify_id, out_trade_no, out_refund_no, event_type, notify_url, time.time(),
                   time.time()))
        return notify_id

    def notification(self, notify_id) -> tuple[dict, dict, dict | None] | None:
        """(notification, trade, refund or None) for one delivery attempt."""
        with self._lock:
            row = self._db.execute("SELECT * FROM notifications WHERE notify_id = ?",
                                   (notify_id,)).fetchone()
            if row is None:
                return None
            refund = None
            if row["out_refund_no"]:
                refund = dict(self._db.execute("SELECT * FROM refunds WHERE out_refund_no = ?",
                                               (row["out_refund_no"],)).fetchone())
            return dict(row), self._trade(self._db, row["out_trade_no"]), refund

    def report(self, out_trade_no) -> dict | None:
        """Everything known about a trade, for GET /control/wechat/trades/<otn>."""
        self.complete_due_refunds()
        with self._lock:
            trade = self._trade(self._db, out_trade_no)
            if trade is None:
                return None
            trade.pop("request")
            trade["refunds"] = self.refunds_of(out_trade_no)
            trade["notifications"] = [dict(r) for r in self._db.execute(
                "SELECT * FROM notifications WHERE out_trade_no = ? ORDER BY created_at",
                (out_trade_no,))]
            trade["notify_attempts"] = [dict(r) for r in self._db.execute(
                "SELECT a.*, n.event_type FROM notify_attempts a JOIN notifications n"
                " ON n.notify_id = a.notify_id WHERE n.out_trade_no = ? ORDER BY a.id",
                (out_trade_no,))]
            return trade
