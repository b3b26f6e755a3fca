"""Writes for orders, split by concern (HackSoft style: `<entity>_<action>(*, ...)` functions).

- events.py     the one status transition and the payment event trail (used by all below)
- orders.py     buy now (create, place, supersede) and cancel
- notifies.py   every provider's notify: authenticate it there, then apply the same rules
- payments.py   the provider's facts: settle, sync (query), browser return, poll, close
- refunds.py    refund chosen lines of a paid order (one refund request per line at the provider)
- reconcile.py  the pass that settles or times out unpaid orders (command, Celery, laptop loop)
"""
