"""Cross-app helpers: the API envelope, business errors, the exception handler, logging."""
