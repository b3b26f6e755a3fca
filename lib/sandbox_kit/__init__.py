"""Plumbing shared by the local payment sandboxes (lib/al_pay/sandbox, lib/wx_pay/sandbox).

Each sandbox stays its own process with its own protocol code (signing, wire format, pages,
bills); this package holds only what they run on: the SQLite store's transactions and notify
bookkeeping, the retrying notifier, fault switches, the HTTP server, the command line's run loop
and the test helper that starts a sandbox process. It imports neither provider.
"""
