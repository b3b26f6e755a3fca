"""Browser tests: the SPA in Debian's chromium, driven by Playwright."""
