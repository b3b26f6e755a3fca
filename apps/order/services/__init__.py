"""Writes for orders, split by concern (HackSoft style: `<entity>_<action>(*, ...)` functions).

- events.py     the one status transition and the payment event trail (used by all below)
- orders.py     buy now (create, place, supersede) and cancel
- payments.py   Alipay's facts: notify, settle, sync (query), browser return, poll, close
- refunds.py    refund chosen lines of a paid order (one Alipay refund request per line)
- reconcile.py  the pass that settles or times out unpaid orders (command, Celery, laptop loop)
"""
