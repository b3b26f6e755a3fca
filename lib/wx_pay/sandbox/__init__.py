"""A local stand-in for WeChat Pay API v3 (its own process, key pair and SQLite store)."""
