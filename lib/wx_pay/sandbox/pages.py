"""HTML of the sandbox's buyer pages: the Native QR page and the H5 phone cashier."""
import html
import urllib.parse

import segno

_STYLE = """<style>body{font-family:sans-serif;background:#f2f2f2;margin:0}
main{max-width:420px;margin:40px auto;background:#fff;padding:24px;border-radius:8px;text-align:center}
.amount{font-size:32px;margin:12px 0}.brand{color:#07c160;font-weight:bold}
button{font-size:18px;padding:10px 28px;margin:8px;border:0;border-radius:4px}
.pay{background:#07c160;color:#fff}.cancel{background:#eee}.error{color:#c00}</style>"""


def _yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


def _page(title: str, body: str) -> bytes:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{html.escape(title)}</title>{_STYLE}</head><body><main>"
            f'<div class="brand">微信支付 · 沙箱</div>{body}</main></body></html>').encode()


def _summary(trade: dict) -> str:
    return (f'<p class="subject">{html.escape(trade["description"])}</p>'
            f'<p class="amount">{_yuan(trade["total"])}</p>'
            f'<p>商户订单号 <code>{html.escape(trade["out_trade_no"])}</code></p>')


def _state_note(trade: dict, expired: bool) -> str | None:
    if trade["state"] in ("SUCCESS", "REFUND"):
        return "订单已支付"
    if trade["state"] == "CLOSED":
        return "订单已关闭"
    if expired:
        return "订单已过期，无法支付"
    return None


def native(trade: dict, page_url: str, expired: bool) -> bytes:
    """The QR code (drawn here, no network) and a button standing in for the buyer's scan."""
    qr = segno.make(page_url, error="m").svg_data_uri(scale=5)
    note = _state_note(trade, expired)
    action = f'/wechat/native/{urllib.parse.quote(trade["out_trade_no"], safe="")}/pay'
    button = (f'<p class="error">{note}</p>' if note else
              f'<form method="post" action="{html.escape(action)}">'
              f'<button class="pay" type="submit">模拟扫码支付</button></form>')
    return _page("微信扫码支付", f'{_summary(trade)}<img alt="二维码" width="200" height="200" '
                              f'src="{qr}"><p>请使用微信扫一扫</p>{button}')


def h5(trade: dict, redirect_url: str | None, expired: bool) -> bytes:
    """The phone cashier: 确认支付 / 取消, both returning to redirect_url when one was given."""
    note = _state_note(trade, expired)
    base = f'/wechat/h5/{urllib.parse.quote(trade["out_trade_no"], safe="")}'
    hidden = (f'<input type="hidden" name="redirect_url" value="{html.escape(redirect_url)}">'
              if redirect_url else "")
    buttons = (f'<p class="error">{note}</p>' if note else
               f'<form method="post" action="{html.escape(base)}/pay">{hidden}'
               f'<button class="pay" type="submit">确认支付</button></form>'
               f'<form method="post" action="{html.escape(base)}/cancel">{hidden}'
               f'<button class="cancel" type="submit">取消</button></form>')
    return _page("微信支付", _summary(trade) + buttons)


def done(trade: dict, message: str) -> bytes:
    return _page("微信支付", f"{_summary(trade)}<p>{html.escape(message)}</p>")


def error(message: str) -> bytes:
    return _page("微信支付", f'<p class="error">{html.escape(message)}</p>')
